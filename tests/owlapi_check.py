"""Run ``tests/owlapi/OwlCheck.java`` -- the OWL API (Protégé's library) view of RDF files.

Test helper, not a test module::

    from owlapi_check import run_owl_check

    report = run_owl_check([ONTOLOGY, *sorted(DATA_DIR.glob("*.ttl"))])
    assert report["violations"] == []

``run_owl_check`` compiles the checker once per process (i.e. once per pytest session) into a
temporary directory, runs it with ``java`` and returns its JSON report; see the comment at the top
of ``OwlCheck.java`` for the meaning of every key.  Pass the ontology first and the data after it:
the files are parsed in order into one ontology, so the data sees the ontology's declarations.

Toolchain: ``javac``/``java`` (``$JAVA_HOME/bin`` if ``JAVA_HOME`` is set, else ``PATH``) and the
OWL API jars Debian installs in /usr/share/java (``apt-get install default-jdk-headless
libowlapi-java`` pulls in everything in ``OWLAPI_JARS``).  ``OWLAPI_CLASSPATH`` (a
``os.pathsep``-separated list of jars) overrides the Debian classpath; ``OWLAPI_JAVA_DIR``
overrides /usr/share/java; ``OWLCHECK_JAVA_OPTS`` replaces the JVM options.

If the toolchain is missing, the calling test is skipped -- unless the ``CI`` environment
variable is set (to anything but "", "0", "false" or "no"), in which case it fails, so that CI
cannot silently skip the check.  A checker that does not compile, crashes, or cannot parse one of
the files raises ``OwlCheckError`` (never a skip).
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import pytest

__all__ = ["OWLAPI_JARS", "OwlCheckError", "owlapi_classpath", "run_owl_check",
           "run_protege_save"]

CHECKER_SOURCE = Path(__file__).resolve().parent / "owlapi" / "OwlCheck.java"
CHECKER_CLASS = "OwlCheck"
#: Saves an ontology as Protégé's File > Save does (see its header); compiled with the checker.
PROTEGE_SAVE_SOURCE = CHECKER_SOURCE.with_name("ProtegeSave.java")
PROTEGE_SAVE_CLASS = "ProtegeSave"

#: Jars (unversioned names in /usr/share/java) the checker needs: the OWL API itself
#: (libowlapi-java) and the closure of its dependencies, checked with ``jdeps``.  All of them are
#: installed by ``apt-get install libowlapi-java`` (package names in the comments).
OWLAPI_JARS: tuple[str, ...] = (
    "owlapi-distribution.jar",  # libowlapi-java: api, impl, parsers, rio, apibinding, ... in one
    "guava.jar",  # libguava-java
    "caffeine.jar",  # libcaffeine-java
    "hppcrt.jar",  # libhppcrt-java
    "jsr305.jar",  # libjsr305-java
    "atinject-jsr330-api.jar",  # libatinject-jsr330-api-java
    "commons-io.jar",  # libcommons-io-java
    "commons-rdf-api.jar",  # libcommons-rdf-java
    "xz.jar",  # libxz-java
    "slf4j-api.jar",  # libslf4j-java
    "slf4j-nop.jar",  # libslf4j-java: silences the OWL API's logging
    # librdf4j-java: the Turtle/N-Triples parsers (Rio) and what the Rio service registry loads
    "rdf4j-model-api.jar",
    "rdf4j-model-vocabulary.jar",
    "rdf4j-model.jar",
    "rdf4j-util.jar",
    "rdf4j-rio-api.jar",
    "rdf4j-rio-binary.jar",
    "rdf4j-rio-datatypes.jar",
    "rdf4j-rio-hdt.jar",
    "rdf4j-rio-jsonld.jar",
    "rdf4j-rio-languages.jar",
    "rdf4j-rio-n3.jar",
    "rdf4j-rio-nquads.jar",
    "rdf4j-rio-ntriples.jar",
    "rdf4j-rio-rdfjson.jar",
    "rdf4j-rio-rdfxml.jar",
    "rdf4j-rio-trig.jar",
    "rdf4j-rio-trix.jar",
    "rdf4j-rio-turtle.jar",
    # Rio turns labelled blank nodes (_:x, i.e. all of N-Triples) into ids with JAXB's
    # HexBinaryAdapter, which Java 11+ no longer ships: without these, _:x dies with
    # NoClassDefFoundError javax/xml/bind/annotation/adapters/HexBinaryAdapter.
    "jaxb-api.jar",  # libjaxb-api-java
    "javax.activation.jar",  # libactivation-java
    # needed by rdf4j-rio-jsonld / -rdfjson (loaded by the Rio registry even for Turtle)
    "jsonld-java.jar",  # libjsonld-java
    "jackson-core.jar",  # libjackson2-core-java
    "jackson-databind.jar",  # libjackson2-databind-java
    "jackson-annotations.jar",  # libjackson2-annotations-java
    "httpclient.jar",  # libhttpclient-java
    "httpcore.jar",  # libhttpcore-java
    "commons-codec.jar",  # libcommons-codec-java
    "commons-logging.jar",  # libcommons-logging-java
)

DEFAULT_JAVA_DIR = Path("/usr/share/java")
#: JVM options: a short-lived batch run on a small CI box is faster with the C1 JIT only
#: (about 2x on 60k triples with 2 CPUs).  Override with OWLCHECK_JAVA_OPTS (shell words).
DEFAULT_JAVA_OPTS = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
COMPILE_TIMEOUT_S = 300
RUN_TIMEOUT_S = 900


class OwlCheckError(RuntimeError):
    """The checker could not be compiled, or it failed (e.g. a file does not parse)."""

    def __init__(self, message: str, *, returncode: int | None = None, stderr: str = "") -> None:
        super().__init__(message)
        self.returncode = returncode
        self.stderr = stderr


@dataclass(frozen=True)
class _Toolchain:
    java: str
    classpath: str  # OWL API jars + the directory holding the compiled OwlCheck.class


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> NoReturn:
    message = f"OWL API checker unavailable: {reason}"
    if _in_ci():
        pytest.fail(f"{message} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(message)


def _jdk_tool(name: str) -> str | None:
    java_home = os.environ.get("JAVA_HOME")
    if java_home:
        candidate = Path(java_home) / "bin" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def owlapi_classpath() -> list[Path]:
    """The OWL API jars, from ``OWLAPI_CLASSPATH`` or /usr/share/java.

    Raises ``FileNotFoundError`` naming the missing jars.
    """
    override = os.environ.get("OWLAPI_CLASSPATH")
    if override:
        jars = [Path(p) for p in override.split(os.pathsep) if p]
    else:
        java_dir = Path(os.environ.get("OWLAPI_JAVA_DIR", str(DEFAULT_JAVA_DIR)))
        jars = [java_dir / name for name in OWLAPI_JARS]
    missing = [str(j) for j in jars if not j.exists()]
    if missing:
        raise FileNotFoundError(
            "missing OWL API jars (apt-get install libowlapi-java): " + ", ".join(missing)
        )
    return jars


@functools.cache
def _toolchain() -> _Toolchain | str:
    """Compile OwlCheck.java once; the toolchain, or why it is unavailable (a string).

    Compilation errors raise OwlCheckError: a checker that does not build is a bug, not a
    missing tool.
    """
    javac, java = _jdk_tool("javac"), _jdk_tool("java")
    if javac is None or java is None:
        return "no javac/java found (apt-get install default-jdk-headless)"
    try:
        jars = owlapi_classpath()
    except FileNotFoundError as exc:
        return str(exc)
    owlapi_cp = os.pathsep.join(str(j) for j in jars)

    out_dir = Path(tempfile.mkdtemp(prefix="owlcheck-"))
    atexit.register(shutil.rmtree, out_dir, ignore_errors=True)
    cmd = [
        javac,
        "-encoding", "UTF-8",
        "-nowarn",
        "-d", str(out_dir),
        "-cp", owlapi_cp,
        str(CHECKER_SOURCE),
        str(PROTEGE_SAVE_SOURCE),
    ]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise OwlCheckError(f"javac timed out after {COMPILE_TIMEOUT_S}s") from exc
    built = all((out_dir / f"{name}.class").is_file() for name in (CHECKER_CLASS,
                                                                   PROTEGE_SAVE_CLASS))
    if proc.returncode != 0 or not built:
        raise OwlCheckError(
            f"javac failed on {CHECKER_SOURCE} (exit {proc.returncode}):\n"
            f"{proc.stdout}{proc.stderr}",
            returncode=proc.returncode,
            stderr=proc.stderr,
        )
    return _Toolchain(java=java, classpath=os.pathsep.join([owlapi_cp, str(out_dir)]))


def run_owl_check(paths: Iterable[Path | str], *, timeout: float = RUN_TIMEOUT_S) -> dict[str, Any]:
    """Load ``paths`` (ontology first, then data) into one OWL API ontology; return the report.

    Skips (or, under CI, fails) the calling test if Java or the OWL API is not installed.
    Raises ``OwlCheckError`` if a file cannot be loaded or the checker misbehaves.
    """
    files = [Path(p) for p in paths]
    if not files:
        raise ValueError("run_owl_check needs at least one file")
    for f in files:
        if not f.is_file():
            raise FileNotFoundError(f)
    toolchain = _toolchain()
    if isinstance(toolchain, str):
        _unavailable(toolchain)

    java_opts = os.environ.get("OWLCHECK_JAVA_OPTS")
    cmd = [
        toolchain.java,
        *(shlex.split(java_opts) if java_opts is not None else DEFAULT_JAVA_OPTS),
        "-Dfile.encoding=UTF-8",
        "-cp", toolchain.classpath,
        CHECKER_CLASS,
        *(str(f) for f in files),
    ]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd, capture_output=True, encoding="utf-8", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise OwlCheckError(f"OwlCheck timed out after {timeout}s on {files}") from exc
    if proc.returncode != 0:
        raise OwlCheckError(
            f"OwlCheck failed (exit {proc.returncode}) on {[str(f) for f in files]}:\n"
            f"{proc.stderr.strip()}",
            returncode=proc.returncode,
            stderr=proc.stderr,
        )
    try:
        report: dict[str, Any] = json.loads(proc.stdout)
    except json.JSONDecodeError as exc:
        raise OwlCheckError(
            f"OwlCheck printed something that is not JSON: {exc}\n"
            f"stdout: {proc.stdout[:2000]}\nstderr: {proc.stderr[:2000]}",
            returncode=proc.returncode,
            stderr=proc.stderr,
        ) from exc
    return report


def run_protege_save(
    source: Path, target: Path, fmt: str = "same", *, add_class: str | None = None,
    label: str | None = None, definition: str | None = None, timeout: float = RUN_TIMEOUT_S,
) -> str:
    """Load ``source`` with the OWL API and save it to ``target`` as Protégé's File > Save does.

    ``fmt`` is ``same`` (the format ``source`` was read in, as Protégé saves) or one of ``ofn``,
    ``ttl``, ``rdfxml``, ``owx``.  With ``add_class`` (an IRI) the class is declared first, as a
    subclass of ald:SecurityRelationship, with the ``label`` (rdfs:label) and ``definition``
    (skos:definition) given, each in English.  Returns the name of the format written.

    Skips (or, under CI, fails) the calling test if Java or the OWL API is not installed.
    """
    toolchain = _toolchain()
    if isinstance(toolchain, str):
        _unavailable(toolchain)
    options: list[str] = []
    for flag, value in (("--add-class", add_class), ("--label", label),
                        ("--definition", definition)):
        if value is not None:
            options += [flag, value]
    java_opts = os.environ.get("OWLCHECK_JAVA_OPTS")
    cmd = [
        toolchain.java,
        *(shlex.split(java_opts) if java_opts is not None else DEFAULT_JAVA_OPTS),
        "-Dfile.encoding=UTF-8",
        "-cp", toolchain.classpath,
        PROTEGE_SAVE_CLASS, str(source), str(target), fmt, *options,
    ]  # fmt: skip
    try:
        proc = subprocess.run(
            cmd, capture_output=True, encoding="utf-8", timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as exc:
        raise OwlCheckError(f"ProtegeSave timed out after {timeout}s on {source}") from exc
    if proc.returncode != 0:
        raise OwlCheckError(
            f"ProtegeSave failed (exit {proc.returncode}) on {source}:\n{proc.stderr.strip()}",
            returncode=proc.returncode,
            stderr=proc.stderr,
        )
    return proc.stdout.strip()
