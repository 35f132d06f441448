"""A membership timeline, drawn on the server as SVG: one bar per membership or designation.

Each bar runs from the start to the end (or to today, for one still in force). What
the written dates leave open is drawn paler: a start written as a year covers the
whole year from its first to its last day, and the bar is solid only from the
last day the start can mean. A circle marks a start and a bar's square end an end;
every bar carries a ``<title>`` (its label, dates and the events they stand for),
which browsers show on hover and screen readers read, and the picture has a
``<title>`` and ``<desc>`` of its own. The table beside it on the page is its text
equivalent.

Written by hand rather than with a plotting library: it is some rectangles, lines
and text on a year scale, and hand-written SVG keeps the accessible names, the
links to each membership and the page's Content-Security-Policy (presentation
attributes only: no ``<style>`` element, no script) under our control.
"""

from __future__ import annotations

from datetime import date
from xml.sax.saxutils import escape, quoteattr

from .relationships import Moment, Relationship

ROW = 22  # height of a row, px
LABEL = 190  # width of the label column, px
WIDTH = 760  # whole picture, px
TOP = 34  # room for the year axis
SOLID = "#1f5fa8"
PALE = "#a9c4e4"
MARK = "#0b2f57"
AS_OF = "#b3261e"


def _fraction(day: date) -> float:
    """``day`` as a year with a fraction (1999-07-02 -> 1999.5)."""
    start = date(day.year, 1, 1)
    length = (date(day.year + 1, 1, 1) - start).days
    return day.year + (day - start).days / length


def _describe(r: Relationship) -> str:
    name = r.party_label or r.party
    start = f"from {r.start}" + (f" ({r.start_event_label})" if r.start_event_label else "")
    end = (f", until {r.end}" + (f" ({r.end_event_label})" if r.end_event_label else "")
           if r.end else ", in force")
    return f"{name}: {start}{end}"


def timeline_svg(rows: list[Relationship], title: str, today: date,
                 link: dict[str, str] | None = None, moment: Moment | None = None) -> str:
    """The SVG (as text, for inline use) of ``rows`` that have dates; ``""`` when none has.

    ``link`` maps a relationship's IRI to the page to link its bar to; ``moment``
    draws a line at the date of a view as of a date.
    """
    dated = [r for r in rows if r.start_bounds is not None]
    if not dated:
        return ""
    first = min(r.start_bounds[0] for r in dated if r.start_bounds)
    last = max([today, *(r.end_bounds[1] for r in dated if r.end_bounds)])
    low, high = first.year - first.year % 10, last.year + 1
    span = max(high - low, 1)
    plot = WIDTH - LABEL - 12

    def x(day: date) -> float:
        return round(LABEL + (_fraction(day) - low) / span * plot, 1)

    height = TOP + ROW * len(dated) + 8
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline-svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        'aria-labelledby="timeline-title timeline-desc" font-family="sans-serif" '
        'font-size="12">',
        f'<title id="timeline-title">{escape(title)}</title>',
        f'<desc id="timeline-desc">{len(dated)} bars, one per membership, from '
        f'{first.isoformat()} to {last.isoformat()}; a pale part is a date known only to the '
        'year or month. The table on this page lists the same dates.</desc>',
    ]
    step = 10 if span > 30 else 5 if span > 10 else 1
    for year in range(low, high + 1, step):
        tick = x(date(year, 1, 1))
        parts.append(f'<line x1="{tick}" y1="{TOP - 6}" x2="{tick}" y2="{height - 8}" '
                     'stroke="#d0d0d0" stroke-width="1"/>')
        parts.append(f'<text x="{tick}" y="{TOP - 12}" text-anchor="middle" '
                     f'fill="#333">{year}</text>')
    for i, r in enumerate(dated):
        assert r.start_bounds is not None
        y = TOP + i * ROW
        s0, s1 = r.start_bounds
        e0, e1 = r.end_bounds if r.end_bounds else (today, today)
        label = _describe(r)
        bar = [f'<g class="timeline-bar" data-relationship={quoteattr(r.iri)}>',
               f"<title>{escape(label)}</title>",
               f'<text x="{LABEL - 8}" y="{y + 15}" text-anchor="end" fill="#111">'
               f"{escape(r.party_label or r.party)}</text>"]
        if s1 > s0:  # the start known to the year or month: pale until its last day
            bar.append(f'<rect x="{x(s0)}" y="{y + 5}" width="{max(x(s1) - x(s0), 1)}" '
                       f'height="12" fill="{PALE}"/>')
        solid_end = e0 if r.end_bounds else today
        bar.append(f'<rect x="{x(s1)}" y="{y + 5}" width="{max(x(solid_end) - x(s1), 1)}" '
                   f'height="12" fill="{SOLID}"/>')
        if r.end_bounds and e1 > e0:
            bar.append(f'<rect x="{x(e0)}" y="{y + 5}" width="{max(x(e1) - x(e0), 1)}" '
                       f'height="12" fill="{PALE}"/>')
        bar.append(f'<circle cx="{x(s0)}" cy="{y + 11}" r="4" fill="{MARK}"/>')
        if r.end_bounds:
            bar.append(f'<rect x="{x(e1) - 3}" y="{y + 3}" width="6" height="16" '
                       f'fill="{MARK}"/>')
        bar.append("</g>")
        target = (link or {}).get(r.iri)
        if target:
            bar = [f"<a href={quoteattr(target)}>", *bar, "</a>"]
        parts.extend(bar)
    if moment is not None:
        at = x(moment.first)
        parts.append(f'<line id="timeline-as-of" x1="{at}" y1="{TOP - 6}" x2="{at}" '
                     f'y2="{height - 8}" stroke="{AS_OF}" stroke-width="2"/>')
    parts.append("</svg>")
    return "\n".join(parts)
