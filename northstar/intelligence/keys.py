"""Keyed digests of entity names: the same across organisations (patterns are counted
across them), derived from the platform's blind-index key with a label of its own."""

from __future__ import annotations

import hashlib
import hmac
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from northstar.intelligence.rules import engine

HKDF_INFO = b"northstar intelligence entity keys v1"
KEY_HEX = 32
GRAM_HEX = 6


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=HKDF_INFO).derive(secret.encode())


def _secret() -> bytes:
    return _key(settings.NORTHSTAR_BLIND_INDEX_KEY or settings.SECRET_KEY)


def digest(kind: str, value: str, length: int = KEY_HEX) -> str:
    return hmac.digest(_secret(), f"{kind}\x1f{value}".encode(), hashlib.sha256).hex()[:length]


def entity_digests(kind: str, name: str) -> tuple[str, list[str]] | None:
    """(key digest, trigram digests) of a name, or None for a name with no letters."""
    key = engine.entity_key(name)
    if not key:
        return None
    # The kind of token (``t:``/``s:``) stays readable in front of its digest: the engine
    # tells a skeleton from a trigram by it.
    grams = sorted({f"{g[:2]}{digest(kind, g, GRAM_HEX)}" for g in engine.trigrams(key)})
    return digest(kind, key), grams
