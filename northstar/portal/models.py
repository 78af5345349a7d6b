"""A survivor's key to the portal: a PIN set with their caseworker, and the lockout state.

Kept apart from Django's users on purpose: a survivor is not staff, never gets a
staff session, and signs in with the reference code they already know plus a PIN.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class PortalAccess(models.Model):
    """One per survivor who may use the portal. Only the PIN's hash is stored."""

    survivor = models.OneToOneField(
        "survivors.Survivor", on_delete=models.PROTECT, related_name="portal_access"
    )
    pin_hash = models.CharField(max_length=256)
    pin_set_at = models.DateTimeField(default=timezone.now)
    pin_set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    #: Turned off by the caseworker (e.g. the phone was taken); the PIN stays hashed.
    enabled = models.BooleanField(default=True)
    last_sign_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "portal access"

    def __str__(self) -> str:
        return f"portal access for survivor {self.survivor_id}"



class CodeBackoff(models.Model):
    """How long a reference code must wait before its next try: one row per code that had
    wrong tries since its last success, in the database so that every application instance
    agrees.

    Never a hard lock: after ``actions.FREE_TRIES`` wrong tries each further wrong try
    doubles the wait (1, 2, 4, 8 minutes…, at most ``actions.MAX_WAIT_MINUTES``), so
    whoever knows a code can slow it down but never lock the survivor out. Tries made
    while the code waits are refused without counting. Known and unknown codes are
    treated alike (keyed by the HMAC of the code), so the answer reveals no code.
    """

    #: HMAC of the normalised reference code (``SignInAttempt.reference_key``).
    reference_key = models.CharField(max_length=64, unique=True)
    #: Wrong tries in a row since the last success, or since a caseworker lifted the wait.
    failures = models.PositiveIntegerField(default=0)
    wait_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.failures} wrong tries"

    def waiting(self, at=None) -> bool:
        at = at or timezone.now()
        return self.wait_until is not None and self.wait_until > at


class SignInAttempt(models.Model):
    """Every attempt, for rate limiting by device, code and address; identifiers are keyed
    hashes, not values.

    The audit log holds the same events for people; this table answers "how many
    failures from this address lately?" cheaply. Old rows can be pruned.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    #: HMAC of the client address (never the address itself).
    client_key = models.CharField(max_length=64, db_index=True)
    #: HMAC of the browser's device cookie (or of the address, for a client without one):
    #: survivors sharing a shelter's address are throttled apart.
    device_key = models.CharField(max_length=64, db_index=True, default="")
    #: HMAC of the normalised reference code typed, known or not: unknown codes lock
    #: exactly like known ones, so the answer does not reveal which codes exist.
    reference_key = models.CharField(max_length=64, db_index=True)
    succeeded = models.BooleanField(default=False)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{'success' if self.succeeded else 'failure'} at {self.at:%Y-%m-%d %H:%M}"
