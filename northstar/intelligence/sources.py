"""Who sent a report, forgotten at once: rate limits and independence without identity.

A report's source (the anonymous page's device cookie, or without one the address; the
signed-in survivor in the portal; the survivor or caseworker behind a staff report) is
turned into ``HMAC(day key, source)`` the moment the request arrives. The day key is
random, made on the first report of the (UTC) day and kept only in the cache for two days;
nothing derived from the source is written to the database or a log. Two things are kept
in the cache, each under a keyed digest and expiring with the day:

- a counter per source (``take_turn``): the N+1th report of a day is refused (429);
- whether this source already named this entity today (``first_naming``): a second
  naming the same day is stored with ``independent=False`` and does not count towards a
  shared pattern.

So independence is judged when a report arrives, from the same source on the same day.
A source that clears its cookie, or reports on another day, is not recognised: the review
queue (an analyst reviews every report before it counts) and the threshold of
independent reviewed reports (``rules/intelligence.toml``) are the guard against that.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.core.cache import cache

from northstar.intelligence.rules import engine

#: How long the cache keeps a day's key and counters: the day, and a margin for clocks.
KEEP_SECONDS = 2 * 24 * 3600
PREFIX = "intelligence"


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _day_key(day: dt.date) -> bytes:
    name = f"{PREFIX}:key:{day.isoformat()}"
    key = cache.get(name)
    if key is None:
        cache.add(name, secrets.token_bytes(32), KEEP_SECONDS)
        key = cache.get(name)
    return key


def _digest(key: bytes, *parts: str) -> str:
    return hmac.digest(key, "\x1f".join(parts).encode(), hashlib.sha256).hex()[:32]


class Source:
    """A report's source for the length of one request: only its keyed digest is held."""

    def __init__(self, raw: str, *, address: str = ""):
        """``address``: the sender's address when ``raw`` is a device cookie the sender
        chose (the anonymous page): it is counted too, under its own limit, so a new
        cookie with every report does not lift the limit."""
        self.day = today()
        key = _day_key(self.day)
        self._tag = _digest(key, raw)
        self._address_tag = _digest(key, f"address:{address}") if address else ""

    def _count(self, tag: str) -> int:
        name = f"{PREFIX}:rate:{self.day.isoformat()}:{tag}"
        cache.add(name, 0, KEEP_SECONDS)
        try:
            return cache.incr(name)
        except ValueError:  # expired between add and incr
            cache.add(name, 1, KEEP_SECONDS)
            return 1

    def take_turn(self) -> bool:
        """Count one report; False when the day's allowance is used up."""
        limits = engine.rules().rate_limit
        allowed = self._count(self._tag) <= limits.per_device_per_day
        if self._address_tag:
            allowed = self._count(self._address_tag) <= limits.per_address_per_day and allowed
        return allowed

    def first_naming(self, entity: str) -> bool:
        """True the first time today this source names ``entity`` (a matching-key digest)."""
        name = f"{PREFIX}:seen:{self.day.isoformat()}:{_digest(_day_key(self.day), self._tag, entity)}"
        return cache.add(name, 1, KEEP_SECONDS)
