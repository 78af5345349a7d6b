"""The portal's own session: its own cookie, its own idle limit, no Django user.

A staff member signed in on the same browser keeps their session, and a survivor
never gets one: the portal cookie (``ns_portal``, path ``/portal/``) names a row
in Django's session store holding only the survivor's id, the PIN epoch it was
opened with, the chosen language and when it was last used.
"""

from __future__ import annotations

import re
import secrets
import time
from importlib import import_module

from django.conf import settings
from django.core import signing

COOKIE_NAME = "ns_portal"
COOKIE_PATH = "/portal/"
#: A random name for this browser, for the sign-in throttle only: survivors behind one
#: shelter or office address are told apart by it. It lives as long as the browser
#: session (no date, so it leaves nothing behind once the browser is closed).
DEVICE_COOKIE = "ns_device"
_DEVICE_ID = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
#: Minutes without a request after which the survivor must sign in again.
IDLE_SECONDS = int(getattr(settings, "NORTHSTAR_PORTAL_IDLE_SECONDS", 15 * 60))
#: However active, a portal session ends after this long.
MAX_SECONDS = 2 * 3600


def _signer() -> signing.Signer:
    return signing.Signer(salt="northstar.portal.device")


def _unsigned(value: str) -> str:
    """The device id of a cookie this server signed; "" for a made-up one (which then
    counts as no cookie: the address stands in, at the device limit)."""
    try:
        return _signer().unsign(value) if value else ""
    except signing.BadSignature:
        return ""


def _store_class():
    return import_module(settings.SESSION_ENGINE).SessionStore


class PortalSession:
    """Wraps a session-store row; ``save(response)`` writes it and sets the cookie."""

    def __init__(self, request):
        self.request = request
        self.store = _store_class()(request.COOKIES.get(COOKIE_NAME))
        self.ended = False
        self.expired = False
        presented = _unsigned(request.COOKIES.get(DEVICE_COOKIE, ""))
        self._device_id = presented if _DEVICE_ID.match(presented) else None
        self._new_device = self._device_id is None
        now = time.time()
        if self.survivor_id is not None:
            last = self.store.get("last_seen", 0)
            started = self.store.get("started", 0)
            if now - last > IDLE_SECONDS or now - started > MAX_SECONDS:
                self.store.flush()
                self.expired = True

    # -- values
    @property
    def survivor_id(self) -> int | None:
        return self.store.get("survivor_id")

    @property
    def pin_epoch(self) -> str | None:
        return self.store.get("pin_epoch")

    @property
    def language(self) -> str | None:
        return self.store.get("language")

    @language.setter
    def language(self, code: str) -> None:
        self.store["language"] = code

    @property
    def device_id(self) -> str | None:
        """The device cookie this request came with, if any (a new one is only set)."""
        return None if self._new_device else self._device_id

    # -- lifecycle
    def begin(self, survivor_id: int, pin_epoch: str) -> None:
        language = self.store.get("language")
        self.store.flush()  # new key: nothing from before sign-in carries over but the language
        now = time.time()
        self.store.update({"survivor_id": survivor_id, "pin_epoch": pin_epoch, "started": now,
                           "last_seen": now})
        if language:
            self.store["language"] = language

    def touch(self) -> None:
        if self.survivor_id is not None:
            self.store["last_seen"] = time.time()

    def end(self) -> None:
        self.store.flush()
        self.ended = True

    def save(self, response) -> None:
        if self._new_device and not self.ended:
            response.set_cookie(DEVICE_COOKIE, _signer().sign(secrets.token_urlsafe(24)),
                                path=COOKIE_PATH,
                                httponly=True, samesite="Strict", secure=not settings.DEBUG)
        if self.ended:
            response.delete_cookie(COOKIE_NAME, path=COOKIE_PATH, samesite="Strict")
            return
        if not self.store.is_empty() or self.store.modified:
            self.store.set_expiry(IDLE_SECONDS if self.survivor_id else 3600)
            self.store.save()
            response.set_cookie(
                COOKIE_NAME, self.store.session_key, path=COOKIE_PATH, httponly=True,
                samesite="Strict", secure=not settings.DEBUG,
            )
