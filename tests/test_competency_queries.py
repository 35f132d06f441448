"""Competency questions: each ``queries/cqNN-*.rq`` answers one question.

The expected answers below are written out by hand from the source article and
the public records the data cites; they are not generated from query output.
A query whose answers differ from them fails, and so does a ``cqNN`` query file
without a row in :data:`COMPETENCY_QUESTIONS` (or a row without a file).

Every query runs twice: on Oxigraph (the project's store) and on rdflib's own
SPARQL engine, so that the queries stay standard SPARQL 1.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from alliance_ld.resources import QUERIES_DIR
from alliance_ld.store import Store, load_default

XSD_ANY_URI = "http://www.w3.org/2001/XMLSchema#anyURI"


@dataclass(frozen=True)
class Question:
    number: str
    question: str
    expected: frozenset[str]
    #: What the first column holds: "iri", or "anyURI" for xsd:anyURI literals.
    kind: str = "iri"


ID = "https://w3id.org/alliance-ld/id/"

#: Signatories of the Partnership for Peace Framework Document (NATO's table),
#: by year: 1994, 1995, 1996, 1999, 2000, 2002, 2006.
PFP_BY_YEAR: dict[int, tuple[str, ...]] = {
    1994: ("romania", "lithuania", "poland", "estonia", "hungary", "ukraine", "slovakia",
           "bulgaria", "latvia", "albania", "czechia", "moldova", "georgia", "slovenia",
           "azerbaijan", "finland", "sweden", "turkmenistan", "kazakhstan", "kyrgyzstan",
           "russia", "uzbekistan", "armenia"),
    1995: ("belarus", "austria", "north-macedonia"),
    1996: ("switzerland",),
    1999: ("ireland",),
    2000: ("croatia",),
    2002: ("tajikistan",),
    2006: ("bosnia-and-herzegovina", "montenegro", "serbia"),
}
PFP_SIGNATORIES = tuple(n for names in PFP_BY_YEAR.values() for n in names)

#: State Partnership Program pairs (National Guard Bureau), as state-nation slugs.
SPP_PAIRS = (
    "illinois-poland", "michigan-latvia", "pennsylvania-lithuania", "maryland-estonia",
    "hawaii-philippines", "guam-philippines", "washington-thailand", "alaska-mongolia",
    "hawaii-indonesia", "utah-morocco", "new-york-south-africa", "north-dakota-ghana",
    "wyoming-tunisia", "california-nigeria", "north-carolina-botswana", "vermont-senegal",
    "michigan-liberia", "colorado-jordan",
    # added for issue 9, each from its own official source
    "virginia-finland", "new-york-sweden", "california-ukraine", "tennessee-bulgaria",
    "ohio-hungary", "texas-czechia", "nebraska-czechia", "vermont-north-macedonia",
    "indiana-slovakia", "minnesota-croatia", "new-jersey-albania", "kansas-armenia",
    "maryland-bosnia-and-herzegovina", "ohio-serbia", "maine-montenegro", "oregon-bangladesh",
    "oregon-vietnam", "washington-malaysia", "kentucky-djibouti", "massachusetts-kenya",
    "michigan-sierra-leone", "west-virginia-qatar",
    # added for issue 9 (second round): Europe and Central Asia, the Indo-Pacific, Africa,
    # Latin America and the Caribbean, and the Middle East
    "iowa-kosovo", "arizona-kazakhstan", "idaho-cambodia", "nevada-tonga",
    "wisconsin-papua-new-guinea", "north-dakota-benin", "north-dakota-togo", "indiana-niger",
    "district-of-columbia-burkina-faso", "nebraska-rwanda", "west-virginia-peru",
    "louisiana-belize", "missouri-panama", "kentucky-ecuador", "district-of-columbia-jamaica",
    "new-hampshire-el-salvador", "connecticut-uruguay", "massachusetts-paraguay",
    "arkansas-guatemala", "wisconsin-nicaragua", "florida-guyana",
    "delaware-trinidad-and-tobago", "rhode-island-bahamas", "new-mexico-costa-rica",
    "south-dakota-suriname", "south-carolina-colombia", "new-york-brazil", "arizona-oman",
    # third round: 2022-2024
    "vermont-austria", "north-carolina-zambia", "guam-palau", "west-virginia-gabon",
    "nevada-samoa",
    # fourth round: Haiti 2012, Cabo Verde 2022, Norway and Cyprus 2023, and Florida's
    # partnership with the Regional Security System's members, 2006
    "louisiana-haiti", "new-hampshire-cape-verde", "minnesota-norway", "new-jersey-cyprus",
    "florida-antigua-and-barbuda", "florida-barbados", "florida-dominica", "florida-grenada",
    "florida-saint-kitts-and-nevis", "florida-saint-lucia",
    "florida-saint-vincent-and-the-grenadines", "virginia-tajikistan", "colorado-slovenia",
    "montana-kyrgyzstan",
)

#: Major non-NATO ally designations dated 1996 or later, other than Jordan's and the
#: Philippines' (by statute as of 21 July 1996, or by determination of the President).
#: Dated to the day since the White House's pages of the memoranda were read: Qatar
#: 2022-03-10 (Presidential Determination No. 2022-10, 87 FR 15025), Colombia 2022-05-23
#: (No. 2022-14), Kenya 2024-06-24 (No. 2024-05); Kuwait, Morocco and Pakistan (2004),
#: Tunisia (2015) and Brazil (2019) still by the year. All start after 1990 either way.
MNNA_SINCE_1990 = (
    "australia", "egypt", "israel", "japan", "south-korea", "new-zealand", "argentina",
    "bahrain", "thailand", "kuwait", "morocco", "pakistan", "afghanistan", "tunisia",
    "brazil", "qatar", "colombia", "kenya",
)

#: Major non-NATO allies designated by statute: 22 U.S.C. 2321k(b), as of 21 July 1996.
MNNA_BY_STATUTE = ("australia", "egypt", "israel", "japan", "south-korea", "new-zealand")
#: ... and by determination or memorandum of the President under 22 U.S.C. 2321k (the
#: statute's notes with their F.R. citations, 87 FR 15025 for Qatar, and the White House's
#: pages of Presidential Determinations Nos. 2022-14 and 2024-05 and of No. 2022-24, which
#: ended Afghanistan's designation).
MNNA_BY_DETERMINATION = (
    "jordan", "argentina", "bahrain", "philippines", "thailand", "kuwait", "morocco",
    "pakistan", "afghanistan", "tunisia", "brazil", "qatar", "colombia", "kenya",
)

#: Later NATO members: years from the treaty's signature (1949) to their deposit.
NATO_YEARS_AFTER_SIGNATURE = {
    "greece": 3, "turkiye": 3, "germany": 6, "spain": 33, "czechia": 50, "hungary": 50,
    "poland": 50, "bulgaria": 55, "estonia": 55, "latvia": 55, "lithuania": 55, "romania": 55,
    "slovakia": 55, "slovenia": 55, "albania": 60, "croatia": 60, "montenegro": 68,
    "north-macedonia": 71, "finland": 74, "sweden": 75,
}

COMPETENCY_QUESTIONS = [
    Question(
        "01",
        "Which nations are members of NORAD?",
        frozenset({
            "https://w3id.org/alliance-ld/id/nation/united-states",
            "https://w3id.org/alliance-ld/id/nation/canada",
        }),
    ),
    Question(
        "02",
        "Which nations are parties to ANZUS?",
        frozenset({
            "https://w3id.org/alliance-ld/id/nation/australia",
            "https://w3id.org/alliance-ld/id/nation/new-zealand",
            "https://w3id.org/alliance-ld/id/nation/united-states",
        }),
    ),
    Question(
        "03",
        "Which U.S. alliances in the Indo-Pacific rest on a mutual defence treaty?",
        frozenset({
            "https://w3id.org/alliance-ld/id/alliance/us-japan",
            "https://w3id.org/alliance-ld/id/alliance/us-philippines",
            "https://w3id.org/alliance-ld/id/alliance/anzus",
            "https://w3id.org/alliance-ld/id/alliance/us-south-korea",
            "https://w3id.org/alliance-ld/id/alliance/seato",
        }),
    ),
    Question(
        "04",
        "Which exercises focus on Arctic security?",
        frozenset({
            "https://w3id.org/alliance-ld/id/exercise/nordic-response-24",
        }),
    ),
    Question(
        "05",
        'Which nations hold the U.S. designation "major non-NATO ally"?',
        frozenset({
            "https://w3id.org/alliance-ld/id/nation/israel",
            "https://w3id.org/alliance-ld/id/nation/australia",
            "https://w3id.org/alliance-ld/id/nation/egypt",
            "https://w3id.org/alliance-ld/id/nation/japan",
            "https://w3id.org/alliance-ld/id/nation/south-korea",
            "https://w3id.org/alliance-ld/id/nation/new-zealand",
            "https://w3id.org/alliance-ld/id/nation/jordan",
            "https://w3id.org/alliance-ld/id/nation/philippines",
            # 22 U.S.C. 2321k and its notes, and the Federal Register memoranda
            "https://w3id.org/alliance-ld/id/nation/argentina",
            "https://w3id.org/alliance-ld/id/nation/bahrain",
            "https://w3id.org/alliance-ld/id/nation/thailand",
            "https://w3id.org/alliance-ld/id/nation/kuwait",
            "https://w3id.org/alliance-ld/id/nation/morocco",
            "https://w3id.org/alliance-ld/id/nation/pakistan",
            "https://w3id.org/alliance-ld/id/nation/tunisia",
            "https://w3id.org/alliance-ld/id/nation/brazil",
            "https://w3id.org/alliance-ld/id/nation/qatar",
            "https://w3id.org/alliance-ld/id/nation/colombia",
            "https://w3id.org/alliance-ld/id/nation/kenya",
            # not Afghanistan (designation terminated on 23 September 2022 by Presidential
            # Determination No. 2022-24), not Saudi Arabia
            # (an announced intention, not a designation)
        }),
    ),
    Question(
        "06",
        "Which two nations joined NATO most recently?",
        frozenset({
            "https://w3id.org/alliance-ld/id/nation/finland",
            "https://w3id.org/alliance-ld/id/nation/sweden",
        }),
    ),
    Question(
        "07",
        "Which key capabilities does the United States provide to NATO?",
        frozenset({
            "https://w3id.org/alliance-ld/id/capability/isr",
            "https://w3id.org/alliance-ld/id/capability/air-to-air-refuelling",
            "https://w3id.org/alliance-ld/id/capability/ballistic-missile-defence",
            "https://w3id.org/alliance-ld/id/capability/airborne-electromagnetic-warfare",
        }),
    ),
    Question(
        "08",
        "Which kinds of security cooperation activity are there?",
        frozenset({
            "https://w3id.org/alliance-ld/ontology#SupportToOperations",
            "https://w3id.org/alliance-ld/ontology#CapacityBuilding",
            "https://w3id.org/alliance-ld/ontology#MilitaryToMilitaryEngagement",
            "https://w3id.org/alliance-ld/ontology#CooperativeThreatReduction",
        }),
    ),
    Question(
        "09",
        "Which U.S. security relationships are partnerships rather than alliances?",
        frozenset({
            "https://w3id.org/alliance-ld/id/partnership/aukus",
            "https://w3id.org/alliance-ld/id/partnership/japan-south-korea-united-states",
            "https://w3id.org/alliance-ld/id/partnership/pacific-partnership",
            "https://w3id.org/alliance-ld/id/partnership/state-partnership-program",
            "https://w3id.org/alliance-ld/id/partnership/united-states-israel",
            "https://w3id.org/alliance-ld/id/partnership/united-states-saudi-arabia",
            "https://w3id.org/alliance-ld/id/partnership/united-states-egypt",
            "https://w3id.org/alliance-ld/id/partnership/united-states-jordan",
            "https://w3id.org/alliance-ld/id/partnership/united-states-nigeria",
            "https://w3id.org/alliance-ld/id/partnership/united-states-algeria",
        }),
    ),
    Question(
        "10",
        "Which U.S. exercises take place in the Indo-Pacific?",
        frozenset({
            "https://w3id.org/alliance-ld/id/exercise/balikatan",
            "https://w3id.org/alliance-ld/id/exercise/cobra-gold",
            "https://w3id.org/alliance-ld/id/exercise/valiant-shield",
            # editions: Balikatan 24 (U.S. participant), Valiant Shield 24 (led by USINDOPACOM)
            "https://w3id.org/alliance-ld/id/exercise/balikatan-24",
            "https://w3id.org/alliance-ld/id/exercise/valiant-shield-24",
            # Balikatan 23 (DVIDS, III MEF), Balikatan 25 (marines.mil), Cobra Gold 24 (DVIDS)
            # and Cobra Gold 25 (army.mil): the United States takes part in each
            "https://w3id.org/alliance-ld/id/exercise/balikatan-23",
            "https://w3id.org/alliance-ld/id/exercise/balikatan-25",
            "https://w3id.org/alliance-ld/id/exercise/cobra-gold-24",
            "https://w3id.org/alliance-ld/id/exercise/cobra-gold-25",
            # Cobra Gold 23 (U.S. Army Pacific): Thai-U.S. co-sponsored, the U.S. takes part
            "https://w3id.org/alliance-ld/id/exercise/cobra-gold-23",
            # issue 9 (exercises3): Valiant Shield 16 (U.S. Navy) and 20 (U.S. Indo-Pacific
            # Command; U.S. Navy), both U.S.-only, with the United States as participant
            "https://w3id.org/alliance-ld/id/exercise/valiant-shield-16",
            "https://w3id.org/alliance-ld/id/exercise/valiant-shield-20",
        }),
    ),
    Question(
        "11",
        "Which organisations carry out U.S. security cooperation?",
        frozenset({
            "https://w3id.org/alliance-ld/id/organisation/dsca",
            "https://w3id.org/alliance-ld/id/organisation/dscs",
            "https://w3id.org/alliance-ld/id/organisation/security-cooperation-organizations",
            "https://w3id.org/alliance-ld/id/organisation/national-guard",
        }),
    ),
    Question(
        "12",
        "Which source documents support the figure of over 100,000 U.S. service members"
        " in Europe?",
        frozenset({
            "https://www.defense.gov/News/Releases/Release/article/3078056/"
            "fact-sheet-us-defense-contributions-to-europe/",
        }),
        kind="anyURI",
    ),
    Question(
        "13",
        "Which standards and instructions govern digital interoperability with allies?",
        frozenset({
            "https://w3id.org/alliance-ld/id/document/dodi-8330-01",
            "https://w3id.org/alliance-ld/id/document/cjcsi-6610-01f",
            "https://w3id.org/alliance-ld/id/document/scap",
        }),
    ),
    Question(
        "14",
        "Which alliances and partnerships is Japan part of?",
        frozenset({
            "https://w3id.org/alliance-ld/id/alliance/us-japan",
            "https://w3id.org/alliance-ld/id/partnership/japan-south-korea-united-states",
            # one of NATO's partners across the globe
            "https://w3id.org/alliance-ld/id/partnership/nato-partners-across-the-globe",
        }),
    ),
    Question(
        "15",
        "What has begun since 1 January 1990, whatever the precision of its start date?",
        frozenset({
            "https://w3id.org/alliance-ld/id/membership/nato-czechia",
            "https://w3id.org/alliance-ld/id/membership/nato-hungary",
            "https://w3id.org/alliance-ld/id/membership/nato-poland",
            "https://w3id.org/alliance-ld/id/membership/nato-bulgaria",
            "https://w3id.org/alliance-ld/id/membership/nato-estonia",
            "https://w3id.org/alliance-ld/id/membership/nato-latvia",
            "https://w3id.org/alliance-ld/id/membership/nato-lithuania",
            "https://w3id.org/alliance-ld/id/membership/nato-romania",
            "https://w3id.org/alliance-ld/id/membership/nato-slovakia",
            "https://w3id.org/alliance-ld/id/membership/nato-slovenia",
            "https://w3id.org/alliance-ld/id/membership/nato-albania",
            "https://w3id.org/alliance-ld/id/membership/nato-croatia",
            "https://w3id.org/alliance-ld/id/membership/nato-montenegro",
            "https://w3id.org/alliance-ld/id/membership/nato-north-macedonia",
            "https://w3id.org/alliance-ld/id/membership/nato-finland",
            "https://w3id.org/alliance-ld/id/membership/nato-sweden",
            "https://w3id.org/alliance-ld/id/membership/aukus-australia",
            "https://w3id.org/alliance-ld/id/membership/aukus-united-kingdom",
            "https://w3id.org/alliance-ld/id/membership/aukus-united-states",
            # xsd:gYear "1993": dropped by a filter on xsd:date values
            "https://w3id.org/alliance-ld/id/partnership/state-partnership-program",
            # xsd:gYearMonth "2022-02": dropped by a filter on xsd:date values
            "https://w3id.org/alliance-ld/id/contribution/us-additional-forces-since-2022",
            "https://w3id.org/alliance-ld/id/designation-assignment/jordan-mnna",
            "https://w3id.org/alliance-ld/id/designation-assignment/philippines-mnna",
            "https://w3id.org/alliance-ld/id/exercise/nordic-response-24",
            # exercise editions with a start day: Valiant Shield 24 (DVIDS, 7 June 2024),
            # Balikatan 23/24/25 (DVIDS; Marine Corps Forces, Pacific; marines.mil),
            # Cobra Gold 24/25 (DVIDS; army.mil), African Lion 24/25 (DVIDS)
            *(ID + "exercise/" + e for e in (
                "valiant-shield-24", "balikatan-23", "balikatan-24", "balikatan-25",
                "cobra-gold-24", "cobra-gold-25", "african-lion-24", "african-lion-25",
                # Cobra Gold 23 (U.S. Army Pacific), African Lion 23 (DVIDS),
                # Cold Response 22 (Norwegian Armed Forces)
                # and African Lion 22 (U.S. Africa Command)
                "cobra-gold-23", "african-lion-23", "cold-response-22", "african-lion-22",
                # issue 9 (exercises3): Valiant Shield 16 (U.S. Navy, 12 September 2016) and
                # African Lion 21 (DVIDS, 7 June 2021); Valiant Shield 20 has no first day
                "valiant-shield-16", "african-lion-21")),
            "https://w3id.org/alliance-ld/id/organisation/dscs",
            # NATO's partnership frameworks (1994, 1994, June 2004) and their dated partners
            ID + "partnership/partnership-for-peace",
            ID + "partnership/mediterranean-dialogue",
            ID + "partnership/istanbul-cooperation-initiative",
            *(ID + "membership/partnership-for-peace-" + n for n in PFP_SIGNATORIES),
            # the Mediterranean Dialogue's partners: five joined in February 1995, Jordan in
            # November 1995, Algeria in March 2000 (NATO's news item of 14 March 2000)
            *(ID + "membership/mediterranean-dialogue-" + n
              for n in ("egypt", "israel", "mauritania", "morocco", "tunisia", "jordan",
                        "algeria")),
            *(ID + "membership/istanbul-cooperation-initiative-" + n
              for n in ("kuwait", "bahrain", "qatar", "united-arab-emirates")),
            # Malta joined the Partnership for Peace on 26 April 1995, left in October 1996
            # and came back on 3 April 2008 (NATO's news item on its return and the
            # Secretary General's remarks of each day; it is not in the table of signatures)
            ID + "membership/partnership-for-peace-malta",
            ID + "membership/partnership-for-peace-malta-2008",
            # partners across the globe, from NATO's page on each: New Zealand 2001;
            # Australia, Mongolia, Pakistan, the Republic of Korea 2005; Afghanistan
            # 2006-09-06 (the declaration of that day); Iraq 2011 (partner status);
            # Colombia 2017-05 (NATO's news item of 22 January 2021). Japan is undated.
            *(ID + "membership/nato-partners-across-the-globe-" + n
              for n in ("new-zealand", "australia", "mongolia", "pakistan", "south-korea",
                        "afghanistan", "iraq", "colombia")),
            # State Partnership Program pairs, 1993 onward
            *(ID + "state-partnership/" + pair for pair in SPP_PAIRS),
            # major non-NATO ally designations, 1996 onward (Jordan's and the
            # Philippines' are listed above)
            *(ID + f"designation-assignment/{n}-mnna" for n in MNNA_SINCE_1990),
        }),
    ),
    Question(
        "16",
        "Which nations have left an alliance, and when?",
        frozenset({
            # Albania left the Warsaw Pact on 13 September 1968
            # (the German Federal Agency for Civic Education)
            "https://w3id.org/alliance-ld/id/nation/albania",
            # Pakistan formally left SEATO in 1973 (the Office of the Historian's Milestones)
            "https://w3id.org/alliance-ld/id/nation/pakistan",
            # the German Democratic Republic left the Warsaw Pact on 24 September 1990
            "https://w3id.org/alliance-ld/id/nation/german-democratic-republic",
            # Mexico's withdrawal from the Rio Treaty took effect in 2004
            "https://w3id.org/alliance-ld/id/nation/mexico",
        }),
    ),
    Question(
        "17",
        "Which treaties entered into force in the 1950s, and with which kinds of obligation?",
        frozenset({
            # in force 1952-04-28, 1952-04-29, 1952-08-27, 1954-11-17 and 1955-02-19
            "https://w3id.org/alliance-ld/id/treaty/us-japan-security-treaty-1951",
            "https://w3id.org/alliance-ld/id/treaty/anzus-treaty",
            "https://w3id.org/alliance-ld/id/treaty/us-philippines-mutual-defense-treaty",
            "https://w3id.org/alliance-ld/id/treaty/us-korea-mutual-defense-treaty",
            "https://w3id.org/alliance-ld/id/treaty/southeast-asia-collective-defense-treaty",
        }),
    ),
    Question(
        "18",
        "Towards which members of its alliances has a party suspended its obligations,"
        " and since when?",
        frozenset({
            # the United States suspended its ANZUS obligations to New Zealand, 17 September 1986
            "https://w3id.org/alliance-ld/id/nation/new-zealand",
        }),
    ),
    Question(
        "19",
        "Which treaties have been replaced by a later treaty, and by which?",
        frozenset({
            # the 1951 Security Treaty, replaced by the 1960 Treaty of Mutual Cooperation
            "https://w3id.org/alliance-ld/id/treaty/us-japan-security-treaty-1951",
        }),
    ),
    Question(
        "20",
        "From which sources does each statement about Valiant Shield come?",
        frozenset({
            # conductedUnder NATO (disputed) and the U.S. participation: the article
            ID + "source/article",
            # ledBy USINDOPACOM and the Indo-Pacific region: the U.S. Navy on Valiant Shield 24
            ID + "source/navy-valiant-shield-24",
            # the series' other statements (biennial, a field training exercise): also DVIDS
            ID + "source/dvids-valiant-shield-24-palau",
            # the U.S. participation, also in the DoD video the article cites
            ID + "source/dod-video-912502",
        }),
    ),
    Question(
        "21",
        "Where does the source article disagree with the record, and what does each say?",
        frozenset({
            # a NATO exercise (article) / led by U.S. Indo-Pacific Command (record)
            ID + "exercise/valiant-shield",
            # a NATO programme (article) / a U.S. Department of Defense effort (CRS)
            ID + "programme/european-deterrence-initiative",
            # created following the Korean War (article) / first SACEUR 19 December 1950 (SHAPE)
            ID + "post/saceur",
        }),
    ),
    Question(
        "22",
        "Which sources make claims that the data keeps but does not assert?",
        frozenset({
            # the source article (the wiki and the uploaded copy whose dates the data kept but did
            # not assert are no longer cited, issue 9)
            ID + "source/article",
            # Cold Response 22 concluded on 1 April 2022 (DVIDS), against the Norwegian Armed
            # Forces' 31 March (issue 9, exercises3)
            ID + "source/dvids-cold-response-22-concludes",
            # Kazakhstan joined the Partnership for Peace in 1995, says NATO's page on
            # Kazakhstan; NATO's table of signatures, recorded, gives 1994
            ID + "source/nato-relations-with-kazakhstan",
            # Louisiana and Haiti partnered "since 2010" (a later Louisiana Guard story) and
            # Cabo Verde first paired with New Hampshire "in 2021" (DVIDS, 2024)
            ID + "source/lang-louisiana-haiti-2015",
            ID + "source/dvids-new-hampshire-cabo-verde-2024",
            # Serbia's Ministry of Defence: cooperation with Ohio officially began in
            # September 2007
            ID + "source/mod-serbia-state-partnership",
            # Michigan-Liberia inaugurated on 27 October 2010 (U.S. Africa Command)
            ID + "source/ngb-michigan-liberia-2010",
            # Virginia and Tajikistan "became partners in 2004" (the Bureau, 2010)
            ID + "source/ngb-virginia-tajikistan-2010",
            # Colorado's partnership with Slovenia "began in 1994" (the Bureau, 2013)
            ID + "source/ngb-colorado-slovenia-2013",
        }),
    ),
    Question(
        "23",
        "Which nations joined the Partnership for Peace in 1994?",
        frozenset(ID + "nation/" + n for n in PFP_BY_YEAR[1994]),
    ),
    Question(
        "24",
        "Which major non-NATO allies were designated by statute, and which by determination"
        " of the President?",
        frozenset(ID + "nation/" + n for n in (*MNNA_BY_STATUTE, *MNNA_BY_DETERMINATION)),
    ),
    Question(
        "25",
        "Which EDCA sites were designated in 2023?",
        frozenset({
            # the four announced on 3 April 2023
            ID + "site/naval-base-camilo-osias",
            ID + "site/lal-lo-airport",
            ID + "site/camp-melchor-dela-cruz",
            ID + "site/balabac-island",
        }),
    ),
    Question(
        "26",
        "Which nations are the State Partnership Program partners of Michigan, and since when?",
        frozenset({ID + "nation/latvia", ID + "nation/liberia", ID + "nation/sierra-leone"}),
    ),
    Question(
        "27",
        "Which NATO members are successor states of a party to the Warsaw Treaty?",
        frozenset({
            # Czechoslovakia, dissolved on 1 January 1993
            ID + "nation/czechia",
            ID + "nation/slovakia",
            # the German Democratic Republic, united with the Federal Republic in 1990
            ID + "nation/germany",
        }),
    ),
    Question(
        "28",
        "Which editions of each exercise series are recorded, and which nations hosted them?",
        frozenset({
            ID + "exercise/nordic-response-24",
            ID + "exercise/valiant-shield-24",
            ID + "exercise/balikatan-24",
            ID + "exercise/african-lion-21",
            # issue 9: Balikatan 23 and 25, Cobra Gold 24 and 25, African Lion 24 and 25
            ID + "exercise/balikatan-23",
            ID + "exercise/balikatan-25",
            ID + "exercise/cobra-gold-24",
            ID + "exercise/cobra-gold-25",
            ID + "exercise/african-lion-24",
            ID + "exercise/african-lion-25",
            # issue 9 (exercises2): Cobra Gold 23, African Lion 23 and Cold Response 22
            ID + "exercise/cobra-gold-23",
            ID + "exercise/african-lion-23",
            ID + "exercise/cold-response-22",
            ID + "exercise/african-lion-22",
            # issue 9 (exercises3): Valiant Shield 16 (U.S. Navy) and 20 (U.S. Indo-Pacific
            # Command), on Guam and around the Marianas: no host nation recorded
            ID + "exercise/valiant-shield-16",
            ID + "exercise/valiant-shield-20",
        }),
    ),
    Question(
        "29",
        "How many years after the North Atlantic Treaty's signature did each later member"
        " deposit its instrument of accession?",
        frozenset(ID + "nation/" + n for n in NATO_YEARS_AFTER_SIGNATURE),
    ),
    Question(
        "30",
        "Which treaties entered into force in the 1940s, and with which kinds of obligation?",
        frozenset({
            # 3 December 1948 and 24 August 1949
            ID + "treaty/rio-treaty",
            ID + "treaty/north-atlantic-treaty",
        }),
    ),
    Question(
        "31",
        "Which Partnership for Peace partners later joined NATO?",
        frozenset(ID + "nation/" + n for n in (
            "romania", "lithuania", "poland", "estonia", "hungary", "slovakia", "bulgaria",
            "latvia", "albania", "czechia", "slovenia", "finland", "sweden", "north-macedonia",
            "croatia", "montenegro",
        )),
    ),
    Question(
        "32",
        "Which nations has the United States announced it will designate a major non-NATO"
        " ally, without a designation on record?",
        # announced on 18 November 2025; no designation in the sources
        frozenset({ID + "nation/saudi-arabia"}),
    ),
]

_FILE_NAME = re.compile(r"^cq(\d\d)-[a-z0-9]+(?:-[a-z0-9]+)*\.rq$")
_HEADER = re.compile(r"^# cq(\d\d): (.+)$")


ALL_CQ_FILES = sorted(QUERIES_DIR.glob("cq*.rq"))
#: The competency query files by their two-digit number (well-named files only).
CQ_FILES = {m[1]: p for p in ALL_CQ_FILES if (m := _FILE_NAME.match(p.name))}


def _query_file(question: Question) -> Path:
    path = CQ_FILES.get(question.number)
    assert path is not None, f"no queries/cq{question.number}-*.rq for: {question.question}"
    return path


@pytest.fixture(scope="module")
def store() -> Store:
    return load_default()


@pytest.fixture(scope="module")
def rdflib_graph(store: Store) -> rdflib.Graph:
    return store.rdflib_graph()


def test_query_files_are_named_for_their_question() -> None:
    badly_named = [p.name for p in ALL_CQ_FILES if not _FILE_NAME.match(p.name)]
    assert not badly_named, f"competency queries are named cqNN-short-name.rq: {badly_named}"
    numbers = [m[1] for p in ALL_CQ_FILES if (m := _FILE_NAME.match(p.name))]
    assert len(numbers) == len(set(numbers)), f"two files for one question: {numbers}"


def test_every_query_file_has_a_question() -> None:
    assert sorted(CQ_FILES) == sorted(q.number for q in COMPETENCY_QUESTIONS), (
        "queries/cq*.rq and the table in this test must list the same questions"
    )


@pytest.mark.parametrize("question", COMPETENCY_QUESTIONS, ids=lambda q: f"cq{q.number}")
def test_header_states_the_question(question: Question) -> None:
    lines = _query_file(question).read_text(encoding="utf-8").splitlines()
    header = _HEADER.match(lines[0]) if lines else None
    assert header, f"first line must be '# cq{question.number}: <the question>'"
    assert header[1] == question.number
    assert header[2] == question.question
    assert len(lines) > 1 and lines[1].startswith("# ") and len(lines[1]) > 2, (
        "the question must be followed by a comment saying how the data answers it"
    )


@pytest.mark.parametrize("question", COMPETENCY_QUESTIONS, ids=lambda q: f"cq{q.number}")
def test_query_is_ordered(question: Question) -> None:
    text = _query_file(question).read_text(encoding="utf-8")
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE), "ORDER BY keeps output stable"


def _oxigraph_answers(store: Store, question: Question) -> tuple[list[str], list[str]]:
    """The query's variable names and the values of its first column (Oxigraph)."""
    result = store.query(_query_file(question).read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    values: list[str] = []
    for solution in result:
        term = solution[0]
        assert term is not None, "the first column must always be bound"
        if question.kind == "iri":
            assert isinstance(term, ox.NamedNode), f"{term!r} is not an IRI"
        else:
            assert isinstance(term, ox.Literal), f"{term!r} is not a literal"
            assert term.datatype.value == XSD_ANY_URI, f"{term!r} is not an xsd:anyURI"
        values.append(term.value)
    return variables, values


@pytest.mark.parametrize("question", COMPETENCY_QUESTIONS, ids=lambda q: f"cq{q.number}")
def test_answers(store: Store, question: Question) -> None:
    variables, values = _oxigraph_answers(store, question)
    assert len(variables) >= 2 and variables[1] == "label", "second column is ?label"
    assert set(values) == question.expected, (
        f"missing: {sorted(question.expected - set(values))}; "
        f"unexpected: {sorted(set(values) - question.expected)}"
    )
    assert len(values) == len(set(values)), f"duplicate answers: {values}"


@pytest.mark.parametrize("question", COMPETENCY_QUESTIONS, ids=lambda q: f"cq{q.number}")
def test_answers_on_rdflib(rdflib_graph: rdflib.Graph, question: Question) -> None:
    # rdflib pre-binds common prefixes; Oxigraph (test_answers) is the one that
    # rejects a query using a prefix it does not declare.
    result = rdflib_graph.query(_query_file(question).read_text(encoding="utf-8"))
    values = set()
    for row in result:
        term = row[0]  # type: ignore[index]
        if question.kind == "iri":
            assert isinstance(term, rdflib.URIRef), f"{term!r} is not an IRI"
        else:
            assert isinstance(term, rdflib.Literal), f"{term!r} is not a literal"
            assert str(term.datatype) == XSD_ANY_URI, f"{term!r} is not an xsd:anyURI"
        values.add(str(term))
    assert values == question.expected


def test_cq17_gives_the_obligation_kinds_of_each_treaty(store: Store) -> None:
    """The second half of cq17: the kinds of obligation, as coded from each treaty's text."""
    question = next(q for q in COMPETENCY_QUESTIONS if q.number == "17")
    result = store.query(_query_file(question).read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    kinds: dict[str, set[str]] = {}
    for solution in result:
        treaty, found = solution["treaty"], solution["kinds"]
        assert treaty is not None
        names = set(found.value.split(", ")) if found is not None else set()
        kinds[treaty.value.rsplit("/", 1)[1]] = names - {""}
    assert kinds == {
        "us-japan-security-treaty-1951": set(),
        "anzus-treaty": {"defence", "consultation"},
        "us-philippines-mutual-defense-treaty": {"defence", "consultation"},
        "us-korea-mutual-defense-treaty": {"defence", "consultation"},
        "southeast-asia-collective-defense-treaty": {"defence"},
    }


def _rows(store: Store, number: str) -> list[dict[str, str]]:
    question = next(q for q in COMPETENCY_QUESTIONS if q.number == number)
    result = store.query(_query_file(question).read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        rows.append({n: solution[n].value for n in names if solution[n] is not None})
    return rows


def test_cq20_names_the_source_of_each_statement(store: Store) -> None:
    """Statement-level provenance: each statement's own source, and its status."""
    by_statement: dict[tuple[str, str], set[tuple[str, str]]] = {}
    for row in _rows(store, "20"):
        for line in row["statements"].splitlines():
            predicate, obj, status = line.rsplit(" ", 2)
            key = (predicate.rsplit("#", 1)[-1], obj.rsplit("/", 1)[-1])
            by_statement.setdefault(key, set()).add(
                (row["source"].rsplit("/", 1)[-1], status.rsplit("#", 1)[-1])
            )
    assert by_statement[("conductedUnder", "nato")] == {("article", "DisputedClaim")}
    assert by_statement[("ledBy", "usindopacom")] == {("navy-valiant-shield-24", "RecordedFact")}
    assert by_statement[("region", "indo-pacific")] == {("navy-valiant-shield-24", "RecordedFact")}
    assert by_statement[("participant", "united-states")] == {
        ("article", "RecordedFact"), ("dod-video-912502", "RecordedFact")}


def test_cq21_gives_both_claims(store: Store) -> None:
    """The article's claim and the record's fact, side by side, each with its source."""
    rows = {r["subject"].rsplit("/", 1)[1]: r for r in _rows(store, "21")}
    assert rows["valiant-shield"]["articleObject"] == ID + "alliance/nato"
    assert rows["valiant-shield"]["recordObject"] == ID + "organisation/usindopacom"
    assert rows["european-deterrence-initiative"]["articleObject"] == ID + "alliance/nato"
    assert rows["european-deterrence-initiative"]["recordObject"] == ID + "nation/united-states"
    assert rows["european-deterrence-initiative"]["recordSource"] == (
        ID + "source/crs-edi-budgetary-overview")
    assert rows["saceur"]["articleObject"] == ID + "event/korean-war"
    assert rows["saceur"]["recordObject"] == ID + "instant/1950-12-19"
    assert rows["saceur"]["recordSource"] == ID + "source/shape-history-1949-1952"


def test_the_article_s_claims_are_not_asserted(store: Store) -> None:
    """A disputed claim's statement is absent from the data; the record's fact is present."""
    ask = """PREFIX ald: <https://w3id.org/alliance-ld/ontology#>
        PREFIX id: <https://w3id.org/alliance-ld/id/>
        ASK { %s }"""
    assert not store.query(ask % "<%sexercise/valiant-shield> ald:conductedUnder <%salliance/nato>"
                           % (ID, ID))
    assert not store.query(ask % "<%sprogramme/european-deterrence-initiative> ald:ledBy"
                           " <%salliance/nato>" % (ID, ID))
    assert store.query(ask % "<%sexercise/valiant-shield> ald:ledBy <%sorganisation/usindopacom>"
                       % (ID, ID))


def test_cq24_gives_the_legal_basis(store: Store) -> None:
    bases: dict[str, set[str]] = {}
    for row in _rows(store, "24"):
        bases.setdefault(row["basis"], set()).add(row["nation"].rsplit("/", 1)[1])
    assert bases == {
        "designation by statute": set(MNNA_BY_STATUTE),
        "presidential determination": set(MNNA_BY_DETERMINATION),
    }


def test_cq26_gives_the_start_years(store: Store) -> None:
    since = {r["nation"].rsplit("/", 1)[1]: r["since"] for r in _rows(store, "26")}
    assert since == {"latvia": "1993", "liberia": "2009", "sierra-leone": "2024-09-12"}


def test_cq28_gives_the_hosts_of_each_edition(store: Store) -> None:
    hosts = {r["edition"].rsplit("/", 1)[1]: set(filter(None, r["hosts"].split(", ")))
             for r in _rows(store, "28")}
    assert hosts == {
        "nordic-response-24": {"Norway", "Finland", "Sweden"},
        "valiant-shield-24": set(),
        "balikatan-24": {"Philippines"},
        "african-lion-21": {"Morocco", "Tunisia", "Senegal"},
        # the Philippines hosts Balikatan (III MEF; marines.mil), Thailand Cobra Gold (DVIDS;
        # army.mil); African Lion 24 and 25 across four nations (DVIDS)
        "balikatan-23": {"Philippines"},
        "balikatan-25": {"Philippines"},
        "cobra-gold-24": {"Thailand"},
        "cobra-gold-25": {"Thailand"},
        "african-lion-24": {"Ghana", "Morocco", "Senegal", "Tunisia"},
        "african-lion-25": {"Ghana", "Morocco", "Senegal", "Tunisia"},
        # Cobra Gold 23 in Thailand (U.S. Army Pacific), African Lion 23 in four (DVIDS),
        # Cold Response 22 in Norway (Norwegian Armed Forces)
        "cobra-gold-23": {"Thailand"},
        "african-lion-23": {"Ghana", "Morocco", "Senegal", "Tunisia"},
        "cold-response-22": {"Norway"},
        "african-lion-22": {"Ghana", "Morocco", "Senegal", "Tunisia"},
        # Valiant Shield 16 and 20: on Guam and around the Marianas, no host nation
        "valiant-shield-16": set(),
        "valiant-shield-20": set(),
    }


def test_cq29_counts_the_years(store: Store) -> None:
    years = {r["nation"].rsplit("/", 1)[1]: int(r["years"]) for r in _rows(store, "29")}
    assert years == NATO_YEARS_AFTER_SIGNATURE


def test_cq30_gives_the_obligation_kinds(store: Store) -> None:
    kinds = {r["treaty"].rsplit("/", 1)[1]: set(r["kinds"].split(", ")) for r in _rows(store, "30")}
    assert kinds == {
        "rio-treaty": {"defence", "consultation"},
        "north-atlantic-treaty": {"defence", "consultation"},
    }

