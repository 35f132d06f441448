"""World maps drawn on the server as SVG: an organisation's members (or an agreement's
parties) as of a date, and a nation with those it shares an organisation with.

The boundaries are Natural Earth's Admin 0 countries at 1:110m (version 4.1.0, public
domain), as redistributed by the npm package ``world-atlas`` 2.0.2 (ISC licence), pinned in
``frontend/package-lock.json`` and copied at setup into ``static/vendor/world-atlas/``
(``scripts/build-frontend.sh``), so that they ship inside this package and nothing is
fetched at run time. No PyPI package kept up to date ships them: ``geopandas`` dropped its
copy in 1.0, ``cartopy`` and ``geodatasets`` download theirs on first use, and
``vega_datasets`` has no world file offline.

What each step uses:

* the projection is Equal Earth (EPSG:8857, an equal-area projection made for world maps)
  by **pyproj** (PROJ, with its database inside the wheel: no network; a 9 MB wheel, one
  call for all 8,000 points, once per process);
* the TopoJSON is decoded here, by hand: the format's decoding is a running sum over
  each arc's integer deltas, one affine transform and arcs joined end to end (reversed
  for a negative index), some twenty lines, and no maintained Python package decodes
  TopoJSON (``topojson`` on PyPI encodes it);
* the two rings that cross the antimeridian (Fiji, Chukotka) are cut on it by hand
  (:func:`_split`, a half-plane clip) rather than with a geometry library for three rings;
* the geometry is already generalised to 1:110m by Natural Earth; coordinates are rounded
  to a tenth of a pixel in a 960-pixel-wide picture, points that round to the one before
  dropped, and paths written with relative moves: that is the whole simplification, and
  it keeps the picture near 95 kB (28 kB gzipped);
* the SVG is written by hand, as the timeline's is (``alliance_ld.timeline``): it is one
  path per country, and writing it keeps the accessible names, links and the pages'
  Content-Security-Policy (presentation attributes only) under our control.

Nations are matched to shapes by ISO 3166-1 alpha-3 code: the nation's English label
through :func:`alliance_ld.tables.iso3`, the shape's numeric code through ``pycountry``.
A former state (the Soviet Union, Czechoslovakia, East Germany, Yugoslavia) has no shape,
and some small states have none at 1:110m (Malta, Singapore, ...): they are listed as not
drawn in the picture's text equivalent rather than guessed. Antarctica is left out.
The projected shapes are read and computed once per process (:func:`shapes`).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from .publication import Publication
from .relationships import Moment, Relationship, as_of, members

BOUNDARIES = (Path(__file__).resolve().parent / "static" / "vendor" / "world-atlas"
              / "countries-110m.json")
SOURCE = ("Natural Earth 1:110m Admin 0 countries (version 4.1.0, public domain), "
          "from the world-atlas package")
WIDTH = 960.0  # px, the picture's width; its height follows from the projection
LEGEND_ROW = 26  # px, one row of the legend
LEGEND = 2 * LEGEND_ROW + 16  # px below the map for the legend
ANTARCTICA = "010"
#: Shapes without an ISO 3166-1 numeric code in Natural Earth, matched by their name.
CODE_BY_NAME = {"Kosovo": "XKX"}

MEMBER = "#1f5fa8"  # the timeline's solid blue
UNCERTAIN = "#a9c4e4"  # the timeline's pale blue
HATCH = "#1f5fa8"
NATION = "#b3261e"  # the nation a nation's map is about
OTHER = "#e1e1e1"
BORDER = "#ffffff"


class BoundariesMissingError(RuntimeError):
    """The country boundaries have not been copied into the package (``make setup``)."""


@dataclass(frozen=True)
class Shape:
    """A country's boundary, projected: an SVG path in the picture's coordinates."""

    code: str  # ISO 3166-1 alpha-3, or "" for a shape without one (N. Cyprus, Somaliland)
    name: str  # Natural Earth's name
    path: str


@dataclass(frozen=True)
class Shapes:
    by_code: dict[str, Shape]
    others: tuple[Shape, ...]  # shapes without an ISO code
    height: float  # of the map, px


@dataclass(frozen=True)
class Shaded:
    """A nation to colour: ``status`` is ``certain``, ``uncertain`` or ``nation``."""

    iri: str
    label: str
    status: str
    note: str  # what the country's <title> says after its name


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """TopoJSON's quantised arcs as longitude-latitude points (the spec's section 2.1.3)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """One ring: its arcs end to end, a negative index ``~i`` being arc ``i`` reversed."""
    points: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def _half(ring: list[tuple[float, float]], keep: Callable[[float], bool]
          ) -> list[tuple[float, float]]:
    """The part of a closed ring on one side of the meridian x = 180 (Sutherland-Hodgman)."""
    out: list[tuple[float, float]] = []
    for (ax, ay), (bx, by) in zip(ring, ring[1:] + ring[:1], strict=True):
        if keep(ax):
            out.append((ax, ay))
        if keep(ax) != keep(bx) and ax != bx:
            out.append((180.0, ay + (by - ay) * (180.0 - ax) / (bx - ax)))
    return out


def _split(ring: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """A ring that crosses the antimeridian (Fiji, Chukotka), cut into its two sides.

    Natural Earth's 1:110m rings in world-atlas jump from 180 to -180 there, which would
    draw a band across the whole map; such a ring is unwrapped past 180 and clipped on the
    meridian: a half-plane clip, written here rather than adding a geometry library for
    three rings.
    """
    if all(abs(a[0] - b[0]) <= 180 for a, b in zip(ring, ring[1:], strict=False)):
        return [ring]
    unwrapped = [(x + 360.0 if x < 0 else x, y) for x, y in ring]
    west = _half(unwrapped, lambda x: x <= 180.0)
    east = [(x - 360.0, y) for x, y in _half(unwrapped, lambda x: x >= 180.0)]
    return [part for part in (west, east) if len(part) >= 3]


def _polygons(geometry: dict[str, Any]) -> list[list[list[int]]]:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def _path(rings: list[list[tuple[float, float]]]) -> str:
    """Rings of picture coordinates as SVG path data: relative moves, tenths of a pixel."""
    out = []
    for ring in rings:
        kept: list[tuple[int, int]] = []
        for x, y in ring:
            point = (round(x * 10), round(y * 10))
            if not kept or point != kept[-1]:
                kept.append(point)
        if len(kept) > 1 and kept[0] == kept[-1]:
            kept.pop()
        if len(kept) < 3:
            continue  # an island smaller than a few tenths of a pixel
        x0, y0 = kept[0]
        steps = [f"M{_tenths(x0)} {_tenths(y0)}l"]
        for (ax, ay), (bx, by) in zip(kept, kept[1:], strict=False):
            steps.append(f"{_tenths(bx - ax)} {_tenths(by - ay)} ")
        out.append("".join(steps).rstrip() + "z")
    return "".join(out)


def _tenths(value: int) -> str:
    """``value`` tenths as the shortest decimal: 15 -> 1.5, -5 -> -.5, 20 -> 2."""
    sign = "-" if value < 0 else ""
    whole, tenth = divmod(abs(value), 10)
    if tenth == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{tenth}"


def _alpha3(numeric: str | None, name: str) -> str:
    import pycountry

    if numeric:
        country = pycountry.countries.get(numeric=numeric)
        if country is not None:
            return str(country.alpha_3)
    return CODE_BY_NAME.get(name, "")


@lru_cache(maxsize=1)
def shapes(source: Path = BOUNDARIES) -> Shapes:
    """Every country's projected boundary, read and projected once (boundaries never change)."""
    from pyproj import Transformer

    try:
        topology = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise BoundariesMissingError(
            f"{source} is missing: run `make setup` (scripts/build-frontend.sh copies the "
            "country boundaries from the world-atlas package)") from exc
    arcs = _decode_arcs(topology)
    countries = [g for g in topology["objects"]["countries"]["geometries"]
                 if g.get("id") != ANTARCTICA]
    rings = [[[part for r in polygon for part in _split(_ring(r, arcs))]
              for polygon in _polygons(g)] for g in countries]
    # One call to PROJ for all points, then back into rings.
    flat = [p for country in rings for polygon in country for ring in polygon for p in ring]
    to_equal_earth = Transformer.from_crs("EPSG:4326", "EPSG:8857", always_xy=True)
    xs, ys = to_equal_earth.transform([p[0] for p in flat], [p[1] for p in flat])
    left, right, top = min(xs), max(xs), max(ys)
    scale = WIDTH / (right - left)
    height = (top - min(ys)) * scale
    position = iter(zip(((x - left) * scale for x in xs), ((top - y) * scale for y in ys),
                        strict=True))
    by_code: dict[str, Shape] = {}
    others: list[Shape] = []
    for geometry, country in zip(countries, rings, strict=True):
        projected = [[next(position) for _ in ring] for polygon in country for ring in polygon]
        name = str(geometry.get("properties", {}).get("name", ""))
        code = _alpha3(geometry.get("id"), name)
        shape = Shape(code, name, _path(projected))
        if code:
            by_code[code] = shape
        else:
            others.append(shape)
    return Shapes(by_code, tuple(others), round(height, 1))


def available() -> bool:
    """Whether the boundaries are in the package (the pages leave the map out otherwise)."""
    return BOUNDARIES.is_file()


def _legend(y: float, nation: str | None, noun: str) -> list[str]:
    """Two columns of entries under the map, in letters large enough when it is scaled down
    to the page's column."""
    entries = ([(NATION, nation)] if nation else []) + [
        (MEMBER, noun if nation is None else "shares an organisation with it"),
        ("url(#map-hatch)", "uncertain on this date: known only to the year or month"),
        (OTHER, "neither"),
    ]
    parts = []
    for i, (fill, text) in enumerate(entries):
        x, top = 8 + (i % 2) * WIDTH * 0.6, y + (i // 2) * LEGEND_ROW
        parts.append(f'<rect x="{x:g}" y="{top:g}" width="18" height="18" fill="{fill}" '
                     f'stroke="#777" stroke-width="0.5"/>')
        parts.append(f'<text x="{x + 26:g}" y="{top + 15:g}" fill="#111" font-size="17">'
                     f"{escape(text)}</text>")
    return parts


def map_svg(shaded: list[Shaded], title: str, link: dict[str, str] | None = None,
            nation: str | None = None, noun: str = "member",
            ) -> tuple[str, list[Shaded], list[Shaded]]:
    """The SVG (as text, for inline use) of a world map with ``shaded`` coloured; and which
    of them are drawn and which are not (no shape: a former state or a small one).

    ``link`` maps a nation's IRI to the page to link its shape to; ``nation`` names the
    nation a nation's map is about (its status is ``nation``) for the legend, ``noun``
    what the others are (``member``, or ``party`` of an agreement).
    """
    from .tables import iso3

    world = shapes()
    by_code: dict[str, Shaded] = {}
    missing: list[Shaded] = []
    for s in shaded:
        code = iso3(s.label)
        if code in world.by_code and code not in by_code:
            by_code[code] = s
        elif code not in by_code:
            missing.append(s)
    drawn = sorted(by_code.values(), key=lambda s: s.label)
    missing.sort(key=lambda s: s.label)
    height = world.height + LEGEND
    uncertain = [s.label for s in drawn if s.status == "uncertain"]
    desc = (f"World map (Equal Earth projection; {SOURCE}). "
            + (f"{nation} in red; " if nation else "")
            + f"{len(drawn)} {'nation' if len(drawn) == 1 else 'nations'} drawn in blue: "
            + (", ".join(s.label for s in drawn) or "none")
            + (f"; of them uncertain on this date, hatched: {', '.join(uncertain)}"
               if uncertain else "")
            + (f". Not drawn (a former state, or too small at this scale): "
               f"{', '.join(s.label for s in missing)}" if missing else "") + ".")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="map-svg" role="img" '
        f'viewBox="0 0 {WIDTH:g} {height:g}" width="100%" '
        'aria-labelledby="map-title map-desc" font-family="sans-serif" font-size="12">',
        f'<title id="map-title">{escape(title)}</title>',
        f'<desc id="map-desc">{escape(desc)}</desc>',
        '<defs><pattern id="map-hatch" width="4" height="4" patternUnits="userSpaceOnUse" '
        f'patternTransform="rotate(45)"><rect width="4" height="4" fill="{UNCERTAIN}"/>'
        f'<rect width="1.5" height="4" fill="{HATCH}"/></pattern></defs>',
        f'<g stroke="{BORDER}" stroke-width="0.5" stroke-linejoin="round">',
    ]
    fills = {"nation": NATION, "certain": MEMBER, "uncertain": "url(#map-hatch)"}
    for code, shape in sorted(world.by_code.items()):
        found = by_code.get(code)
        if found is None:
            parts.append(f'<path data-iso="{code}" fill="{OTHER}" d="{shape.path}">'
                         f"<title>{escape(shape.name)}</title></path>")
            continue
        element = (f'<path class="map-{found.status}" data-iso="{code}" '
                   f'data-nation={quoteattr(found.iri)} fill="{fills[found.status]}" '
                   f'd="{shape.path}"><title>{escape(found.label)}: {escape(found.note)}'
                   "</title></path>")
        target = (link or {}).get(found.iri)
        parts.append(f"<a href={quoteattr(target)}>{element}</a>" if target else element)
    for shape in world.others:
        parts.append(f'<path fill="{OTHER}" d="{shape.path}">'
                     f"<title>{escape(shape.name)}</title></path>")
    parts.append("</g>")
    parts.extend(_legend(world.height + 16, nation, noun))
    parts.append("</svg>")
    return "\n".join(parts), drawn, missing


def _span(r: Relationship) -> str:
    return f"since {r.start}" + (f" until {r.end}" if r.end else "")


_UNCERTAIN_NOTE = "; uncertain on this date: the dates are known only to the year or month"


def organisation_shading(in_force: list[Relationship], noun: str = "member") -> list[Shaded]:
    """The members (or an agreement's parties) in force
    (:func:`alliance_ld.relationships.as_of`), to colour."""
    return [Shaded(r.party, r.party_label or r.party, r.status,
                   f"{noun} {_span(r)}" + (_UNCERTAIN_NOTE if r.status == "uncertain" else ""))
            for r in in_force]


def nation_shading(publication: Publication, nation: str, label: str,
                   rows: list[Relationship], moment: Moment) -> list[Shaded]:
    """``nation`` and every nation that is, at ``moment``, a member of an organisation it is
    a member of (a partner is ``uncertain`` when either membership is); ``rows`` are the
    nation's relationships (:func:`alliance_ld.relationships.relationships`)."""
    own = [r for r in as_of(rows, moment) if r.kind == "membership"]
    shared: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    certain: dict[str, bool] = {}
    for mine in own:
        name = mine.party_label or mine.party
        for theirs in as_of(members(publication, mine.party), moment):
            if theirs.party == nation:
                continue
            shared.setdefault(theirs.party, []).append(name)
            labels[theirs.party] = theirs.party_label or theirs.party
            certain[theirs.party] = certain.get(theirs.party, False) or (
                mine.status == theirs.status == "certain")
    held = ", ".join(sorted({r.party_label or r.party for r in own}))
    out = [Shaded(nation, label, "nation",
                  f"member of {held}" if held else "no membership in force")]
    for party, names in shared.items():
        status = "certain" if certain[party] else "uncertain"
        out.append(Shaded(party, labels[party], status,
                          "shares " + ", ".join(sorted(set(names)))
                          + (_UNCERTAIN_NOTE if status == "uncertain" else "")))
    return out
