"""The alliance network: nations and the alliances and partnerships that join them.

:func:`build_network` reads the memberships from the store (``?m org:organization
?rel ; org:member ?member`` where ``?rel`` is an ``ald:Alliance`` or an
``ald:Partnership``); :func:`render_svg` draws them as an accessible SVG, laid
out here without any graph library:

* two columns: the relationships on the left, their members on the right, one
  row per member, joined by curved edges;
* the rows are ordered by a few rounds of the barycentre heuristic (each side
  sorted by the mean position of its neighbours on the other side), which keeps
  the members of one relationship together and cuts edge crossings; ties are
  broken by label, so the picture is the same on every run;
* a relationship that is itself a member of another (NATO in the Partnership
  for Peace) is joined to it by a dashed arc inside the relationship column.

Alliances are circles and partnerships squares (not only told apart by colour);
every node has a ``<title>`` tooltip and links to its resource page. The page
that shows the picture lists the same pairs as text (:meth:`Network.rows`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from statistics import fmean
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from .backend import Backend
from .namespace import ALD

ALLIANCE = str(ALD.Alliance)
PARTNERSHIP = str(ALD.Partnership)
NATION = str(ALD.Nation)

#: Memberships in alliances and partnerships (and subclasses of them), with the kind
#: of relationship and, when the member is a nation, that.
MEMBERSHIPS_QUERY = """\
PREFIX ald:  <https://w3id.org/alliance-ld/ontology#>
PREFIX org:  <http://www.w3.org/ns/org#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT DISTINCT ?membership ?relationship ?kind ?member ?nation ?s0 ?e1 ?end WHERE {
  ?membership org:organization ?relationship ; org:member ?member .
  VALUES ?kind { ald:Alliance ald:Partnership }
  ?relationship a/rdfs:subClassOf* ?kind .
  FILTER(isIRI(?member))
  BIND(EXISTS { ?member a/rdfs:subClassOf* ald:Nation } AS ?nation)
  OPTIONAL { ?membership ald:startDate ?start .
             ?si time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?start ;
                 ald:earliestDate ?s0 }
  OPTIONAL { ?membership ald:endDate ?end .
             OPTIONAL { ?ei time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?end ;
                            ald:latestDate ?e1 } }
}
"""

# -- the graph -----------------------------------------------------------------------


@dataclass(frozen=True)
class Relationship:
    iri: str
    label: str
    kind: str  # ALLIANCE or PARTNERSHIP
    short: str = ""  # what the picture writes: an abbreviation of a long label, if known

    @property
    def shown(self) -> str:
        return self.short or self.label

    @property
    def kind_name(self) -> str:
        return "alliance" if self.kind == ALLIANCE else "partnership"


@dataclass(frozen=True)
class Member:
    iri: str
    label: str
    nation: bool


@dataclass(frozen=True)
class Edge:
    relationship: str
    member: str
    memberships: tuple[str, ...]


@dataclass
class Network:
    """Relationships, their members, and one edge per (relationship, member) pair."""

    relationships: dict[str, Relationship] = field(default_factory=dict)
    members: dict[str, Member] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    @property
    def nations(self) -> list[Member]:
        return [m for m in self.members.values() if m.nation]

    def members_of(self, relationship: str) -> list[str]:
        return [e.member for e in self.edges if e.relationship == relationship]

    def relationships_of(self, member: str) -> list[str]:
        return [e.relationship for e in self.edges if e.member == member]

    def rows(self) -> list[tuple[Relationship, list[Member | Relationship]]]:
        """Each relationship (alliances first, then by label) with its members by label."""
        result: list[tuple[Relationship, list[Member | Relationship]]] = []
        for rel in sorted(self.relationships.values(),
                          key=lambda r: (r.kind != ALLIANCE, r.label.casefold(), r.iri)):
            members: list[Member | Relationship] = [
                self.relationships.get(iri) or self.members[iri] for iri in self.members_of(rel.iri)
            ]
            members.sort(key=lambda m: (m.label.casefold(), m.iri))
            result.append((rel, members))
        return result


class LabelSource(Protocol):
    def get(self, iri: str, default: str | None = None) -> str | None: ...


def in_year(start_earliest: str | None, end: str | None, end_latest: str | None,
            year: int) -> bool:
    """Whether a membership may have been in force at some time in ``year``: begun by
    its last day (its start's first possible day) and not ended before its first (the
    end's last possible day). One without a start date cannot be placed: left out."""
    if start_earliest is None or start_earliest > f"{year:04d}-12-31":
        return False
    if end is None:
        return True
    return end_latest is not None and end_latest > f"{year:04d}-01-01"


def build_network(backend: Backend, labels: LabelSource, year: int | None = None) -> Network:
    """Read every membership of an alliance or partnership through the back end (with
    ``year``, those in force at some time in that year)."""
    network = Network()
    pairs: dict[tuple[str, str], list[str]] = {}
    rows = []
    for row in backend.select(MEMBERSHIPS_QUERY):
        if year is not None:
            s0, end, e1 = (None if row.get(k) is None else str(row[k])
                           for k in ("s0", "end", "e1"))
            if not in_year(s0, end, e1, year):
                continue
        rows.append((str(row["membership"]), str(row["relationship"]), str(row["kind"]),
                     str(row["member"]), _true(row["nation"])))
    fetch = getattr(labels, "fetch", None)
    if fetch is not None:  # one read for every label the picture shows
        fetch({r[1] for r in rows} | {r[3] for r in rows})
    for _, rel_iri, kind, _, _ in rows:
        known = network.relationships.get(rel_iri)
        if known is None or (known.kind != ALLIANCE and kind == ALLIANCE):
            network.relationships[rel_iri] = Relationship(rel_iri, _label(rel_iri, labels), kind)
    for membership, rel_iri, _, member_iri, is_nation in rows:
        if member_iri not in network.relationships:
            network.members[member_iri] = Member(member_iri, _label(member_iri, labels), is_nation)
        found = pairs.setdefault((rel_iri, member_iri), [])
        if membership not in found:
            found.append(membership)
    network.edges = [Edge(rel, member, tuple(sorted(ms)))
                     for (rel, member), ms in sorted(pairs.items())]
    for iri, short in _abbreviations(backend, list(network.relationships.values())).items():
        network.relationships[iri] = replace(network.relationships[iri], short=short)
    return network


#: Labels longer than this are drawn by an English abbreviation (skos:altLabel) if one is
#: shorter, and wrapped onto lines of about this length otherwise.
LONG_LABEL = 20

ALT_LABELS_QUERY = """\
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?iri ?alt WHERE {{
  VALUES ?iri {{ {iris} }}
  ?iri skos:altLabel ?alt FILTER (langMatches(lang(?alt), "en"))
}}
"""


def _abbreviations(backend: Backend, relationships: list[Relationship]) -> dict[str, str]:
    """For each relationship with a long label, its shortest shorter English altLabel."""
    long = [r for r in relationships if len(r.label) > LONG_LABEL]
    if not long:
        return {}
    labels = {r.iri: r.label for r in long}
    out: dict[str, str] = {}
    query = ALT_LABELS_QUERY.format(iris=" ".join(f"<{iri}>" for iri in labels))
    for row in backend.select(query):
        iri, alt = str(row["iri"]), str(row["alt"])
        if len(alt) < len(labels[iri]) and (len(alt), alt) < (len(out.get(iri, labels[iri])),
                                                             out.get(iri, labels[iri])):
            out[iri] = alt
    return out


def wrap(text: str, width: int = LONG_LABEL) -> list[str]:
    """``text`` broken at spaces into lines of at most ``width`` characters where it can."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def _true(value: object) -> bool:
    """An ``EXISTS`` bound in a SELECT: ``true`` as most stores write it, ``1`` as Virtuoso
    does (an integer)."""
    return str(value) in ("true", "1")


def _label(iri: str, labels: LabelSource) -> str:
    return labels.get(iri) or iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")


# -- the layout ----------------------------------------------------------------------

ROW = 22  # vertical distance between member rows
REL_GAP = 30  # least vertical distance between relationship nodes
FONT = 13
CHAR = 0.56 * FONT  # a generous average glyph width, for sizing the columns
TOP = 78  # room for the legend
MARGIN = 16
EDGE_SPAN = 220  # horizontal distance between the two columns
HUB = 5  # a member with this many lines or more gets one trunk instead of a fan
TRUNK = 30  # the trunk's length
ROUNDS = 12


@dataclass(frozen=True)
class Point:
    x: float
    y: float


@dataclass
class Layout:
    width: int
    height: int
    positions: dict[str, Point]
    order: list[str]  # relationships, top to bottom
    member_order: list[str]


def _mean_index(neighbours: list[str], index: dict[str, int], fallback: float) -> float:
    """The mean position of ``neighbours`` in ``index`` (``fallback`` if none is placed)."""
    values = [index[n] for n in neighbours if n in index]
    return fmean(values) if values else fallback


def _relationship_keys(network: Network, rel_order: list[str],
                       member_order: list[str]) -> dict[str, float]:
    """Each relationship's mean member row; one whose members are all relationships
    comes just after them."""
    member_index = {iri: i for i, iri in enumerate(member_order)}
    keys: dict[str, float] = {}
    pending: list[str] = []
    for rel in rel_order:
        rows = [member_index[m] for m in network.members_of(rel) if m in member_index]
        if rows:
            keys[rel] = fmean(rows)
        else:
            pending.append(rel)
    for rel in pending:
        placed = [keys[m] for m in network.members_of(rel) if m in keys]
        keys[rel] = fmean(placed) + 0.5 if placed else float(len(member_order))
    return keys


def layout(network: Network) -> Layout:
    """Place relationships and members in two columns (deterministic)."""
    rels = sorted(network.relationships.values(),
                  key=lambda r: (-len(network.members_of(r.iri)), r.label.casefold(), r.iri))
    rel_order = [r.iri for r in rels]
    members = sorted(network.members.values(), key=lambda m: (m.label.casefold(), m.iri))
    member_order = [m.iri for m in members]
    label_of = {**{r.iri: r.label.casefold() for r in rels},
                **{m.iri: m.label.casefold() for m in members}}

    keys: dict[str, float] = {}
    for _ in range(ROUNDS):
        rel_index = {iri: i for i, iri in enumerate(rel_order)}
        member_order.sort(key=lambda m: (
            _mean_index(network.relationships_of(m), rel_index, len(rel_order)), label_of[m], m))
        keys = _relationship_keys(network, rel_order, member_order)
        rel_order.sort(key=lambda r: (keys[r], label_of[r], r))

    rel_text = max((len(line) for r in rels for line in wrap(r.shown)),
                   default=0) * CHAR * 1.08  # bold
    member_text = max((len(m.label) for m in members), default=0) * CHAR
    rel_x = MARGIN + rel_text + 14
    member_x = rel_x + EDGE_SPAN
    width = int(member_x + 12 + member_text + MARGIN)

    positions: dict[str, Point] = {}
    for i, iri in enumerate(member_order):
        positions[iri] = Point(member_x, TOP + i * ROW)
    bottom = TOP + max(len(member_order) - 1, 0) * ROW
    most_lines = max((len(wrap(r.shown)) for r in rels), default=1)
    gap = max(REL_GAP, FONT * 1.1 * most_lines + 8)
    ys = _spread([TOP + keys[iri] * ROW for iri in rel_order], TOP, bottom, gap)
    for iri, y in zip(rel_order, ys, strict=True):
        positions[iri] = Point(rel_x, y)
    height = int(max([bottom, *ys]) + ROW + MARGIN)
    return Layout(width, height, positions, rel_order, member_order)


def _spread(desired: list[float], top: float, bottom: float,
            gap: float = REL_GAP) -> list[float]:
    """Keep the given order, move values apart by ``gap``, stay within [top, bottom]."""
    if not desired:
        return []
    bottom = max(bottom, top + gap * (len(desired) - 1))
    ys = list(desired)
    ys[0] = max(ys[0], top)
    for i in range(1, len(ys)):
        ys[i] = max(ys[i], ys[i - 1] + gap)
    ys[-1] = min(ys[-1], bottom)
    for i in range(len(ys) - 2, -1, -1):
        ys[i] = min(ys[i], ys[i + 1] - gap)
    return [round(y, 1) for y in ys]


# -- the picture ---------------------------------------------------------------------

COLOURS = {ALLIANCE: "#1f4e79", PARTNERSHIP: "#9c4a00"}
MEMBER_COLOUR = "#3b3b3b"
STYLE = """
.edge{fill:none;stroke-width:1.3;stroke-opacity:.45}
.edge.alliance{stroke:#1f4e79}.edge.partnership{stroke:#9c4a00}
.edge.nested{stroke-dasharray:5 3;stroke-opacity:.8}
.trunk{fill:none;stroke:#3b3b3b;stroke-opacity:.55;stroke-linecap:round}
.node text{font:13px sans-serif;fill:#1b1b1b}
.node.relationship text{font-weight:bold}
.node:hover text,.node:focus text{text-decoration:underline}
.legend text{font:12px sans-serif;fill:#1b1b1b}
"""


def _a(value: str) -> str:
    return quoteattr(value)


def _shape(kind: str, point: Point, size: float) -> str:
    colour = COLOURS.get(kind, MEMBER_COLOUR)
    if kind == PARTNERSHIP:
        return (f'<rect x="{point.x - size:.1f}" y="{point.y - size:.1f}" width="{2 * size:.1f}" '
                f'height="{2 * size:.1f}" fill="{colour}"/>')
    return f'<circle cx="{point.x:.1f}" cy="{point.y:.1f}" r="{size:.1f}" fill="{colour}"/>'


def _anchor(href: str | None, attributes: str) -> tuple[str, str]:
    """The opening and closing tags of a node: a link, or a plain group when it has no href."""
    if href is None:
        return f"<g {attributes}>", "</g>"
    return f"<a href={_a(href)} {attributes}>", "</a>"


def render_svg(network: Network, link: Callable[[str], str | None], *,
               title: str = "The alliance network") -> str:
    """The network as a standalone SVG document (UTF-8 text, no XML declaration).

    ``link`` maps an IRI to the href of its page, or to None when it may not be
    linked (a node is then drawn without a link). IRIs in ``data-*`` attributes are
    the stored ones; the caller rewrites them for its public base.
    """
    lay = layout(network)
    nations = network.nations
    alliances = sum(r.kind == ALLIANCE for r in network.relationships.values())
    partnerships = len(network.relationships) - alliances
    description = (
        f"{len(nations)} nations joined by {alliances} alliances and {partnerships} "
        f"partnerships through {len(network.edges)} memberships. Relationships are on the left "
        "(alliances as blue circles, partnerships as brown squares), their members on the right, "
        "one line per membership; a dashed line joins a relationship to another it is a member of; "
        f"the lines of a member of {HUB} or more meet in one thick line before it."
    )
    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {lay.width} {lay.height}" '
        f'width="{lay.width}" height="{lay.height}" role="img" '
        'aria-labelledby="network-title network-desc" class="network">',
        f'<title id="network-title">{escape(title)}</title>',
        f'<desc id="network-desc">{escape(description)}</desc>',
        f"<style>{STYLE}</style>",
        '<g class="legend">',
        _shape(ALLIANCE, Point(MARGIN + 6, 24), 6),
        f'<text x="{MARGIN + 18}" y="28">alliance</text>',
        _shape(PARTNERSHIP, Point(MARGIN + 96, 24), 5.5),
        f'<text x="{MARGIN + 108}" y="28">partnership</text>',
        _shape(NATION, Point(MARGIN + 206, 24), 4.5),
        f'<text x="{MARGIN + 218}" y="28">member nation</text>',
        f'<text x="{MARGIN}" y="50">Select a name to open its page.</text>',
        "</g>",
        '<g class="edges">',
    ]
    hubs = {iri for iri in lay.member_order if len(network.relationships_of(iri)) >= HUB}
    for edge in network.edges:
        rel = network.relationships[edge.relationship]
        start, end = lay.positions[edge.relationship], lay.positions[edge.member]
        nested = edge.member in network.relationships
        if edge.member in hubs:  # the lines meet at the trunk's end, not at the member
            end = Point(end.x - TRUNK, end.y)
        if nested:  # an arc inside the relationship column
            bulge = start.x + 40 + abs(end.y - start.y) * 0.15
            d = (f"M{start.x:.1f},{start.y:.1f} C{bulge:.1f},{start.y:.1f} "
                 f"{bulge:.1f},{end.y:.1f} {end.x:.1f},{end.y:.1f}")
        else:
            mid = (start.x + end.x) / 2
            d = (f"M{start.x:.1f},{start.y:.1f} C{mid:.1f},{start.y:.1f} "
                 f"{mid:.1f},{end.y:.1f} {end.x:.1f},{end.y:.1f}")
        member = network.relationships.get(edge.member) or network.members[edge.member]
        classes = f"edge {rel.kind_name}" + (" nested" if nested else "")
        out.append(
            f'<path class="{classes}" d="{d}" data-relationship={_a(edge.relationship)} '
            f'data-member={_a(edge.member)}><title>{escape(member.label)} in '
            f"{escape(rel.label)}</title></path>"
        )
    for iri in sorted(hubs, key=lay.member_order.index):
        point = lay.positions[iri]
        count = len(network.relationships_of(iri))
        member = network.members[iri]
        out.append(
            f'<path class="trunk" d="M{point.x - TRUNK:.1f},{point.y:.1f} H{point.x:.1f}" '
            f'stroke-width="{min(2 + count * 0.5, 9):.1f}" data-member={_a(iri)}>'
            f"<title>{escape(member.label)}: {count} memberships</title></path>"
        )
    out.append("</g>")
    out.append('<g class="nodes">')
    for iri in lay.order:
        rel = network.relationships[iri]
        point = lay.positions[iri]
        count = len(network.members_of(iri))
        size = 5.5 + min(count, 36) ** 0.5
        tip = f"{rel.label} ({rel.kind_name}, {count} member{'s' if count != 1 else ''})"
        opening, closing = _anchor(link(iri), f'class="node relationship {rel.kind_name}" '
                                        f"data-iri={_a(iri)}")
        lines = wrap(rel.shown)
        x = point.x - size - 6
        first = point.y + 4.5 - (len(lines) - 1) * FONT * 0.55
        spans = "".join(f'<tspan x="{x:.1f}" y="{first + i * FONT * 1.1:.1f}">{escape(line)}'
                        "</tspan>" for i, line in enumerate(lines))
        out.append(
            f"{opening}<title>{escape(tip)}</title>"
            f"{_shape(rel.kind, point, size)}"
            f'<text text-anchor="end" aria-label={_a(rel.label)}>{spans}</text>{closing}'
        )
    for iri in lay.member_order:
        member = network.members[iri]
        point = lay.positions[iri]
        joined = sorted(network.relationships[r].label for r in network.relationships_of(iri))
        tip = f"{member.label}: member of {', '.join(joined)}"
        kind = "nation" if member.nation else "organisation"
        opening, closing = _anchor(link(iri), f'class="node member {kind}" data-iri={_a(iri)}')
        out.append(
            f"{opening}<title>{escape(tip)}</title>"
            f'<circle cx="{point.x:.1f}" cy="{point.y:.1f}" r="4.5" fill="{MEMBER_COLOUR}"/>'
            f'<text x="{point.x + 10:.1f}" y="{point.y + 4.5:.1f}">{escape(member.label)}</text>'
            f"{closing}"
        )
    out.append("</g></svg>")
    return "\n".join(out) + "\n"
