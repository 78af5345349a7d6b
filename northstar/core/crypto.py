"""Field encryption and the blind index.

Each personal field is sealed on its own with AES-256-GCM (authenticated), bound
to its column by associated data so a ciphertext copied into another column
fails to open. A token names the key that sealed it, so keys can rotate: new
writes use the first (primary) key of the ring, old tokens still open with
theirs until ``manage.py rotate_keys`` re-seals them.

The blind index is an HMAC of a normalised name and date of birth: equal people
give equal digests, so an organisation can find likely duplicates without
decrypting anything, and the digest reveals nothing without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from northstar.core.errors import DomainError

PREFIX = "ns1"
BYTES_PREFIX = b"NS1B"


class DecryptionError(Exception):
    pass


class KeyCheckFailed(DomainError):
    """The configured field keys are not the ones this database was sealed with.

    Raised instead of writing: a record sealed with a wrong key could never be
    opened again. The message names the key id and what to do; pages and the
    API answer 503 (the service is misconfigured, the request was fine).
    """

    status = 503

    def __init__(self, message: str):
        super().__init__(message, None)


def _b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


@dataclass(frozen=True)
class Keyring:
    """Key id → 32-byte key; the first id is the primary used for new writes."""

    keys: tuple[tuple[str, bytes], ...]

    @classmethod
    def from_settings_value(cls, ring: list[tuple[str, str]]) -> Keyring:
        keys = []
        for kid, b64 in ring:
            raw = _b64decode(b64)
            if len(raw) != 32:
                raise ValueError(f"field key {kid!r} must be 32 bytes (base64)")
            if "." in kid:
                raise ValueError("a key id may not contain '.'")
            keys.append((kid, raw))
        if not keys:
            raise ValueError("no field-encryption key configured")
        return cls(tuple(keys))

    @property
    def primary_id(self) -> str:
        return self.keys[0][0]

    def _key(self, kid: str) -> bytes:
        for candidate, key in self.keys:
            if candidate == kid:
                return key
        raise DecryptionError(f"unknown key id {kid!r}: was it retired before rotation finished?")

    def seal(self, plaintext: str, context: str) -> str:
        return self.seal_with(self.primary_id, plaintext, context)

    def seal_with(self, kid: str, plaintext: str, context: str) -> str:
        """Seal with one named key of the ring (key-check values are sealed with each key)."""
        key = self._key(kid)
        nonce = os.urandom(12)
        ct = AESGCM(key).encrypt(nonce, plaintext.encode(), context.encode())
        return f"{PREFIX}.{kid}.{base64.urlsafe_b64encode(nonce + ct).decode().rstrip('=')}"

    def seal_many(self, plaintexts: Sequence[str], context: str) -> list[str]:
        """``seal`` of each value (same format, fresh random nonce each), for a bulk write:
        one cipher object and one draw of random bytes for the lot."""
        kid = self.primary_id
        aead = AESGCM(self._key(kid))
        aad = context.encode()
        nonces = os.urandom(12 * len(plaintexts))
        head = f"{PREFIX}.{kid}."
        encode = base64.urlsafe_b64encode
        out = []
        for i, plaintext in enumerate(plaintexts):
            nonce = nonces[12 * i:12 * i + 12]
            body = encode(nonce + aead.encrypt(nonce, plaintext.encode(), aad))
            out.append(head + body.decode().rstrip("="))
        return out

    def open(self, token: str, context: str) -> str:
        try:
            prefix, kid, body = token.split(".", 2)
        except ValueError as exc:
            raise DecryptionError("not a sealed value") from exc
        if prefix != PREFIX:
            raise DecryptionError("not a sealed value")
        raw = _b64decode(body)
        try:
            return AESGCM(self._key(kid)).decrypt(raw[:12], raw[12:], context.encode()).decode()
        except InvalidTag as exc:
            raise DecryptionError("sealed value failed authentication") from exc

    @staticmethod
    def key_id_of(token: str) -> str:
        if isinstance(token, (bytes, bytearray, memoryview)):
            raw = bytes(token)
            return raw[5:5 + raw[4]].decode()
        return token.split(".", 2)[1]

    # Files (documents, export results) are sealed as bytes, not base64 text: a scan of
    # several megabytes should not grow by a third. Same keys, same binding to context.
    def seal_bytes(self, data: bytes, context: str) -> bytes:
        kid = self.primary_id
        nonce = os.urandom(12)
        ct = AESGCM(self._key(kid)).encrypt(nonce, bytes(data), context.encode())
        encoded = kid.encode()
        return BYTES_PREFIX + bytes([len(encoded)]) + encoded + nonce + ct

    def open_bytes(self, sealed: bytes, context: str) -> bytes:
        raw = bytes(sealed)
        if raw[:4] != BYTES_PREFIX or len(raw) < 5:
            raise DecryptionError("not a sealed file")
        end = 5 + raw[4]
        kid, nonce, ct = raw[5:end].decode(), raw[end:end + 12], raw[end + 12:]
        try:
            return AESGCM(self._key(kid)).decrypt(nonce, ct, context.encode())
        except InvalidTag as exc:
            raise DecryptionError("sealed file failed authentication") from exc


def new_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


@lru_cache(maxsize=1)
def _keyring_for(ring: tuple[tuple[str, str], ...]) -> Keyring:
    return Keyring.from_settings_value(list(ring))


def keyring() -> Keyring:
    return _keyring_for(tuple(tuple(k) for k in settings.NORTHSTAR_FIELD_KEYS))


@lru_cache(maxsize=65536)
def normalise_name(name: str) -> str:
    """Case-, accent-, spacing- and order-insensitive form of a name.

    "Nguyễn  Thị Lan" and "lan thi nguyen" normalise alike: word order differs
    between registration systems in the region and diacritics are often dropped.
    """
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    stripped = stripped.replace("đ", "d")
    words = "".join(c if c.isalnum() else " " for c in stripped).split()
    return " ".join(sorted(words))


@lru_cache(maxsize=4)
def _index_key(key: str) -> bytes:
    return _b64decode(key)


def blind_index(key: str, *parts: str) -> str:
    message = "\x1f".join(parts).encode()
    return hmac.digest(_index_key(key), message, hashlib.sha256).hex()


def duplicate_key(name: str, date_of_birth: str) -> str | None:
    """Blind index of name + date of birth, or None when either is missing."""
    norm = normalise_name(name or "")
    if not norm or not date_of_birth:
        return None
    return blind_index(settings.NORTHSTAR_BLIND_INDEX_KEY, norm, date_of_birth)
