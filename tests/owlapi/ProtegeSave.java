/*
 * ProtegeSave -- load an ontology document with the OWL API and save it the way Protégé's
 * File > Save does: the same OWLOntologyManager.saveOntology call, the OWL API's default writer
 * settings, and (with "same") the document format the file was loaded in, prefixes included.
 * Optionally add one class first, as a curator would in Protégé's Entities tab.
 *
 * Usage:
 *   java -cp <owlapi classpath>:<dir of ProtegeSave.class> ProtegeSave IN OUT FORMAT
 *        [--add-class IRI] [--label TEXT] [--definition TEXT]
 *
 *   FORMAT      same | ofn | ttl | rdfxml | owx   ("same" keeps IN's format, as Protégé does)
 *   --add-class Declaration(Class(IRI)) and, if given, rdfs:label "TEXT"@en and
 *               skos:definition "TEXT"@en (the annotation the ontology uses for definitions),
 *               and SubClassOf(IRI ald:SecurityRelationship) so that the class has an axiom.
 *   --label / --definition are only used with --add-class; leave --label out to add an
 *               unlabelled class (the quality checks' negative control).
 *
 * Prints one line on stdout: the format the file was saved in.  Exits 1 with a message on stderr
 * when the file does not load or save.  Nothing here touches the network: the ontology has no
 * owl:imports, and missing imports are ignored silently.
 */

import java.io.File;

import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.formats.FunctionalSyntaxDocumentFormat;
import org.semanticweb.owlapi.formats.OWLXMLDocumentFormat;
import org.semanticweb.owlapi.formats.PrefixDocumentFormat;
import org.semanticweb.owlapi.formats.RDFXMLDocumentFormat;
import org.semanticweb.owlapi.formats.TurtleDocumentFormat;
import org.semanticweb.owlapi.io.FileDocumentSource;
import org.semanticweb.owlapi.model.IRI;
import org.semanticweb.owlapi.model.MissingImportHandlingStrategy;
import org.semanticweb.owlapi.model.OWLAnnotationProperty;
import org.semanticweb.owlapi.model.OWLClass;
import org.semanticweb.owlapi.model.OWLDataFactory;
import org.semanticweb.owlapi.model.OWLDocumentFormat;
import org.semanticweb.owlapi.model.OWLOntology;
import org.semanticweb.owlapi.model.OWLOntologyLoaderConfiguration;
import org.semanticweb.owlapi.model.OWLOntologyManager;

public final class ProtegeSave {
    private static final String TERMS = "https://w3id.org/alliance-ld/ontology#";
    private static final String SKOS_DEFINITION = "http://www.w3.org/2004/02/skos/core#definition";

    private ProtegeSave() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (Exception e) {
            System.err.println("ProtegeSave: " + e);
            System.exit(1);
        }
    }

    private static void run(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: ProtegeSave IN OUT FORMAT [--add-class IRI] [--label TEXT]"
                    + " [--definition TEXT]");
            System.exit(2);
        }
        File in = new File(args[0]);
        File out = new File(args[1]);
        String formatName = args[2];
        String addClass = null;
        String label = null;
        String definition = null;
        for (int i = 3; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + args[i]);
            }
            switch (args[i]) {
                case "--add-class": addClass = args[i + 1]; break;
                case "--label": label = args[i + 1]; break;
                case "--definition": definition = args[i + 1]; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }

        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        manager.getIRIMappers().clear();
        OWLOntologyLoaderConfiguration config = new OWLOntologyLoaderConfiguration()
                .setMissingImportHandlingStrategy(MissingImportHandlingStrategy.SILENT);
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(
                new FileDocumentSource(in), config);
        OWLDocumentFormat loaded = manager.getOntologyFormat(ontology);

        if (addClass != null) {
            OWLDataFactory df = manager.getOWLDataFactory();
            OWLClass cls = df.getOWLClass(IRI.create(addClass));
            manager.addAxiom(ontology, df.getOWLDeclarationAxiom(cls));
            manager.addAxiom(ontology, df.getOWLSubClassOfAxiom(
                    cls, df.getOWLClass(IRI.create(TERMS + "SecurityRelationship"))));
            if (label != null) {
                manager.addAxiom(ontology, df.getOWLAnnotationAssertionAxiom(
                        df.getRDFSLabel(), cls.getIRI(), df.getOWLLiteral(label, "en")));
            }
            if (definition != null) {
                OWLAnnotationProperty skosDefinition =
                        df.getOWLAnnotationProperty(IRI.create(SKOS_DEFINITION));
                manager.addAxiom(ontology, df.getOWLAnnotationAssertionAxiom(
                        skosDefinition, cls.getIRI(), df.getOWLLiteral(definition, "en")));
            }
        }

        OWLDocumentFormat target = format(formatName, loaded);
        manager.saveOntology(ontology, target, IRI.create(out.getAbsoluteFile()));
        System.out.println(target.getKey());
    }

    /** The writer format; prefixes of the loaded document carry over, as in Protégé's Save As. */
    private static OWLDocumentFormat format(String name, OWLDocumentFormat loaded) {
        OWLDocumentFormat target;
        switch (name) {
            case "same": return loaded;
            case "ofn": target = new FunctionalSyntaxDocumentFormat(); break;
            case "ttl": target = new TurtleDocumentFormat(); break;
            case "rdfxml": target = new RDFXMLDocumentFormat(); break;
            case "owx": target = new OWLXMLDocumentFormat(); break;
            default: throw new IllegalArgumentException("unknown format " + name);
        }
        if (loaded instanceof PrefixDocumentFormat && target instanceof PrefixDocumentFormat) {
            ((PrefixDocumentFormat) target).copyPrefixesFrom((PrefixDocumentFormat) loaded);
        }
        return target;
    }
}
