"""X-Forwarded-* headers count only when they come from a trusted proxy.

A client that could set ``X-Forwarded-Host`` or ``-Prefix`` itself could make the
server write links and redirects to a host of its choosing, which a shared cache
would then hand to everyone. The trusted peers are ``--forwarded-allow-ips``
(``ALLIANCE_LD_FORWARDED_ALLOW_IPS``), 127.0.0.1 by default.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import LiveServer, live_server
from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import RDF

from alliance_ld.api.main import create_app
from alliance_ld.api.middleware import TrustedProxies
from alliance_ld.settings import Settings

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
PROXY_HEADERS = {"X-Forwarded-Host": "data.example.org", "X-Forwarded-Proto": "https",
                 "X-Forwarded-Prefix": "/ald", "X-Forwarded-For": "203.0.113.7"}


def _endpoint(response: httpx.Response) -> URIRef:
    """The sd:endpoint a service description names."""
    graph = Graph().parse(data=response.text, format="turtle")
    service = graph.value(predicate=RDF.type, object=SD.Service, any=False)
    endpoint = graph.value(service, SD.endpoint)
    assert isinstance(endpoint, URIRef)
    return endpoint


# ---------------------------------------------------------------------------
# Which peers are trusted


@pytest.mark.parametrize(("spec", "peer", "trusted"), [
    ("127.0.0.1", "127.0.0.1", True),
    ("127.0.0.1", "127.0.0.2", False),
    ("127.0.0.1", "testclient", False),
    ("10.0.0.0/8, 192.0.2.1", "10.20.30.40", True),
    ("10.0.0.0/8, 192.0.2.1", "192.0.2.1", True),
    ("10.0.0.0/8, 192.0.2.1", "192.0.2.2", False),
    ("::1", "::1", True),
    ("2001:db8::/32", "2001:db8::5", True),
    ("2001:db8::/32", "127.0.0.1", False),
    ("/run/proxy.sock", "/run/proxy.sock", True),
    ("*", "198.51.100.9", True),
    ("", "127.0.0.1", False),
    ("127.0.0.1", None, False),
])
def test_trusted_proxies(spec: str, peer: str | None, trusted: bool) -> None:
    assert (peer in TrustedProxies(spec)) is trusted


def test_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_LD_FORWARDED_ALLOW_IPS", "10.0.0.0/8")
    assert Settings().forwarded_allow_ips == "10.0.0.0/8"
    monkeypatch.delenv("ALLIANCE_LD_FORWARDED_ALLOW_IPS")
    assert Settings().forwarded_allow_ips == "127.0.0.1"


# ---------------------------------------------------------------------------
# In the app (TestClient lets us choose the peer address)


@pytest.fixture(scope="module")
def app(publication):  # type: ignore[no-untyped-def]
    return create_app(publication.settings, publication)


@pytest.mark.parametrize(("peer", "location"), [
    ("127.0.0.1", "https://data.example.org/ald/doc/alliance/nato.ttl"),
    ("198.51.100.9", "http://testserver/doc/alliance/nato.ttl"),
])
def test_redirect_follows_forwarded_headers_of_trusted_peers_only(
        app, peer: str, location: str) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, client=(peer, 40000)) as client:
        response = client.get("/id/alliance/nato", follow_redirects=False,
                              headers={"Accept": "text/turtle", **PROXY_HEADERS})
    assert response.status_code == 303
    assert response.headers["location"] == location


def test_untrusted_prefix_does_not_reach_page_links(app) -> None:  # type: ignore[no-untyped-def]
    with TestClient(app, client=("198.51.100.9", 40000)) as client:
        response = client.get("/", headers={"X-Forwarded-Prefix": "/evil"})
    assert response.status_code == 200
    assert "/evil" not in response.text


def test_a_trusted_network_is_honoured(publication) -> None:  # type: ignore[no-untyped-def]
    settings = publication.settings.model_copy(update={"forwarded_allow_ips": "10.0.0.0/8"})
    with TestClient(create_app(settings, publication), client=("10.1.2.3", 40000)) as client:
        response = client.get("/sparql", headers={"Accept": "text/turtle", **PROXY_HEADERS})
    assert _endpoint(response) == URIRef("https://data.example.org/ald/sparql")


# ---------------------------------------------------------------------------
# A real server


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[LiveServer]:
    """A server that trusts only a proxy in a documentation network, not loopback."""
    with live_server("--forwarded-allow-ips", "192.0.2.0/24", public=False) as running:
        yield running


def test_live_server_ignores_an_untrusted_peers_forwarded_headers(
        elsewhere: LiveServer) -> None:
    request_id = "proxy-" + uuid.uuid4().hex
    response = httpx.get(elsewhere.url + "sparql", headers={
        "Accept": "text/turtle", "X-Request-ID": request_id, **PROXY_HEADERS})
    assert response.status_code == 200
    assert _endpoint(response) == URIRef(elsewhere.url + "sparql")
    assert elsewhere.access_log_entry(request_id)["client"] == "127.0.0.1"


def test_live_server_trusts_loopback_by_default(server: LiveServer) -> None:
    request_id = "proxy-" + uuid.uuid4().hex
    response = httpx.get(server.url + "id/alliance/nato", follow_redirects=False, headers={
        "Accept": "text/turtle", "X-Request-ID": request_id, **PROXY_HEADERS})
    assert response.status_code == 303
    # --public-url wins over the forwarded host: the public address is configured.
    assert response.headers["location"] == server.url + "doc/alliance/nato.ttl"
    # ... but the client address the proxy forwarded is the one logged.
    assert server.access_log_entry(request_id)["client"] == "203.0.113.7"
