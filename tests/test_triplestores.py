"""The test triplestores' harness fails clearly and leaves nothing running."""

from __future__ import annotations

from pathlib import Path

import pytest
from triplestores import TripleStore, TripleStoreError, free_port


def _store(tmp_path: Path, script: str) -> TripleStore:
    return TripleStore(name="test store", command=["sh", "-c", script],
                       query_url=f"http://127.0.0.1:{free_port()}/sparql", update_url=None,
                       folder=tmp_path, log_path=tmp_path / "store.log")


def test_a_store_that_exits_names_its_status_and_log(tmp_path: Path) -> None:
    store = _store(tmp_path, "echo 'cannot open database' >&2; exit 3")
    with pytest.raises(TripleStoreError, match=r"exited with 3(.|\n)*cannot open database"):
        store.start(timeout=10)
    assert store.process is not None and store.process.poll() == 3


def test_a_store_that_never_answers_is_killed(tmp_path: Path) -> None:
    store = _store(tmp_path, "echo started; echo $$ > pid; exec sleep 60")
    with pytest.raises(TripleStoreError, match=r"did not answer .* within 1 s(.|\n)*started"):
        store.start(timeout=1)
    assert store.process is None
    pid = int((tmp_path / "pid").read_text())
    assert not Path(f"/proc/{pid}").exists()  # killed and reaped
