"""How to cite the dataset or one of its resources, and what search engines read of a page.

* :func:`csl` — a citation as CSL-JSON (the Citation Style Language's data format,
  which Zotero, Pandoc and citeproc read): the dataset (type ``dataset``) or one
  resource of it (type ``entry``, in the dataset), with the release version and the
  data version, so that a citation names the exact data that was read.
* :func:`bibtex` — the same as a BibTeX ``@misc`` entry (LaTeX special characters
  escaped).
* :func:`schema_org` — schema.org JSON-LD embedded in the pages: a ``Dataset`` on
  the home page; on a resource page an ``Organization`` (alliances, partnerships,
  organisations), ``Legislation`` (treaties and agreements), ``Event`` (exercises)
  or ``Country`` (nations), with its name, its page, its Wikidata match and the
  dataset it belongs to. Its ``@context`` is written out (``@vocab``), so reading it
  fetches nothing.
"""

from __future__ import annotations

import re
from typing import Any

from . import void
from .describe import Description
from .publication import Publication

ALD = "https://w3id.org/alliance-ld/ontology#"
SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
OWL_SAME = "http://www.w3.org/2002/07/owl#sameAs"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
CSL_JSON = "application/vnd.citationstyles.csl+json"
BIBTEX = "application/x-bibtex"

#: schema.org type by our class (the first that matches, in this order).
SCHEMA_TYPES = (
    ("Nation", "Country"),
    ("Treaty", "Legislation"),
    ("Agreement", "Legislation"),
    ("BinationalDefenceAgreement", "Legislation"),
    ("Exercise", "Event"),
    ("ExerciseSeries", "EventSeries"),
    ("Alliance", "Organization"),
    ("Partnership", "Organization"),
    ("InternationalOrganisation", "Organization"),
    ("MilitaryOrganisation", "Organization"),
    ("GovernmentOrganisation", "Organization"),
)


def _issued(publication: Publication) -> dict[str, list[list[int]]]:
    day = publication.last_modified
    return {"date-parts": [[day.year, day.month, day.day]]}


def csl(publication: Publication, base: str, iri: str | None = None,
        label: str | None = None, page: str | None = None) -> dict[str, Any]:
    """The CSL-JSON item for the dataset, or for the resource ``iri`` (with its page URL)."""
    note = (f"Data version {publication.content_version}. Licensed under "
            f"{void.LICENCE_NAME} ({void.LICENCE}).")
    item: dict[str, Any] = {
        "author": [{"literal": void.CREATOR}],
        "publisher": void.CREATOR,
        "version": void.VERSION,
        "issued": _issued(publication),
        "note": note,
    }
    if iri is None:
        return {"id": "alliance-ld", "type": "dataset", "title": void.TITLE, "URL": base,
                **item}
    key = "alliance-ld-" + re.sub(r"[^A-Za-z0-9]+", "-", iri[len(base):]).strip("-")
    return {"id": key, "type": "entry", "title": label or iri,
            "container-title": void.TITLE, "URL": page or iri, **item}


_TEX = str.maketrans({"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$",
                      "&": r"\&", "#": r"\#", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
                      "^": r"\textasciicircum{}"})


def _tex(text: str) -> str:
    return text.translate(_TEX)


def bibtex(item: dict[str, Any]) -> str:
    """``item`` (from :func:`csl`) as a BibTeX ``@misc`` entry."""
    year = item["issued"]["date-parts"][0][0]
    fields = [
        ("author", "{" + _tex(item["author"][0]["literal"]) + "}"),
        ("title", "{" + _tex(item["title"]) + "}"),
        *([("howpublished", "In: " + _tex(item["container-title"]))]
          if "container-title" in item else []),
        ("year", str(year)),
        ("version", _tex(item["version"])),
        ("url", item["URL"]),
        ("note", _tex(item["note"])),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{item['id']},\n{body}\n}}\n"


def schema_org(publication: Publication, base: str, page: str,
               description: Description | None = None) -> dict[str, Any] | None:
    """The schema.org description of the home page (``description`` None) or a resource
    page; ``None`` for a resource of no type schema.org has a match for."""
    dataset = {"@type": "Dataset", "@id": void.dataset_iri(base), "name": void.TITLE,
               "url": base, "version": void.VERSION, "license": void.LICENCE,
               "creator": {"@type": "Organization", "name": void.CREATOR}}
    context = {"@vocab": "https://schema.org/"}
    if description is None:
        return {"@context": context, **dataset, "description": void.DESCRIPTION,
                "citation": void.citation(base),
                "distribution": {"@type": "DataDownload", "encodingFormat": "application/gzip",
                                 "contentUrl": base + void.dump_path()}}
    types = {str(t) for t in description.values(RDF_TYPE)}
    kind = next((schema for ours, schema in SCHEMA_TYPES if ALD + ours in types), None)
    if kind is None:
        return None
    label = publication.labels.get(description.iri) or description.iri
    same = sorted(str(v) for p in (SKOS_EXACT, OWL_SAME) for v in description.values(p)
                  if str(v).startswith("http"))
    node: dict[str, Any] = {"@context": context, "@type": kind, "@id": description.iri,
                            "name": label, "url": page, "isPartOf": dataset}
    if same:
        node["sameAs"] = same
    return node
