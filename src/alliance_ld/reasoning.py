"""OWL 2 DL reasoning over the ontology and the data with HermiT, run through owlready2.

:func:`reason` answers three questions a curator asks of an OWL ontology and its data:

* is the whole **consistent** (could all of it be true at once)?
* are there **unsatisfiable classes** (classes that can have no member)?
* which **class assertions** follow from the ontology (``alliance/nato`` is an ``org:Organization``
  because it is an ``ald:Alliance``)?

How it runs. owlready2 reads neither Turtle nor JSON-LD, so the ontology and the data are parsed
with the store's parsers (same errors, with file and line, as everywhere else) and written as one
N-Triples file into a temporary folder; a fresh owlready2 :class:`~owlready2.World` (never the
default world) reads it, and ``sync_reasoner_hermit`` runs HermiT in a Java subprocess
(``-Xmx`` is owlready2's ``JAVA_MEMORY``, 2000 MB, ample for this graph). Nothing touches the
network: ``owl:imports`` triples are dropped before owlready2 sees them (the ontology declares the
external terms it uses instead of importing them), as is owlready2's ``python_module``
annotation, which would make it import Python code named by the data.

Datatypes. ``xsd:date``, ``xsd:gYear`` and ``xsd:gYearMonth`` are not in the OWL 2 datatype map,
and HermiT refuses literals typed with them. The data needs them, so HermiT is always told to
ignore unsupported datatypes: it then reads each such literal as an opaque value (the property
assertion stands, but the value cannot be compared or checked against a range), and the report
says how many literals that concerns, per datatype.

Inferred types. HermiT's realisation, as owlready2 stores it, gives each individual its *direct*
(most specific) classes only, which in this data are all asserted already. The report therefore
counts the *entailed* class assertions: each individual's direct classes after reasoning closed
under the class hierarchy after reasoning, minus the ``rdf:type`` triples of the input.
``owl:Thing`` is left out.

Inconsistency. HermiT says only "Inconsistent ontology". The report adds the individuals whose
told types (asserted types, property domains and ranges, and their superclasses) include two
disjoint classes, which is the usual cause; other causes are left to a full OWL explanation tool.
"""

from __future__ import annotations

import functools
import json
import logging
import shutil
import tempfile
import threading
import time
import types
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import owlready2
import owlready2.driver
import owlready2.reasoning
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, XSD
from rdflib.term import URIRef

from .backend import Triple
from .backend.store import Store
from .backend.writers import write
from .errors import DataSyntaxError, ReasonerFailedError, ReasonerUnavailableError
from .resources import DATA_DIR, ONTOLOGY_FILE, TERMS_NS

__all__ = ["InconsistencyCause", "OWL2_DATATYPES", "ReasoningReport", "reason"]

#: The datatypes of the OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus
#: ``rdf:langString``, the RDF 1.1 type of language-tagged strings. HermiT accepts only these.
OWL2_DATATYPES: frozenset[str] = frozenset(
    [str(RDF.PlainLiteral), str(RDF.XMLLiteral), str(RDF.langString), str(RDFS.Literal)]
    + [str(OWL.real), str(OWL.rational)]
    + [
        str(XSD[name])
        for name in (
            "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger "
            "negativeInteger long int short byte unsignedLong unsignedInt unsignedShort "
            "unsignedByte double float string normalizedString token language Name NCName "
            "NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
        ).split()
    ]
)

#: The datatypes whose literals owlready2 converts to Python ``int`` and ``float`` when reading.
_OWLREADY_INTS: frozenset[str] = frozenset(owlready2.driver.INT_DATATYPES)
_OWLREADY_FLOATS: frozenset[str] = frozenset(owlready2.driver.FLOAT_DATATYPES)

_RDF_TYPE = str(RDF.type)
_OWL_THING = str(OWL.Thing)
_OWL_NOTHING = str(OWL.Nothing)
#: Vocabularies whose terms are not domain classes: ``x rdf:type owl:Class`` is no class assertion.
_BUILTIN_NAMESPACES = (str(OWL), str(RDF), str(RDFS), str(XSD))
#: Annotation properties OWL 2 builds in; literals on annotations are not reasoned over.
_BUILTIN_ANNOTATIONS = frozenset(
    str(p)
    for p in (
        RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy,
        OWL.versionInfo, OWL.deprecated, OWL.priorVersion, OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    )
)  # fmt: skip
#: Triples dropped before owlready2 reads the graph: both would make it leave this process
#: (fetch an imported ontology from the web, import a Python module named by the data).
_DROPPED_PREDICATES = frozenset(
    [
        str(OWL.imports),
        "http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module",
    ]
)

_PREFIXES = {
    "ald:": TERMS_NS,
    "owl:": str(OWL),
    "rdf:": str(RDF),
    "rdfs:": str(RDFS),
    "xsd:": str(XSD),
    "org:": "http://www.w3.org/ns/org#",
    "foaf:": "http://xmlns.com/foaf/0.1/",
    "prov:": "http://www.w3.org/ns/prov#",
    "skos:": "http://www.w3.org/2004/02/skos/core#",
    "schema:": "https://schema.org/",
    "dcterms:": "http://purl.org/dc/terms/",
    "time:": "http://www.w3.org/2006/time#",
}

# owlready2's HermiT runner is global state (a module-level temp-file factory we redirect, the
# ``java`` on PATH); one run at a time also caps the JVMs at one ``-Xmx`` between them.
_HERMIT_LOCK = threading.Lock()

def _entailed_types(var: str) -> str:
    """A subquery binding ``?individual`` to each class ``?{var}`` it must belong to:
    its told types, the domains and ranges of the properties it uses, and their
    superclasses."""
    return f"""
    SELECT DISTINCT ?individual ?{var} WHERE {{
      {{ ?individual rdf:type ?told }}
      UNION {{ ?individual ?p ?value . ?p rdfs:subPropertyOf*/rdfs:domain ?told }}
      UNION {{ ?subject ?p ?individual . ?p rdfs:subPropertyOf*/rdfs:range ?told .
              ?p rdf:type owl:ObjectProperty }}
      ?told rdfs:subClassOf* ?{var} .
      FILTER (isIRI(?individual) && isIRI(?{var}))
    }}"""


_CLASH_QUERY = f"""
PREFIX owl:  <http://www.w3.org/2002/07/owl#>
PREFIX rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?individual ?a ?b WHERE {{
  {{ {_entailed_types("a")}
  }}
  {{ {_entailed_types("b")}
  }}
  {{
    {{ ?a owl:disjointWith ?b }}
    UNION {{
      ?all rdf:type owl:AllDisjointClasses ; owl:members ?list .
      ?list rdf:rest*/rdf:first ?a .
      ?list rdf:rest*/rdf:first ?b .
      FILTER (?a != ?b)
    }}
  }}
}}
"""


@dataclass(frozen=True, order=True)
class InconsistencyCause:
    """An individual that makes the input inconsistent, and why."""

    individual: str
    explanation: str

    def to_text(self) -> str:
        return f"{self.individual} {self.explanation}"


@dataclass
class ReasoningReport:
    """What HermiT concluded about the ontology and data.

    ``inferred`` holds the entailed class assertions (individual IRI, class IRI) that the input
    does not state; ``inferred_types`` is their number. ``ignored_datatypes`` counts, per datatype
    IRI, the literals outside the OWL 2 datatype map that HermiT was told to ignore.
    """

    consistent: bool
    unsatisfiable_classes: list[str] = field(default_factory=list)
    inferred_types: int = 0
    ignored_datatypes: dict[str, int] = field(default_factory=dict)
    inferred: set[tuple[str, str]] = field(default_factory=set, repr=False)
    #: Direct (most specific) types HermiT found that the input does not assert.
    new_direct_types: int = 0
    #: Why the input is inconsistent: HermiT's verdict, and the individuals found to cause it.
    inconsistency: str | None = None
    causes: list[InconsistencyCause] = field(default_factory=list)
    #: Triples handed to HermiT, and how long the reasoning took (seconds, Java included).
    triples: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def ignored_literals(self) -> int:
        return sum(self.ignored_datatypes.values())

    def ignored_datatypes_line(self) -> str:
        if not self.ignored_datatypes:
            return (
                "HermiT was told to ignore unsupported datatypes; "
                "the input has no literal outside the OWL 2 datatype map"
            )
        counts = ", ".join(
            f"{_curie(iri)} ({n})" for iri, n in sorted(self.ignored_datatypes.items())
        )
        return (
            f"HermiT was told to ignore unsupported datatypes: {counts}; "
            f"{self.ignored_literals} literals in all, which HermiT reads as opaque values "
            "(it knows a value is there, but cannot compare or range-check it)"
        )

    def to_text(self) -> str:
        lines = [f"Reasoner: HermiT via owlready2, {self.triples} triples, {self.seconds:.1f} s"]
        if self.consistent:
            lines.append("Consistent: yes")
        else:
            lines.append(f"Consistent: no - {self.inconsistency or 'HermiT gave no reason'}")
            lines.extend(f"  {cause.to_text()}" for cause in self.causes)
        if not self.consistent:
            lines.append("Unsatisfiable classes: not computed (the input is inconsistent)")
        elif self.unsatisfiable_classes:
            lines.append(f"Unsatisfiable classes: {len(self.unsatisfiable_classes)}")
            lines.extend(f"  {_curie(iri)}" for iri in self.unsatisfiable_classes)
        else:
            lines.append("Unsatisfiable classes: none")
        if self.consistent:
            lines.append(
                f"Inferred class assertions: {self.inferred_types} "
                f"(of which new direct types: {self.new_direct_types})"
            )
        lines.append(self.ignored_datatypes_line())
        lines.extend(self.notes)
        return "\n".join(lines)

    def to_json(self) -> str:
        return json.dumps(
            {
                "consistent": self.consistent,
                "unsatisfiable_classes": self.unsatisfiable_classes,
                "inferred_types": self.inferred_types,
                "new_direct_types": self.new_direct_types,
                "ignored_datatypes": dict(sorted(self.ignored_datatypes.items())),
                "ignored_literals": self.ignored_literals,
                "inconsistency": self.inconsistency,
                "causes": [
                    {"individual": c.individual, "explanation": c.explanation} for c in self.causes
                ],
                "inferred": [{"individual": i, "class": c} for i, c in sorted(self.inferred)],
                "triples": self.triples,
                "seconds": round(self.seconds, 3),
                "notes": self.notes,
            },
            indent=2,
            ensure_ascii=False,
        )


def reason(data: Sequence[Path] | None = None, ontology: Path = ONTOLOGY_FILE) -> ReasoningReport:
    """Run HermiT over ``ontology`` plus ``data`` (files or folders; default: the shipped data).

    An empty ``data`` reasons over the ontology alone. Unparseable or missing input raises the
    store's :class:`~alliance_ld.errors.DataSyntaxError` or
    :class:`~alliance_ld.errors.MissingInputError`; a missing Java raises
    :class:`~alliance_ld.errors.ReasonerUnavailableError`; an inconsistent input is no error but a
    report with ``consistent=False``.
    """
    store = Store()
    store.load_paths([ontology, *(data if data is not None else [DATA_DIR])])
    _check_owlready_can_read(store)
    triples, dropped = _reasoner_input(store)
    report = ReasoningReport(
        consistent=True, ignored_datatypes=_unsupported_literals(triples), triples=len(triples)
    )
    if dropped:
        report.notes.append(
            f"Ignored {dropped} owl:imports triple(s): imported ontologies are not fetched"
        )
    java = shutil.which(owlready2.JAVA_EXE)
    if java is None:
        raise ReasonerUnavailableError(
            f"cannot run the HermiT reasoner: Java ({owlready2.JAVA_EXE!r}) is not on PATH; "
            "install a Java runtime (11 or newer), e.g. `apt-get install default-jre-headless`"
        )

    with tempfile.TemporaryDirectory(prefix="alliance-ld-reasoning-") as tmp:
        folder = Path(tmp)
        source = folder / "input.nt"
        source.write_bytes(write(triples, "application/n-triples"))
        world = owlready2.World()
        try:
            try:
                with source.open("rb") as fileobj:
                    world.get_ontology(source.as_uri()).load(fileobj=fileobj, format="ntriples")
            except owlready2.OwlReadyOntologyParsingError as exc:
                cause = f": {exc.__cause__}" if exc.__cause__ else ""
                raise ReasonerFailedError(f"owlready2 could not read the input{cause}") from exc
            started = time.perf_counter()
            try:
                with _HERMIT_LOCK, _owlready_tempdir(folder):
                    owlready2.sync_reasoner_hermit(
                        world,
                        infer_property_values=False,
                        debug=0,
                        ignore_unsupported_datatypes=True,
                    )
            except owlready2.OwlReadyInconsistentOntologyError:
                report.consistent = False
            except owlready2.OwlReadyJavaError as exc:
                raise _java_error(str(exc)) from exc
            except OSError as exc:  # java vanished, or is not executable
                raise ReasonerUnavailableError(
                    f"cannot run the HermiT reasoner: {java}: {exc.strerror or exc}"
                ) from exc
            report.seconds = time.perf_counter() - started
            if report.consistent:
                _read_conclusions(world, triples, report)
        finally:
            world.close()

    if not report.consistent:
        report.causes = _disjointness_clashes(store) + _ill_typed_literals(triples)
        report.inconsistency = "HermiT found the ontology and data inconsistent" + (
            f"; {len(report.causes)} cause(s) found:"
            if report.causes
            else "; no individual is typed with two disjoint classes and no literal is ill-typed,"
            " so the cause lies in other axioms (an OWL explanation tool, such as Protégé's,"
            " can find it)"
        )
    return report


# ---------------------------------------------------------------------------


def _reasoner_input(store: Store) -> tuple[set[Triple], int]:
    """The union of all named graphs as triples, without the ones that would leave the process."""
    triples: set[Triple] = set()
    dropped: set[Triple] = set()
    for s, p, o, _ in store.neutral_quads():
        (dropped if str(p) in _DROPPED_PREDICATES else triples).add((s, p, o))
    imports = sum(1 for t in dropped if str(t[1]) == str(OWL.imports))
    return triples, imports


def _datatype(literal: rdflib.Literal) -> str:
    if literal.datatype is not None:
        return str(literal.datatype)
    return str(RDF.langString) if literal.language else str(XSD.string)


def _unsupported_literals(triples: set[Triple]) -> dict[str, int]:
    """Count, per datatype, the literals outside the OWL 2 datatype map.

    Literals on annotation properties are left out: HermiT does not look at annotations.
    """
    annotation_properties = set(_BUILTIN_ANNOTATIONS) | {
        str(s)
        for s, p, o in triples
        if str(p) == _RDF_TYPE and isinstance(o, URIRef)
        and str(o) == str(OWL.AnnotationProperty) and isinstance(s, URIRef)
    }
    counts: Counter[str] = Counter()
    for _, p, o in triples:
        if isinstance(o, rdflib.Literal) and str(p) not in annotation_properties:
            datatype = _datatype(o)
            if datatype not in OWL2_DATATYPES:
                counts[datatype] += 1
    return dict(sorted(counts.items()))


def _asserted_types(triples: set[Triple]) -> set[tuple[str, str]]:
    return {
        (str(s), str(o))
        for s, p, o in triples
        if str(p) == _RDF_TYPE and isinstance(s, URIRef) and isinstance(o, URIRef)
        and not str(o).startswith(_BUILTIN_NAMESPACES)
    }


def _read_conclusions(world: Any, triples: set[Triple], report: ReasoningReport) -> None:
    """Fill in unsatisfiable classes and entailed class assertions from the reasoned world."""
    report.unsatisfiable_classes = sorted(
        {c.iri for c in world.inconsistent_classes() if c.iri != _OWL_NOTHING}
    )
    asserted = _asserted_types(triples)
    direct: set[tuple[str, str]] = set()
    entailed: set[tuple[str, str]] = set()
    for individual in _individuals(world, {i for i, _ in asserted}):
        for cls in individual.is_a:
            if not isinstance(cls, owlready2.ThingClass):
                continue  # a restriction or other class expression
            direct.add((individual.iri, cls.iri))
            for ancestor in cls.ancestors():
                if isinstance(ancestor, owlready2.ThingClass) and ancestor.iri != _OWL_THING:
                    entailed.add((individual.iri, ancestor.iri))
    report.inferred = entailed - asserted
    report.inferred_types = len(report.inferred)
    report.new_direct_types = len(direct - asserted)


def _individuals(world: Any, asserted: set[str]) -> Iterator[Any]:
    """Every named individual of the world: typed in the input, or typed by HermiT."""
    iris = set(asserted)
    for (subject,) in world.sparql("SELECT DISTINCT ?s WHERE { ?s a ?c . ?c a owl:Class . }"):
        iri = getattr(subject, "iri", None)
        if iri:
            iris.add(iri)
    for iri in sorted(iris):
        entity = world[iri]
        if isinstance(entity, owlready2.Thing):  # not a class or property (punning)
            yield entity


def _disjointness_clashes(store: Store) -> list[InconsistencyCause]:
    """Individuals whose told types include two classes declared disjoint."""
    clashes = set()
    for row in store.backend().select(_CLASH_QUERY):
        a, b = sorted((str(row["a"]), str(row["b"])))
        explanation = f"is an {_curie(a)} and an {_curie(b)}, which are disjoint"
        clashes.add(InconsistencyCause(str(row["individual"]), explanation))
    return sorted(clashes)


def _ill_typed_literals(triples: set[Triple]) -> list[InconsistencyCause]:
    """Literals of OWL 2 datatypes whose lexical form is not in the datatype's lexical space.

    OWL 2 gives such a literal no value, so a data property assertion using it is unsatisfiable;
    HermiT reports the whole input inconsistent. rdflib knows the lexical spaces.
    """
    causes = set()
    quiet = logging.getLogger("rdflib.term")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL)  # rdflib logs a traceback per ill-typed literal
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for subject, predicate, literal in triples:
                if not isinstance(literal, rdflib.Literal) or not isinstance(subject, URIRef):
                    continue
                datatype = _datatype(literal)
                if datatype not in OWL2_DATATYPES or datatype == str(XSD.string):
                    continue
                if rdflib.Literal(str(literal), datatype=datatype).ill_typed:
                    causes.add(
                        InconsistencyCause(
                            str(subject),
                            f"has {_curie(str(predicate))} {_literal_text(literal)}, "
                            f"which is not a valid {_curie(datatype)}",
                        )
                    )
    finally:
        quiet.setLevel(level)
    return sorted(causes)


def _check_owlready_can_read(store: Store) -> None:
    """Fail clearly on numeric literals that owlready2's N-Triples reader cannot convert.

    owlready2 turns integer and decimal literals into Python numbers while it reads, and stops
    with an unhelpful parse error on one it cannot convert (``"many"^^xsd:integer``).
    """
    for subject, predicate, literal, graph in store.neutral_quads():
        if not isinstance(literal, rdflib.Literal):
            continue
        datatype = _datatype(literal)
        if datatype in _OWLREADY_INTS:
            convert: type[int] | type[float] = int
        elif datatype in _OWLREADY_FLOATS:
            convert = float
        else:
            continue
        try:
            convert(str(literal))
        except ValueError:
            path = store.files.get(graph) if graph is not None else None
            where = str(subject) if isinstance(subject, URIRef) else "a blank node"
            message = (
                f"ill-typed literal {_literal_text(literal)} (object of "
                f"{_curie(str(predicate))} on {where}): not a valid {_curie(datatype)}"
            )
            line = _find_line(path, str(literal)) if path else None
            raise DataSyntaxError(path or "input", message, line) from None


def _find_line(path: Path, lexical: str) -> int | None:
    """The line of ``path`` where ``lexical`` first appears as a quoted string, if it does."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if f'"{lexical}"' in line or f"'{lexical}'" in line:
            return number
    return None


def _literal_text(literal: rdflib.Literal) -> str:
    return f'"{literal}"^^{_curie(_datatype(literal))}'


@contextmanager
def _owlready_tempdir(folder: Path) -> Iterator[None]:
    """Make owlready2 write its N-Triples dump for HermiT into ``folder``.

    ``sync_reasoner_hermit`` deletes that dump only when HermiT succeeds; on an inconsistent
    input it would be left in the system temp folder. Redirected here, it goes away with our
    temporary folder. Callers hold ``_HERMIT_LOCK``.
    """
    module: Any = owlready2.reasoning
    original = module.tempfile
    module.tempfile = types.SimpleNamespace(
        NamedTemporaryFile=functools.partial(tempfile.NamedTemporaryFile, dir=folder)
    )
    try:
        yield
    finally:
        module.tempfile = original


def _java_error(output: str) -> ReasonerUnavailableError | ReasonerFailedError:
    """Turn owlready2's Java error into a one-line user-facing error."""
    text = output.removeprefix("Java error message is:").strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.startswith("Exception in thread"):
            # HermiT started and then stopped: name the exception and give its message.
            thrown = line.split(" ", 4)[-1]  # drop 'Exception in thread "main"'
            name, _, message = thrown.partition(": ")
            parts = [f"{name.rsplit('.', 1)[-1]}: {message}" if message else name]
            parts.extend(more for more in _until_stack(lines[index + 1 :]))
            return ReasonerFailedError("HermiT stopped with an error: " + " ".join(parts))
    first = lines[0] if lines else "no output"
    return ReasonerUnavailableError(f"cannot run the HermiT reasoner: Java failed: {first}")


def _until_stack(lines: list[str]) -> Iterator[str]:
    for line in lines:
        if line.startswith("at "):
            return
        yield line


def _curie(iri: str) -> str:
    for prefix, namespace in _PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + iri[len(namespace) :]
    return f"<{iri}>"
