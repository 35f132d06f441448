"""raptor's ``rapper``, an independent linked-data client, dereferences our IRIs.

rapper sends an Accept header for the parser it is asked to use (or for all of
them with ``-i guess``), follows the 303 to the document and parses it.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

if shutil.which("rapper") is None:
    if os.environ.get("CI", "").lower() not in ("", "0", "false", "no"):
        pytest.fail("rapper (Debian raptor2-utils) is not installed", pytrace=False)
    pytest.skip("rapper (Debian raptor2-utils) is not installed", allow_module_level=True)


def rapper(*args: str) -> list[str]:
    result = subprocess.run(["rapper", "-q", *args, "-o", "ntriples"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return [line for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.parametrize("parser", ["turtle", "rdfxml", "ntriples", "guess"])
def test_rapper_dereferences_a_nation(server, parser: str) -> None:
    canada = f"<{server.url}id/nation/canada>"
    lines = rapper("-i", parser, server.url + "id/nation/canada")
    assert f'{canada} {RDFS_LABEL} "Canada"@en .' in lines
    assert f"{canada} {RDF_TYPE} <{server.url}ontology#Nation> ." in lines
    # incoming links are part of the description: Canada is a member of NORAD
    assert any(line.startswith(f"<{server.url}id/membership/norad-canada> ")
               and line.endswith(f"{canada} .") for line in lines)


def test_rapper_follows_a_link_it_found(server) -> None:
    norad = rapper("-i", "guess", server.url + "id/alliance/norad")
    founded_on = f"<{server.url}id/alliance/norad> <{server.url}ontology#foundedOn> "
    agreement = next(line[len(founded_on):-2].strip("<>") for line in norad
                     if line.startswith(founded_on))
    assert agreement == server.url + "id/treaty/norad-agreement"
    treaty = rapper("-i", "guess", agreement)
    assert f'<{agreement}> {RDFS_LABEL} "NORAD Agreement"@en .' in treaty
    assert f"<{agreement}> <{server.url}ontology#signedOn> " \
           '"1958-05-12"^^<http://www.w3.org/2001/XMLSchema#date> .' in treaty


def test_rapper_on_an_unknown_iri_fails(server) -> None:
    result = subprocess.run(["rapper", "-q", "-i", "turtle", "-o", "ntriples",
                             server.url + "id/nation/atlantis"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "404" in result.stderr or "Not Found" in result.stderr or result.stdout == ""
