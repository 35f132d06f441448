"""A cache of query results, bounded in bytes and keyed by the data version.

Answering the same query twice on the same data must not cost a worker twice.
Each entry is keyed by everything that shapes the answer: the data version
(which changes with every change of the data, so a change never serves an old
answer), the query text, its dataset, the result format and the caps. The
least recently used entries go first once the total size would pass the bound;
an answer larger than an eighth of the bound is not kept.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Hashable

from .backend import QueryOutcome, QueryRequest

#: Default bound, in bytes of result bodies.
CACHE_BYTES = 64 * 1024 * 1024


def request_key(version: str, request: QueryRequest) -> tuple[Hashable, ...]:
    """What identifies an answer: the data version and every field of the request."""
    return (version, request.query, request.results_media_type, request.graph_media_type,
            request.default_graphs, request.named_graphs, request.max_rows, request.max_bytes,
            request.truncation_link, request.base_iri,
            tuple(sorted(request.prefixes.items())))


def result_tag(key: tuple[Hashable, ...], *extra: str) -> str:
    """A weak ETag for the answer to ``key`` (and what else shapes the bytes sent)."""
    digest = hashlib.blake2b(repr((key, extra)).encode("utf-8", "replace"), digest_size=16)
    return f'W/"{digest.hexdigest()}"'


class ResultCache:
    """Query outcomes by key, least recently used first out, bounded in bytes."""

    def __init__(self, max_bytes: int = CACHE_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self.hits = 0
        self.misses = 0
        self._entries: OrderedDict[tuple[Hashable, ...], QueryOutcome] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: tuple[Hashable, ...]) -> QueryOutcome | None:
        with self._lock:
            outcome = self._entries.get(key)
            if outcome is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return outcome

    def put(self, key: tuple[Hashable, ...], outcome: QueryOutcome) -> None:
        size = len(outcome.body)
        if size > self.max_bytes // 8:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self.size -= len(previous.body)
            self._entries[key] = outcome
            self.size += size
            while self.size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.size -= len(evicted.body)
