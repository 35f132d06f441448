"""Search by label: the resources whose ``rdfs:label``, ``skos:prefLabel`` or
``skos:altLabel`` match a few words.

Matching compares words only, ignoring case, accents and punctuation ("turkiye"
finds *Türkiye*, "us japan" and "U.S.-Japan" find *U.S.–Japan*). A label matches
when the query is a substring of it, or when every word of the query begins a
word of it; the best match of a resource's labels decides its rank:

====  ==================  =============================================
rank  name                when
====  ==================  =============================================
0     ``exact``           the label is the query
1     ``prefix``          the label starts with the query
2     ``word``            a word of the label starts with the query
3     ``substring``       the query occurs inside a word of the label
4     ``words``           every query word begins a word of the label
====  ==================  =============================================

Within a rank, shorter matching labels (closer matches) come first, then by
label. Only resources under the canonical base are searched (our data and
ontology terms, not the shapes). The index of labels is read through the back
end with one query, and read again when the data version changes.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass

from rdflib.namespace import RDFS, SKOS

from .errors import InputError
from .publication import Publication

MAX_QUERY_LENGTH = 200
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
RANK_NAMES = ("exact", "prefix", "word", "substring", "words")
LABEL_PROPERTIES = {str(RDFS.label): 0, str(SKOS.prefLabel): 1, str(SKOS.altLabel): 2}

_DROPPED = re.compile(r"[.'\u2018\u2019\u201b\u2032]")  # U.S. -> us, Côte d'Ivoire -> dIvoire
_SEPARATOR = re.compile(r"[^\w]+|_+")


class SearchQueryError(InputError):
    """A search query the server will not run (too long)."""


def normalise(text: str) -> str:
    """Words only: case-folded, without accents, dots or apostrophes, other punctuation
    (dashes, commas, colons, brackets) turned into single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATOR.sub(" ", _DROPPED.sub("", stripped)).strip().casefold()


@dataclass(frozen=True)
class Label:
    iri: str
    text: str
    normalised: str
    prop: int  # 0 rdfs:label, 1 skos:prefLabel, 2 skos:altLabel


@dataclass(frozen=True)
class Hit:
    iri: str  # canonical
    label: str  # the resource's label (as pages show it)
    matched: str  # the label that matched
    rank: int
    types: tuple[str, ...] = ()  # its classes (rdf:type IRIs), sorted

    @property
    def match(self) -> str:
        return RANK_NAMES[self.rank]


@dataclass(frozen=True)
class Results:
    query: str
    hits: tuple[Hit, ...]  # at most ``limit``
    total: int  # all matching resources


_LABELS = """SELECT DISTINCT ?s ?p ?l WHERE {{
  VALUES ?p {{ {props} }} ?s ?p ?l
  FILTER(isIRI(?s) && isLiteral(?l) && STRSTARTS(STR(?s), "{base}"))
}}"""


def build_index(publication: Publication) -> tuple[Label, ...]:
    """Every label of a resource under the base (English or untagged labels first)."""
    base = publication.settings.base_iri
    props = " ".join(f"<{p}>" for p in LABEL_PROPERTIES)
    seen: set[tuple[str, str]] = set()
    labels: list[Label] = []
    for row in publication.backend.select(_LABELS.format(props=props, base=base),
                                          default_graphs=publication.document_graphs):
        iri, text = str(row["s"]), str(row["l"])
        if (iri, text) in seen:
            continue
        seen.add((iri, text))
        labels.append(Label(iri, text, normalise(text), LABEL_PROPERTIES[str(row["p"])]))
    labels.sort(key=lambda label: (label.iri, label.prop, label.text))
    return tuple(labels)


def _types(publication: Publication, iris: list[str]) -> dict[str, tuple[str, ...]]:
    if not iris:
        return {}
    values = " ".join(f"<{iri}>" for iri in iris)
    found: dict[str, set[str]] = {}
    for row in publication.backend.select(
            f"SELECT ?s ?t WHERE {{ VALUES ?s {{ {values} }} ?s a ?t FILTER(isIRI(?t)) }}",
            default_graphs=publication.document_graphs):
        found.setdefault(str(row["s"]), set()).add(str(row["t"]))
    return {iri: tuple(sorted(types)) for iri, types in found.items()}


def _rank(label: str, query: str, words: list[str]) -> int | None:
    if label == query:
        return 0
    if label.startswith(query):
        return 1
    if (" " + label).find(" " + query) >= 0:
        return 2
    if query in label:
        return 3
    if len(words) > 1:
        label_words = label.split(" ")
        if all(any(w.startswith(word) for w in label_words) for word in words):
            return 4
    return None


def search(publication: Publication, query: str, limit: int = DEFAULT_LIMIT) -> Results:
    """The resources whose labels match ``query``, best first."""
    if len(query) > MAX_QUERY_LENGTH:
        raise SearchQueryError(
            f"the search query is too long ({len(query)} characters; at most "
            f"{MAX_QUERY_LENGTH} are allowed)")
    wanted = normalise(query)
    if not wanted:
        return Results(query, (), 0)
    words = wanted.split(" ")
    best: dict[str, tuple[int, int, int, str, str]] = {}
    for label in index(publication):
        rank = _rank(label.normalised, wanted, words)
        if rank is None:
            continue
        key = (rank, len(label.normalised), label.prop, label.normalised, label.text)
        if label.iri not in best or key < best[label.iri]:
            best[label.iri] = key
    ordered = sorted(best.items(), key=lambda item: (item[1], item[0]))
    shown = ordered[:limit]
    publication.labels.fetch(iri for iri, _ in shown)
    types = _types(publication, [iri for iri, _ in shown])
    hits = tuple(
        Hit(iri, publication.labels.get(iri) or text, text, key[0], types.get(iri, ()))
        for iri, key in shown
        for text in (key[4],)
    )
    return Results(query, hits, len(ordered))


# -- one index per publication --------------------------------------------------------

_indexes: dict[int, tuple[Publication, str, tuple[Label, ...]]] = {}
_lock = threading.Lock()


def index(publication: Publication) -> tuple[Label, ...]:
    """The label index of ``publication`` at its data version, built when first asked for."""
    version = publication.version
    with _lock:
        hit = _indexes.get(id(publication))
        if hit is not None and hit[0] is publication and hit[1] == version:
            return hit[2]
        built = build_index(publication)
        _indexes[id(publication)] = (publication, version, built)
        return built
