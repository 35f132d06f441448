"""Seeded synthetic data in the alliance-ld vocabulary that conforms to our SHACL shapes.

The graph uses the terms of ``ontology/alliance.ttl`` and the nine regions of the
controlled vocabulary (``shapes/vocabularies.ttl``). Everything under
``https://w3id.org/alliance-ld/id/`` has an English label and a ``dcterms:source``
(one synthetic ``ald:SourceDocument``), so ``alliance-ld load --store`` and
``alliance-ld validate`` accept it without a violation or a warning, and
validation checks every node as it would on real data.

What is in it, sized from the triple budget:

* the region scheme and its nine regions; one source document;
* nations (``skos:exactMatch`` to an ``example.org`` IRI, so the recommendation holds);
* alliances, each with an ``ald:region`` and founded on its own ``ald:Treaty``
  (signed in 1948, in force 1949-01-01, with every member nation as a party);
  every alliance has at least two members;
* then, in a fixed rotation until the budget is spent: ``ald:Membership`` nodes
  (``org:member``, ``org:organization``, ``ald:startDate`` from 1949, sometimes
  ``ald:endDate``; each date with its event, ``ald:startEvent ald:AccessionDeposit``
  and ``ald:accessionDepositedOn``, ``ald:endEvent ald:Withdrawal`` and
  ``ald:withdrawnOn``, and an ``org:memberDuring`` interval between their calendar
  instants; a repeated nation/alliance pair always has an end date, so at
  most one membership of a pair is open), exercises (``ald:conductedUnder``,
  ``ald:ledBy``, ``ald:region``, ``ald:startDate``, 3–8 ``ald:participant``\\ s),
  exercise participations and troop contributions with an ``ald:personnelCount``;
* last, the calendar: one ``time:Instant`` per date written (as data/calendar.ttl,
  by ``scripts/make_calendar.py``), counted in the budget as each date first appears.

The same seed and size always give byte-identical Turtle. ``bench/engines.py`` and
``bench/server.py`` both use :func:`generate`.

    .venv/bin/python bench/generate.py --size 100000 --out /tmp/ald-100k   # writes synthetic.ttl
    .venv/bin/python bench/generate.py --size 10000 --format nt --out DIR  # N-Triples instead
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import make_calendar  # noqa: E402  (the calendar entries of data/calendar.ttl)

ID = "https://w3id.org/alliance-ld/id/"
ALD = "https://w3id.org/alliance-ld/ontology#"
ORG = "http://www.w3.org/ns/org#"

#: (IRI slug, English label): the regions of the controlled vocabulary, as data/vocabularies.ttl.
REGIONS = [
    ("europe", "Europe"),
    ("north-america", "North America"),
    ("euro-atlantic", "Euro-Atlantic region"),
    ("arctic", "Arctic"),
    ("mediterranean", "Mediterranean region"),
    ("indo-pacific", "Indo-Pacific"),
    ("pacific", "Pacific"),
    ("middle-east", "Middle East"),
    ("africa", "Africa"),
]

PREFIXES = f"""\
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <https://schema.org/> .
@prefix time: <http://www.w3.org/2006/time#> .
@prefix org: <{ORG}> .
@prefix ald: <{ALD}> .
@prefix vocab: <{ID}vocabulary/> .
@prefix source: <{ID}source/> .
@prefix region: <{ID}region/> .
@prefix nation: <{ID}nation/> .
@prefix alliance: <{ID}alliance/> .
@prefix treaty: <{ID}treaty/> .
@prefix membership: <{ID}membership/> .
@prefix exercise: <{ID}exercise/> .
@prefix contribution: <{ID}contribution/> .
@prefix instant: <{make_calendar.INSTANT_NS}> .

"""

FIRST_DAY = date(1949, 1, 1)
LAST_DAY = date(2024, 12, 31)
SOURCE = "dcterms:source source:synthetic"
#: Triples of one calendar entry (make_calendar.entry): type, label, date, precision, bounds, source
INSTANT_TRIPLES = 7


@dataclass
class Dataset:
    """A generated graph: its Turtle text, its triple count and how many of each entity."""

    turtle: bytes
    triples: int
    counts: dict[str, int] = field(default_factory=dict)

    def ntriples(self) -> bytes:
        """The same graph as N-Triples (parsed and written by pyoxigraph)."""
        import pyoxigraph as ox

        return ox.serialize(ox.parse(self.turtle, format=ox.RdfFormat.TURTLE),
                            format=ox.RdfFormat.N_TRIPLES) or b""


def _random_date(rng: random.Random, after: date = FIRST_DAY) -> date:
    return after + timedelta(days=rng.randint(0, max((LAST_DAY - after).days, 0)))


def generate(target: int, seed: int = 42) -> Dataset:
    """A deterministic, shape-conforming graph of ``target`` triples or a few more."""
    rng = random.Random(seed)
    head: list[str] = []  # regions, nations, alliances: written first
    body: list[str] = []  # memberships, exercises, contributions
    triples = 0
    days: set[str] = set()  # every date written: each gets its calendar entry (time:Instant)

    def day(d: date) -> str:
        """The ISO form of ``d``, counting its calendar entry the first time it is written."""
        nonlocal triples
        iso = d.isoformat()
        if iso not in days:
            days.add(iso)
            triples += INSTANT_TRIPLES
        return iso

    def lit(iso: str) -> str:
        return f'"{iso}"^^xsd:date'

    def emit(out: list[str], parts: list[str], objects: int = 0) -> None:
        """One statement; ``objects`` counts the extra triples of comma-separated object lists."""
        nonlocal triples
        out.append(" ; ".join(parts) + " .")
        triples += len(parts) + objects

    emit(head, ["source:synthetic a ald:SourceDocument", 'rdfs:label "Synthetic benchmark data"@en',
                'schema:url "https://example.org/alliance-ld/synthetic"^^xsd:anyURI',
                'schema:publisher "alliance-ld benchmark generator"',
                f"ald:accessedOn {lit(day(LAST_DAY))}"])
    emit(head, ["vocab:regions a skos:ConceptScheme", 'rdfs:label "Regions"@en', SOURCE])
    for slug, label in REGIONS:
        emit(head, [f"region:{slug} a ald:Region", f'rdfs:label "{label}"@en',
                    f'skos:prefLabel "{label}"@en', "skos:inScheme vocab:regions", SOURCE])

    n_nations = max(12, target // 300)
    home: list[int] = []  # a nation's home region: not emitted, biases its memberships
    for i in range(n_nations):
        home.append(rng.randrange(len(REGIONS)))
        emit(head, [f"nation:n{i} a ald:Nation", f'rdfs:label "Nation {i}"@en',
                    f'skos:altLabel "N{i:04d}"@en',
                    f"skos:exactMatch <https://example.org/nation/n{i}>", SOURCE])

    n_alliances = max(len(REGIONS), target // 2000)
    by_region: dict[int, list[int]] = {r: [] for r in range(len(REGIONS))}
    alliance_region: list[int] = []
    for i in range(n_alliances):
        region = i % len(REGIONS)
        alliance_region.append(region)
        by_region[region].append(i)
        emit(head, [f"alliance:a{i} a ald:Alliance", f'rdfs:label "Alliance {i}"@en',
                    f'skos:altLabel "A{i}"@en', f"ald:region region:{REGIONS[region][0]}",
                    f"ald:foundedOn treaty:t{i}", SOURCE])
    # The treaties are written last, with their parties; their fixed triples count now.
    triples += n_alliances * 5

    parties: list[list[int]] = [[] for _ in range(n_alliances)]  # in order of joining
    pairs: set[tuple[int, int]] = set()
    counts = {"memberships": 0, "repeated_memberships": 0, "exercises": 0,
              "participations": 0, "troop_contributions": 0}

    def membership(nation: int, alliance: int) -> None:
        nonlocal triples
        i = counts["memberships"]
        start = _random_date(rng)
        began = day(start)
        parts = [f"membership:m{i} a ald:Membership", f'rdfs:label "Membership {i}"@en',
                 f"org:member nation:n{nation}", f"org:organization alliance:a{alliance}",
                 f"ald:startDate {lit(began)}", "ald:startEvent ald:AccessionDeposit",
                 f"ald:accessionDepositedOn {lit(began)}", SOURCE]
        interval = f"a time:Interval ; time:hasBeginning instant:{began}"
        repeated = (nation, alliance) in pairs
        if repeated or rng.random() < 0.2:  # at most one open membership per pair
            ended = day(_random_date(rng, start))
            parts += [f"ald:endDate {lit(ended)}", "ald:endEvent ald:Withdrawal",
                      f"ald:withdrawnOn {lit(ended)}"]
            interval += f" ; time:hasEnd instant:{ended}"
        # org:memberDuring and the interval's type and bounds: one triple more per bound.
        parts.append(f"org:memberDuring [ {interval} ]")
        if repeated:
            counts["repeated_memberships"] += 1
        else:
            pairs.add((nation, alliance))
            parties[alliance].append(nation)
            triples += 1  # the treaty's ald:hasParty
        emit(body, parts, objects=interval.count(" ; ") + 1)
        counts["memberships"] += 1

    for alliance in range(n_alliances):  # every alliance has two members at least
        first, second = rng.sample(range(n_nations), 2)
        membership(first, alliance)
        membership(second, alliance)

    exercises: list[tuple[int, list[int]]] = []  # (alliance, participants) per exercise
    rotation = ("exercise", "membership", "participation", "membership", "troops", "participation")
    step = 0
    while triples < target:
        kind = rotation[step % len(rotation)]
        step += 1
        if kind == "membership":
            nation = rng.randrange(n_nations)
            for _ in range(10):  # prefer a new pair; a repeated one gets an end date
                if rng.random() < 0.6:  # most nations join alliances of their own region
                    alliance = rng.choice(by_region[home[nation]])
                else:
                    alliance = rng.randrange(n_alliances)
                if (nation, alliance) not in pairs:
                    break
            membership(nation, alliance)
        elif kind == "exercise":
            i = counts["exercises"]
            alliance = rng.randrange(n_alliances)
            who = rng.sample(range(n_nations), rng.randint(3, 8))
            exercises.append((alliance, who))
            emit(body, [f"exercise:e{i} a ald:Exercise", f'rdfs:label "Exercise {i}"@en',
                        f"ald:conductedUnder alliance:a{alliance}", f"ald:ledBy nation:n{who[0]}",
                        f"ald:region region:{REGIONS[alliance_region[alliance]][0]}",
                        f"ald:startDate {lit(day(_random_date(rng)))}",
                        "ald:participant " + ", ".join(f"nation:n{n}" for n in who), SOURCE],
                 objects=len(who) - 1)
            counts["exercises"] += 1
        elif kind == "participation":
            i = counts["participations"] + counts["troop_contributions"]
            ex = rng.randrange(len(exercises))
            alliance, who = exercises[ex]
            emit(body, [f"contribution:c{i} a ald:ExerciseParticipation",
                        f'rdfs:label "Contribution {i}"@en',
                        f"ald:contributor nation:n{rng.choice(who)}",
                        f"ald:recipient alliance:a{alliance}", f"ald:inExercise exercise:e{ex}",
                        SOURCE])
            counts["participations"] += 1
        else:
            i = counts["participations"] + counts["troop_contributions"]
            alliance = rng.randrange(n_alliances)
            emit(body, [f"contribution:c{i} a ald:TroopContribution",
                        f'rdfs:label "Contribution {i}"@en',
                        f"ald:contributor nation:n{rng.randrange(n_nations)}",
                        f"ald:recipient alliance:a{alliance}",
                        f"ald:region region:{REGIONS[alliance_region[alliance]][0]}",
                        f'ald:personnelCount "{rng.randint(10, 5000)}"^^xsd:integer',
                        "ald:countQualifier ald:Exactly", SOURCE])
            counts["troop_contributions"] += 1

    for i in range(n_alliances):
        signed = date(1948, 1, 1) + timedelta(days=rng.randrange(366))
        head.append(" ; ".join([
            f"treaty:t{i} a ald:Treaty", f'rdfs:label "Treaty {i}"@en',
            f"ald:signedOn {lit(day(signed))}", f"ald:enteredIntoForceOn {lit(day(FIRST_DAY))}",
            "ald:hasParty " + ", ".join(f"nation:n{n}" for n in parties[i]), SOURCE]) + " .")

    counts = {"regions": len(REGIONS), "nations": n_nations, "alliances": n_alliances, **counts,
              "instants": len(days)}
    calendar = make_calendar.render({(iso, make_calendar.XSD.date) for iso in days},
                                    "source:synthetic")
    text = PREFIXES + "\n".join(head + body) + "\n\n" + calendar
    return Dataset(text.encode("utf-8"), triples, counts)


def write(data: Dataset, folder: Path, fmt: str = "ttl", name: str = "synthetic") -> Path:
    """Write ``data`` into ``folder`` (made if missing) as ``NAME.ttl`` or ``NAME.nt``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.{fmt}"
    path.write_bytes(data.turtle if fmt == "ttl" else data.ntriples())
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000, help="target triples (default 10000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument("--format", choices=["ttl", "nt"], default="ttl",
                        help="Turtle (default) or N-Triples")
    parser.add_argument("--out", type=Path, required=True, help="folder to write synthetic.FORMAT")
    args = parser.parse_args(argv)
    data = generate(args.size, args.seed)
    path = write(data, args.out, args.format)
    print(f"{path}: {data.triples:,} triples; "
          + ", ".join(f"{k} {v:,}" for k, v in data.counts.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
