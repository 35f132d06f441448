"""Shared fixtures."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from alliance_ld.store import Store, load_default

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-m", "alliance_ld.cli"]


@pytest.fixture(scope="session")
def store() -> Store:
    """The shipped ontology and data, loaded once."""
    return load_default()


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``alliance-ld`` in a subprocess, as a user would."""

    def run(*args: str, stdin: str | None = None,
            user: str | None = None) -> subprocess.CompletedProcess[str]:
        command = CLI + list(args)
        if user is not None:
            command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
        return subprocess.run(
            command, input=stdin, capture_output=True, text=True, cwd=ROOT, timeout=300,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )

    return run
