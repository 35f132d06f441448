"""Rewriting the canonical base IRI to the public URL of this server, and back.

Stored data always uses one canonical base (``https://w3id.org/alliance-ld/``).
With ``--public-url`` every response carries the public base instead, so that a
local run dereferences every IRI it shows; incoming queries are rewritten back.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IriRewriter:
    canonical: str
    public: str | None = None

    @property
    def active(self) -> bool:
        return self.public is not None and self.public != self.canonical

    @property
    def base(self) -> str:
        """The base that responses show."""
        return self.public if self.active and self.public else self.canonical

    def to_public(self, text: str) -> str:
        if not self.active or self.public is None:
            return text
        return text.replace(self.canonical, self.public)

    def to_public_bytes(self, body: bytes) -> bytes:
        if not self.active or self.public is None:
            return body
        return body.replace(self.canonical.encode(), self.public.encode())

    def to_canonical(self, text: str) -> str:
        if not self.active or self.public is None:
            return text
        return text.replace(self.public, self.canonical)
