"""Structured logs: one JSON object per line.

The access log (logger ``alliance_ld.access``, written by
:class:`alliance_ld.api.middleware.AccessLogMiddleware`) has one line per request::

    {"time": "2026-01-01T12:00:00.123Z", "level": "info", "logger": "alliance_ld.access",
     "message": "GET /sparql 200", "method": "GET", "path": "/sparql", "query": "query=…",
     "status": 200, "duration_ms": 3.2, "bytes": 512, "client": "127.0.0.1",
     "user_agent": "curl/8.5.0", "request_id": "5b0c…"}

``alliance-ld serve`` hands :func:`uvicorn_log_config` to uvicorn and turns
uvicorn's own access log off while ours is on (``ALLIANCE_LD_LOG_JSON``, default on).
"""

from __future__ import annotations

import copy
import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from .settings import Settings

ACCESS_LOGGER = "alliance_ld.access"

#: Attributes every LogRecord has; anything else was passed with ``extra=``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName",
}


class JsonFormatter(logging.Formatter):
    """Render a record as one line of JSON, with the fields given by ``extra=``."""

    def __init__(self) -> None:
        super().__init__()
        self._encoder = json.JSONEncoder(ensure_ascii=False, default=str)
        self._second = -1
        self._second_text = ""

    def _time(self, created: float) -> str:
        second = int(created)
        if second != self._second:  # one strftime per second, not per line
            self._second_text = datetime.fromtimestamp(second, UTC).strftime(
                "%Y-%m-%dT%H:%M:%S.")
            self._second = second
        return f"{self._second_text}{int((created - second) * 1000):03d}Z"

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self._time(record.created),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return self._encoder.encode(entry)


def access_logger() -> logging.Logger:
    return logging.getLogger(ACCESS_LOGGER)


def configure(settings: Settings) -> None:
    """Make sure the access log goes somewhere (stderr) unless the host configured it.

    Idempotent: a logger that already has a handler (from :func:`uvicorn_log_config`,
    or an earlier app) is left alone.
    """
    if not settings.log_json:
        return
    logger = access_logger()
    if logger.handlers:
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's logging configuration plus our JSON access log (for ``uvicorn.run``)."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    if settings.log_json:
        config["formatters"]["alliance_ld_json"] = {"()": f"{__name__}.JsonFormatter"}
        config["handlers"]["alliance_ld_access"] = {
            "class": "logging.StreamHandler",
            "formatter": "alliance_ld_json",
            "stream": "ext://sys.stderr",
        }
        config["loggers"][ACCESS_LOGGER] = {
            "handlers": ["alliance_ld_access"], "level": "INFO", "propagate": False,
        }
    return config
