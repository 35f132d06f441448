"""Fair admission: no single client may hold every query worker.

Each client (the address the proxy settings resolve: the peer, or the
``X-Forwarded-For`` of a trusted proxy) may have at most ``limit`` queries in
flight, waiting or running; one more is answered ``429 Too Many Requests`` with
``Retry-After`` at once. Waiting for a worker is bounded apart, by the executor
(:class:`alliance_ld.sparql.QueryExecutor`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import AllianceLDError


class TooManyQueriesError(AllianceLDError):
    """A client already has as many queries in flight as it may."""

    def __init__(self, client: str, limit: int, retry_after: int = 1) -> None:
        self.client = client
        self.limit = limit
        self.retry_after = retry_after
        plural = "query" if limit == 1 else "queries"
        super().__init__(f"too many concurrent queries: each client may have {limit} {plural} "
                         "running or waiting at a time; wait for one to finish")


class ClientLimiter:
    """Counts the queries each client has in flight."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, client: str) -> Iterator[None]:
        """Hold one of ``client``'s slots, or raise :class:`TooManyQueriesError`."""
        with self._lock:
            held = self._counts.get(client, 0)
            if held >= self.limit:
                raise TooManyQueriesError(client, self.limit)
            self._counts[client] = held + 1
        try:
            yield
        finally:
            with self._lock:
                left = self._counts[client] - 1
                if left:
                    self._counts[client] = left
                else:
                    del self._counts[client]

    def in_flight(self, client: str) -> int:
        with self._lock:
            return self._counts.get(client, 0)
