"""Server settings, from command-line flags and ``ALLIANCE_LD_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, PrivateAttr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .resources import BASE_IRI

#: ``--public-url auto``: the address served on (what ``make run`` passes).
AUTO = "auto"


def served_url(host: str, port: int) -> str:
    """``http://HOST:PORT/`` as a client on this machine reaches it (wildcard: loopback)."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


class Settings(BaseSettings):
    """Every setting of the server; each field ``x`` is read from ``ALLIANCE_LD_X``."""

    model_config = SettingsConfigDict(env_prefix="ALLIANCE_LD_", extra="ignore")

    host: str = Field("127.0.0.1", description="interface to listen on")
    port: int = Field(8000, ge=0, le=65535, description="TCP port (0 picks a free one)")
    base_iri: str = Field(BASE_IRI, description="canonical base of every stored IRI")
    public_url: str | None = Field(
        None,
        description="public address of this server; the canonical base is rewritten to it "
        "in every response and back in incoming queries ('auto': http://HOST:PORT/ of the "
        "address served on, 127.0.0.1 for the wildcard 0.0.0.0)",
    )
    root_path: str = Field("", description="path prefix when served behind a reverse proxy")
    forwarded_allow_ips: str = Field(
        "127.0.0.1",
        description="comma-separated proxy addresses or CIDR networks whose X-Forwarded-* "
        "headers are trusted ('*': every peer)",
    )
    data: list[Path] | None = Field(None, description="data files or folders (default: shipped)")
    store: Path | None = Field(
        None, description="an on-disk store made by 'alliance-ld load', served instead of --data")
    accept_nonconforming_store: bool = Field(
        False, description="serve a --store that was imported without validation or whose "
        "data does not conform to the shapes (a warning at start-up and in /readyz says so)")
    sparql_endpoint: str | None = Field(
        None, description="serve the data of this SPARQL 1.1 endpoint (a remote triplestore) "
        "instead of --data or --store")
    sparql_update_endpoint: str | None = Field(
        None, description="the remote triplestore's SPARQL Update endpoint, if any")
    remote_ttl: float = Field(
        60.0, gt=0, description="seconds a remote triplestore's answers are trusted before "
        "they are asked again (its data version changes at least this often)")
    queries: Path | None = Field(
        None, description="folder of named queries (*.rq) served at /queries (default: shipped)")
    query_timeout: float = Field(30.0, gt=0, description="seconds before a query is stopped")
    max_rows: int = Field(10_000, ge=1, description="cap on result rows (or triples)")
    query_workers: int = Field(2, ge=1, le=32, description="worker processes running queries")
    query_memory_mb: int = Field(
        2048, ge=0, description="address-space cap of each query worker in MB (0: none)"
    )
    max_result_bytes: int = Field(
        32 * 1024 * 1024, ge=1024,
        description="cap on the size of a result in bytes (counted over its terms)")
    cache_bytes: int = Field(
        64 * 1024 * 1024, ge=0,
        description="bound of the query result cache in bytes (0: no cache)")
    client_queries: int | None = Field(
        None, ge=1, description="queries one client may have running or waiting at once "
        "(default: one less than the workers, at least 1)")
    queue_size: int | None = Field(
        None, ge=0, description="requests that may wait for a busy worker "
        "(default: twice the workers); beyond, 503 at once")
    queue_wait: float = Field(5.0, gt=0, description="seconds a request may wait for a worker")
    max_query_bytes: int = Field(
        1_000_000, ge=1024, description="cap on a query's size, and on request bodies (413)")
    max_query_depth: int = Field(64, ge=4, le=512,
                                 description="cap on bracket nesting in a query")
    body_timeout: float = Field(
        10.0, gt=0, description="seconds a client may take to send a request body (408)")
    allow_unsandboxed_workers: bool = Field(
        False, description="start even where the OS cannot keep query workers off the network")
    metrics_token: str | None = Field(
        None, description="bearer token /metrics requires (none: no token needed)")
    metrics_allow_ips: str = Field(
        "*", description="comma-separated addresses or CIDR networks that may read /metrics")
    incoming_page_size: int = Field(50, ge=1, description="incoming links per description page")
    log_json: bool = Field(True, description="structured (JSON) access logs")

    #: Whether ``public_url`` was ``auto`` (it follows the port actually served on).
    _public_url_auto: bool = PrivateAttr(default=False)

    @property
    def client_query_limit(self) -> int:
        if self.client_queries is not None:
            return self.client_queries
        return max(1, self.query_workers - 1)

    @field_validator("base_iri", "public_url")
    @classmethod
    def _ends_with_slash(cls, value: str | None) -> str | None:
        if value is not None and value.strip().lower() == AUTO:
            return AUTO
        if value is not None and not value.endswith("/"):
            value += "/"
        return value

    @model_validator(mode="after")
    def _derive_public_url(self) -> Settings:
        if self.public_url == AUTO:
            self._public_url_auto = True
            self.public_url = served_url(self.host, self.port)
        return self

    def served_on(self, port: int) -> Settings:
        """These settings for a server listening on ``port`` (an ``auto`` public URL follows it)."""
        update: dict[str, object] = {"port": port}
        if self._public_url_auto:
            update["public_url"] = served_url(self.host, port)
        copy = self.model_copy(update=update)
        copy._public_url_auto = self._public_url_auto
        return copy

    @field_validator("root_path")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")


@lru_cache
def get_settings() -> Settings:
    return Settings()
