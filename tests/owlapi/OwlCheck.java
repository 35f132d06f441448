/*
 * OwlCheck -- open RDF files with the OWL API "the way Protégé does" and report, as one JSON
 * object on stdout, what the OWL API makes of them.
 *
 * Usage:  java -cp <owlapi classpath>:<dir of OwlCheck.class> OwlCheck FILE [FILE ...]
 *
 * Supported inputs (chosen by file extension, see PARSER_BY_EXTENSION):
 *   .ttl                       Turtle   (the rdf4j "Rio" Turtle parser: of the two Turtle
 *                                        parsers this OWL API has, the one its format
 *                                        auto-detection tries first)
 *   .nt                        N-Triples (Rio)
 *   .rdf .owl .xml .rdfxml     RDF/XML  (the OWL API's own RDF/XML parser)
 *
 * How several files end up in ONE ontology
 * ----------------------------------------
 * The first file is opened with OWLOntologyManager.loadOntologyFromOntologyDocument(), exactly
 * like File > Open in Protégé.  Every further file is then parsed, in command-line order, by the
 * same OWL API RDF parser *into that same OWLOntology object* (OWLParser.parse(source, ontology,
 * config)).  This is deliberate and is NOT the same as loading each file as its own ontology and
 * merging the results with OWLOntologyMerger:
 *
 *   The OWL API's RDF-to-OWL mapping decides what a triple  :nato :hasMember :fr  means by looking
 *   up how :hasMember is declared.  A data file parsed on its own (no owl:imports, no
 *   declarations) therefore turns every such triple into an *annotation* assertion, and a merge
 *   afterwards yields :hasMember punned as both object and annotation property -- a spurious DL
 *   violation that says nothing about our files.  Parsing the data into the ontology that already
 *   holds the declarations gives the same result Protégé gives for a data file that owl:imports
 *   the ontology: ObjectPropertyAssertion / DataPropertyAssertion / ClassAssertion axioms.
 *
 * Consequences: order matters (put the ontology first, then the data); blank nodes stay local to
 * their file (RDF merge semantics); ontology annotations of later files are added to the one
 * ontology; the ontology ID is the first file's (a later file's owl:Ontology header does not
 * rename it -- we restore the ID after each later parse).
 *
 * No network access
 * -----------------
 * All IRI mappers are removed and replaced by one that maps every non-file IRI to a non-existent
 * local file; missing imports are handled SILENTLY (and listed under "missing_imports"); and, to
 * make it a guarantee rather than a convention, the http/https/ftp URL handlers of this JVM are
 * replaced by handlers that refuse to connect.  (A remote JSON-LD @context would go through
 * Apache HttpClient instead, but JSON-LD is not an accepted input.)
 *
 * Output (one JSON object, keys in this order):
 *   owlapi_version    string
 *   ontology_iri      string or null  -- the ID of the (first file's) ontology
 *   inputs            [{path, format, triples, unparsed}]  -- one per file, as parsed
 *   missing_imports   [iri]           -- owl:imports that were not followed
 *   violations        [{type, text, [entity], [datatype]}]  -- new OWL2DLProfile().checkOntology;
 *                     type is the violation's class simple name, text its toString();
 *                     "entity" (an IRI) is set for UseOfUndeclared* violations, "datatype" (an IRI)
 *                     wherever the violation is about a datatype, a typed literal or a datatype
 *                     restriction.  Sorted by type, then text.  The OWL API 5.1 profile checker
 *                     itself throws on some malformed axioms (e.g. an owl:propertyChainAxiom whose
 *                     object is not a list); such an axiom is reported as
 *                     {type: "ProfileCheckerCrash", text: exception + axiom} and the rest of the
 *                     ontology is still checked.
 *   unparsed_triples  {count, triples: [{file, subject, predicate, object, text}]}
 *                     -- RDFParserMetaData.getUnparsedTriples() of every file (triples the RDF
 *                     mapping could not turn into axioms).  Blank nodes appear as _:genid...
 *                     NB: the OWL API consumes many malformed constructs *without* leaving
 *                     unparsed triples -- see malformed_axioms.
 *   malformed_axioms  [string]        -- axioms mentioning an OWL API error placeholder
 *                     (<http://org.semanticweb.owlapi/error#ErrorN>): what the non-strict RDF
 *                     parser (Protégé's setting) puts in place of a class expression it cannot
 *                     read, e.g. an owl:Restriction without owl:onProperty.  Sorted.
 *   undeclared        [{type, iri}]   -- entities of the merged ontology's signature without a
 *                     Declaration axiom.  type is the OWL API EntityType name: Class,
 *                     ObjectProperty, DataProperty, AnnotationProperty or Datatype.  Built-ins
 *                     are excluded (owl:Thing, owl:Nothing, owl:top/bottom properties,
 *                     rdfs:Literal, the OWL 2 datatype map -- xsd:string, xsd:dateTime, ... but
 *                     NOT xsd:date/xsd:gYear, which are not OWL 2 datatypes -- and the built-in
 *                     annotation properties rdfs:label, rdfs:comment, rdfs:seeAlso,
 *                     rdfs:isDefinedBy, owl:versionInfo, owl:deprecated, owl:priorVersion,
 *                     owl:backwardCompatibleWith, owl:incompatibleWith).  Named individuals are
 *                     NOT listed: instance data never says "a owl:NamedIndividual" and the OWL
 *                     API's own OWL2DLProfile does not require it either; their number is in
 *                     "undeclared_individuals".  Sorted by type, then IRI.
 *   undeclared_individuals  int
 *   axioms, logical_axioms, classes, object_properties, data_properties,
 *   annotation_properties, datatypes, individuals    int -- signature counts as Protégé's
 *                     "Ontology metrics" shows them (built-ins that are used are counted).
 *
 * Exit status: 0 when the check ran (whatever it found); 1 with a message on stderr when a file
 * cannot be read or parsed -- which includes RDF that is syntactically fine but on which the OWL
 * API's RDF-to-OWL mapping itself throws (e.g. owl:intersectionOf whose object is not a list:
 * "NullPointerException: operands cannot be null or empty"); Protégé cannot open such a file
 * either; 2 on a usage error (no files, unknown option, unsupported extension).
 */

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.io.OWLOntologyLoaderMetaData;
import org.semanticweb.owlapi.io.OWLParser;
import org.semanticweb.owlapi.io.OWLParserFactory;
import org.semanticweb.owlapi.io.RDFNode;
import org.semanticweb.owlapi.io.RDFParserMetaData;
import org.semanticweb.owlapi.io.RDFTriple;
import org.semanticweb.owlapi.io.UnparsableOntologyException;
import org.semanticweb.owlapi.model.AxiomType;
import org.semanticweb.owlapi.model.EntityType;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLAxiom;
import org.semanticweb.owlapi.model.OWLDataRange;
import org.semanticweb.owlapi.model.OWLDatatype;
import org.semanticweb.owlapi.model.OWLDatatypeDefinitionAxiom;
import org.semanticweb.owlapi.model.OWLDatatypeRestriction;
import org.semanticweb.owlapi.model.OWLDeclarationAxiom;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLEntity;
import org.semanticweb.owlapi.model.OWLLiteral;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyCreationException;
import org.semanticweb.owlapi.model.OWLOntologyID;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;
import org.semanticweb.owlapi.model.SetOntologyID;
import org.semanticweb.owlapi.model.parameters.Imports;
import org.semanticweb.owlapi.profiles.OWL2DLProfile;
import org.semanticweb.owlapi.profiles.OWLProfileViolation;
import org.semanticweb.owlapi.profiles.violations.DatatypeIRIAlsoUsedAsClassIRI;
import org.semanticweb.owlapi.profiles.violations.UndeclaredEntityViolation;
import org.semanticweb.owlapi.util.VersionInfo;

public final class OwlCheck {

    /** Namespace of the placeholder entities the OWL API RDF parser substitutes for junk. */
    private static final String OWLAPI_ERROR_NAMESPACE = "http://org.semanticweb.owlapi/error#";

    /** File extension -> key of the OWL API document format (and so of the parser) to use. */
    private static final Map<String, String> PARSER_BY_EXTENSION = new LinkedHashMap<>();

    static {
        PARSER_BY_EXTENSION.put("ttl", "Turtle");                 // RioTurtleParserFactory
        PARSER_BY_EXTENSION.put("nt", "N-Triples");               // RioNTriplesParserFactory
        PARSER_BY_EXTENSION.put("rdf", "RDF/XML Syntax");         // RDFXMLParserFactory
        PARSER_BY_EXTENSION.put("owl", "RDF/XML Syntax");
        PARSER_BY_EXTENSION.put("xml", "RDF/XML Syntax");
        PARSER_BY_EXTENSION.put("rdfxml", "RDF/XML Syntax");
    }

    /** A file could not be read or parsed: exit status 1. */
    private static final class LoadFailure extends Exception {
        private static final long serialVersionUID = 1L;

        LoadFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Bad command line: exit status 2. */
    private static final class UsageError extends Exception {
        private static final long serialVersionUID = 1L;

        UsageError(String message) {
            super(message);
        }
    }

    private OwlCheck() {}

    public static void main(String[] args) {
        // Everything we print must be UTF-8 whatever the locale of the CI box.
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        PrintStream err = new PrintStream(System.err, true, StandardCharsets.UTF_8);
        int status;
        try {
            forbidNetwork();
            out.println(check(args));
            status = 0;
        } catch (UsageError e) {
            err.println("OwlCheck: " + e.getMessage());
            err.println("usage: java OwlCheck FILE [FILE ...]   (" + String.join(", ",
                    PARSER_BY_EXTENSION.keySet().stream().map(x -> "." + x)
                            .collect(Collectors.toList())) + ")");
            status = 2;
        } catch (LoadFailure e) {
            err.println("OwlCheck: " + e.getMessage());
            if (e.getCause() != null) {
                err.println(describe(e.getCause()));
            }
            status = 1;
        } catch (RuntimeException | LinkageError e) {
            err.println("OwlCheck: internal error: " + describe(e));
            e.printStackTrace(err);
            status = 1;
        }
        out.flush();
        err.flush();
        System.exit(status);
    }

    // ------------------------------------------------------------------------------ loading

    private static String check(String[] args) throws UsageError, LoadFailure {
        List<File> files = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("-")) { // a file named -x can be passed as ./-x
                throw new UsageError("unknown option " + arg);
            }
            files.add(new File(arg));
        }
        if (files.isEmpty()) {
            throw new UsageError("no input files");
        }
        for (File f : files) {
            if (!f.isFile() || !f.canRead()) {
                throw new LoadFailure("cannot read " + f.getPath(), null);
            }
            formatKeyFor(f); // fail early on an unsupported extension
        }

        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        // No IRI mapper may resolve anything to the network: the only mapper left sends every
        // non-file IRI to a file that does not exist, so an owl:imports fails (silently) instead
        // of being fetched.
        manager.getIRIMappers().clear();
        manager.getIRIMappers().add(OwlCheck::offlineDocumentIRI);
        OWLOntologyLoaderConfiguration config = manager.getOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT)
                .setFollowRedirects(false);
        manager.setOntologyLoaderConfiguration(config);
        TreeSet<String> missingImports = new TreeSet<>();
        manager.addMissingImportListener(
                e -> missingImports.add(e.getImportedOntologyURI().toString()));

        List<Map<String, Object>> inputs = new ArrayList<>();
        List<Map<String, Object>> unparsed = new ArrayList<>();
        OWLOntology ontology = null;
        for (File file : files) {
            OWLParserFactory factory = parserFactory(manager, formatKeyFor(file));
            OWLDocumentFormat format;
            try {
                FileDocumentSource source = new FileDocumentSource(file,
                        factory.getSupportedFormat().createFormat());
                if (ontology == null) {
                    ontology = manager.loadOntologyFromOntologyDocument(source, config);
                    format = manager.getOntologyFormat(ontology);
                } else {
                    OWLOntologyID id = ontology.getOntologyID();
                    OWLParser parser = factory.createParser();
                    format = parser.parse(source, ontology, config);
                    if (!id.equals(ontology.getOntologyID())) {
                        ontology.applyChange(new SetOntologyID(ontology, id));
                    }
                }
            } catch (UnparsableOntologyException e) {
                // One entry per parser tried (we only ever offer one); its message is the
                // useful part, the exception's own message is a page of stack traces.
                Throwable cause = e.getExceptions().values().stream().findFirst()
                        .map(x -> (Throwable) x).orElse(e);
                throw new LoadFailure("cannot load " + file.getPath() + " as "
                        + factory.getSupportedFormat().getKey(), cause);
            } catch (OWLOntologyCreationException | RuntimeException e) {
                throw new LoadFailure("cannot load " + file.getPath() + " as "
                        + factory.getSupportedFormat().getKey(), e);
            }
            List<RDFTriple> fileUnparsed = new ArrayList<>();
            int triples = -1;
            Optional<OWLOntologyLoaderMetaData> meta =
                    format == null ? Optional.empty() : format.getOntologyLoaderMetaData();
            if (meta.isPresent() && meta.get() instanceof RDFParserMetaData) {
                RDFParserMetaData rdf = (RDFParserMetaData) meta.get();
                triples = rdf.getTripleCount();
                rdf.getUnparsedTriples().sorted().forEach(fileUnparsed::add);
            }
            for (RDFTriple t : fileUnparsed) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("file", file.getPath());
                row.put("subject", term(t.getSubject()));
                row.put("predicate", term(t.getPredicate()));
                row.put("object", term(t.getObject()));
                row.put("text", t.toString());
                unparsed.add(row);
            }
            Map<String, Object> input = new LinkedHashMap<>();
            input.put("path", file.getPath());
            input.put("format", format == null ? null : format.getKey());
            input.put("triples", triples);
            input.put("unparsed", fileUnparsed.size());
            inputs.add(input);
        }
        return report(ontology, inputs, unparsed, new ArrayList<>(missingImports));
    }

    private static String formatKeyFor(File file) throws UsageError {
        String name = file.getName();
        int dot = name.lastIndexOf('.');
        String ext = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        String key = PARSER_BY_EXTENSION.get(ext);
        if (key == null) {
            throw new UsageError("unsupported file type: " + file.getPath());
        }
        return key;
    }

    private static OWLParserFactory parserFactory(OWLOntologyManager manager, String formatKey)
            throws LoadFailure {
        for (OWLParserFactory f : manager.getOntologyParsers()) {
            if (f.getSupportedFormat().getKey().equals(formatKey)) {
                return f;
            }
        }
        throw new LoadFailure("this OWL API has no parser for " + formatKey, null);
    }

    private static IRI offlineDocumentIRI(IRI ontologyIRI) {
        if ("file".equalsIgnoreCase(ontologyIRI.getScheme())) {
            return ontologyIRI;
        }
        return IRI.create(new File("/nonexistent/owlcheck-offline/"
                + Integer.toHexString(ontologyIRI.toString().hashCode())));
    }

    /** Make any http/https/ftp access from this JVM fail instead of reaching the network. */
    private static void forbidNetwork() {
        URL.setURLStreamHandlerFactory(protocol -> {
            switch (protocol.toLowerCase(Locale.ROOT)) {
                case "http":
                case "https":
                case "ftp":
                    return new URLStreamHandler() {
                        @Override
                        protected URLConnection openConnection(URL u) throws IOException {
                            throw new IOException("OwlCheck: network access disabled (" + u + ")");
                        }
                    };
                default:
                    return null; // JDK default handler (file:, jar:, ...)
            }
        });
    }

    // ------------------------------------------------------------------------------ report

    private static String report(OWLOntology ont, List<Map<String, Object>> inputs,
            List<Map<String, Object>> unparsed, List<String> missingImports) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("owlapi_version", VersionInfo.getVersionInfo().getVersion());
        out.put("ontology_iri",
                ont.getOntologyID().getOntologyIRI().map(IRI::toString).orElse(null));
        out.put("inputs", inputs);
        out.put("missing_imports", missingImports);

        List<Map<String, Object>> violations = new ArrayList<>();
        for (OWLProfileViolation v : dlViolations(ont, violations)) {
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("type", v.getClass().getSimpleName());
            row.put("text", v.toString());
            if (v instanceof UndeclaredEntityViolation) {
                row.put("entity", ((UndeclaredEntityViolation) v).getEntity().getIRI().toString());
            }
            IRI datatype = datatypeOf(v);
            if (datatype != null) {
                row.put("datatype", datatype.toString());
            }
            violations.add(row);
        }
        violations.sort(Comparator.comparing((Map<String, Object> r) -> (String) r.get("type"))
                .thenComparing(r -> (String) r.get("text")));
        out.put("violations", violations);

        Map<String, Object> unparsedOut = new LinkedHashMap<>();
        unparsedOut.put("count", unparsed.size());
        unparsedOut.put("triples", unparsed);
        out.put("unparsed_triples", unparsedOut);
        out.put("malformed_axioms", ont.axioms(Imports.INCLUDED)
                .filter(ax -> ax.signature().anyMatch(
                        e -> e.getIRI().toString().startsWith(OWLAPI_ERROR_NAMESPACE)))
                .map(Object::toString).sorted().collect(Collectors.toList()));

        List<Map<String, Object>> undeclared = new ArrayList<>();
        long undeclaredIndividuals = 0;
        // One pass over the declarations: ont.isDeclared(e) per entity is slow on big data.
        Set<OWLEntity> declared = ont.axioms(AxiomType.DECLARATION, Imports.INCLUDED)
                .map(OWLDeclarationAxiom::getEntity).collect(Collectors.toSet());
        for (OWLEntity e : (Iterable<OWLEntity>) ont.signature(Imports.INCLUDED)
                .sorted(Comparator.comparing((OWLEntity x) -> x.getEntityType().getName())
                        .thenComparing(x -> x.getIRI().toString()))::iterator) {
            if (e.isBuiltIn() || declared.contains(e)) {
                continue;
            }
            if (e.getEntityType() == EntityType.NAMED_INDIVIDUAL) {
                undeclaredIndividuals++;
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("type", e.getEntityType().getName());
            row.put("iri", e.getIRI().toString());
            undeclared.add(row);
        }
        out.put("undeclared", undeclared);
        out.put("undeclared_individuals", undeclaredIndividuals);

        out.put("axioms", ont.getAxiomCount(Imports.INCLUDED));
        out.put("logical_axioms", ont.getLogicalAxiomCount(Imports.INCLUDED));
        out.put("classes", ont.classesInSignature(Imports.INCLUDED).count());
        out.put("object_properties", ont.objectPropertiesInSignature(Imports.INCLUDED).count());
        out.put("data_properties", ont.dataPropertiesInSignature(Imports.INCLUDED).count());
        out.put("annotation_properties",
                ont.annotationPropertiesInSignature(Imports.INCLUDED).count());
        out.put("datatypes", ont.datatypesInSignature(Imports.INCLUDED).count());
        out.put("individuals", ont.individualsInSignature(Imports.INCLUDED).count());
        StringBuilder sb = new StringBuilder();
        json(sb, out);
        return sb.toString();
    }

    /**
     * new OWL2DLProfile().checkOntology(ont), surviving crashes of the checker itself: if it
     * throws, find the axioms it throws on (checked one at a time), report each of them as a
     * "ProfileCheckerCrash" row in {@code crashRows}, and check the ontology without them.
     */
    private static List<OWLProfileViolation> dlViolations(OWLOntology ont,
            List<Map<String, Object>> crashRows) {
        try {
            return new OWL2DLProfile().checkOntology(ont).getViolations();
        } catch (RuntimeException wholeOntologyCrash) {
            OWLOntologyManager scratch = OWLManager.createOWLOntologyManager();
            List<OWLAxiom> culprits = new ArrayList<>();
            for (OWLAxiom ax : (Iterable<OWLAxiom>) ont.axioms().sorted()::iterator) {
                try {
                    OWLOntology single = scratch.createOntology(Collections.singleton(ax));
                    try {
                        new OWL2DLProfile().checkOntology(single);
                    } finally {
                        scratch.removeOntology(single);
                    }
                } catch (RuntimeException | OWLOntologyCreationException e) {
                    culprits.add(ax);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("type", "ProfileCheckerCrash");
                    row.put("text", "OWL2DLProfile threw " + describe(e) + " on " + ax);
                    crashRows.add(row);
                }
            }
            if (culprits.isEmpty()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("type", "ProfileCheckerCrash");
                row.put("text", "OWL2DLProfile threw " + describe(wholeOntologyCrash)
                        + " on the ontology (not reproducible on any single axiom)");
                crashRows.add(row);
                return Collections.emptyList();
            }
            ont.removeAxioms(culprits);
            try {
                return new OWL2DLProfile().checkOntology(ont).getViolations();
            } catch (RuntimeException again) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("type", "ProfileCheckerCrash");
                row.put("text", "OWL2DLProfile threw " + describe(again)
                        + " on the ontology without the axioms above");
                crashRows.add(row);
                return Collections.emptyList();
            } finally {
                ont.addAxioms(culprits);
            }
        }
    }

    /** OWLProfileViolation.getExpression() throws when a violation has none. */
    private static Object expressionOf(OWLProfileViolation v) {
        try {
            return v.getExpression();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The datatype a profile violation is about, or null if it is not about a datatype. */
    private static IRI datatypeOf(OWLProfileViolation v) {
        Object x = expressionOf(v);
        if (v instanceof DatatypeIRIAlsoUsedAsClassIRI && x instanceof IRI) {
            return (IRI) x;
        }
        if (x instanceof OWLDatatype) {
            return ((OWLDatatype) x).getIRI();
        }
        if (x instanceof OWLLiteral) {
            return ((OWLLiteral) x).getDatatype().getIRI();
        }
        if (x instanceof OWLDatatypeRestriction) {
            return ((OWLDatatypeRestriction) x).getDatatype().getIRI();
        }
        if (x instanceof OWLDatatypeDefinitionAxiom) {
            return ((OWLDatatypeDefinitionAxiom) x).getDatatype().getIRI();
        }
        if (x instanceof OWLDataRange && ((OWLDataRange) x).isOWLDatatype()) {
            return ((OWLDataRange) x).asOWLDatatype().getIRI();
        }
        return null;
    }

    /** An RDF term in N-Triples-like form: IRIs bare, blank nodes as _:id, literals quoted. */
    private static String term(RDFNode node) {
        if (node.isLiteral()) {
            return node.toString();
        }
        if (node.isAnonymous()) {
            String s = node.toString();
            return s.startsWith("_:") ? s : "_:" + s;
        }
        return node.getIRI().toString();
    }

    private static String describe(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (sb.length() > 0) {
                sb.append("\n  caused by: ");
            }
            sb.append(c.getClass().getName()).append(": ").append(c.getMessage());
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------ JSON

    private static void json(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String) {
            jsonString(sb, (String) value);
        } else if (value instanceof Number || value instanceof Boolean) {
            sb.append(value);
        } else if (value instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                jsonString(sb, String.valueOf(e.getKey()));
                sb.append(": ");
                json(sb, e.getValue());
            }
            sb.append('}');
        } else if (value instanceof Iterable) {
            sb.append('[');
            boolean first = true;
            for (Object o : (Iterable<?>) value) {
                if (!first) {
                    sb.append(", ");
                }
                first = false;
                json(sb, o);
            }
            sb.append(']');
        } else {
            jsonString(sb, value.toString());
        }
    }

    private static void jsonString(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        sb.append('"');
    }
}
