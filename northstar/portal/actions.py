"""Portal writes: setting a PIN, signing in, and the survivor's own choices.

Every function writes its audit entry. Signing in is audited whether it succeeds
or not; a PIN is never logged, and the typed reference code is stored only as a
keyed hash for rate limiting.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import dataclass
from hashlib import sha256

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.utils import timezone

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden
from northstar.core.prepared import Prepared
from northstar.portal.models import CodeBackoff, PortalAccess, SignInAttempt
from northstar.survivors import actions as survivor_actions
from northstar.survivors.models import (
    PURPOSES_NEEDING_RECIPIENT,
    Consent,
    ConsentGivenBy,
    ConsentMethod,
    ConsentPurpose,
    Survivor,
)

PIN_LENGTH = 6
#: Wrong tries of one code (known or not) that cost nothing; from the next one on the code
#: waits (``CodeBackoff``): 1 minute after the fifth wrong try, then 2, 4, 8 … minutes,
#: never more than ``MAX_WAIT_MINUTES`` and never a lock (anyone who knows a code could
#: otherwise lock its survivor out). A right PIN, a new PIN or the caseworker ends it.
FREE_TRIES = 4
MAX_FAILURES = FREE_TRIES + 1  # the wrong try after which the first wait begins
FIRST_WAIT_MINUTES = 1
MAX_WAIT_MINUTES = 15
#: The window of the per-device and per-address throttles.
LOCK_MINUTES = 15
#: Failed attempts from one device (browser) within ``LOCK_MINUTES`` before it must wait.
DEVICE_MAX_FAILURES = 10
#: Failed attempts from one address within ``LOCK_MINUTES`` before it must wait: far
#: higher, because a shelter or an NGO office is one address for many survivors.
ADDRESS_MAX_FAILURES = 200
#: The wording version recorded on consents given in the portal.
EXPLANATION_VERSION = "portal-1"

# A PBKDF2 hash of a random PIN: checked against when the code is unknown, so a
# wrong code takes as long to refuse as a wrong PIN.
_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = make_password("not-a-pin")
    return _DUMMY_HASH


def normalise_reference(reference: str) -> str:
    return "".join((reference or "").split()).upper()[:32]


def keyed_hash(value: str, purpose: str) -> str:
    key = (settings.NORTHSTAR_BLIND_INDEX_KEY or settings.SECRET_KEY).encode()
    return hmac.new(key, f"{purpose}:{value}".encode(), sha256).hexdigest()


def reference_key_of(reference: str) -> str:
    return keyed_hash(normalise_reference(reference), "portal-reference")


def wait_minutes(failures: int) -> int:
    """Minutes a code waits after ``failures`` wrong tries in a row (0: no wait)."""
    if failures <= FREE_TRIES:
        return 0
    return min(FIRST_WAIT_MINUTES * 2 ** (failures - MAX_FAILURES), MAX_WAIT_MINUTES)


#: A code's wait state by its key (unique): SQL written once per process (the staff
#: survivor page asks on every view).
_BACKOFF = Prepared(lambda key: CodeBackoff.objects.filter(reference_key=key),
                    "\x00stands for a reference key")
#: A survivor's portal access (one at most): SQL written once per process.
_ACCESS = Prepared(lambda survivor_id: PortalAccess.objects.filter(survivor_id=survivor_id),
                   -7_320_000_182)


def backoff_of(survivor: Survivor) -> CodeBackoff | None:
    """The survivor's code's wait state, if it had wrong tries since its last success."""
    return _BACKOFF.first(reference_key_of(survivor.reference))


def access_of(survivor: Survivor) -> PortalAccess | None:
    """The survivor's portal access, if a PIN was ever set."""
    return _ACCESS.first(survivor.pk)


def check_pin_quality(pin: str) -> str:
    """Six digits, not trivially guessable. Returns the PIN or raises naming ``pin``."""
    pin = (pin or "").strip()
    if len(pin) != PIN_LENGTH or not pin.isascii() or not pin.isdigit():
        raise DomainError(f"must be exactly {PIN_LENGTH} digits", "pin")
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in zip(digits, digits[1:], strict=False)}
    if len(set(digits)) == 1 or steps in ({1}, {-1}):
        raise DomainError("too easy to guess (all the same or in a row); choose another", "pin")
    return pin


# --- Staff: set, reset, turn off --------------------------------------------------


@transaction.atomic
def set_pin(actor: Actor, survivor: Survivor, *, pin: str) -> PortalAccess:
    """Set or reset the survivor's PIN (chosen with them); clears any lockout and
    ends every portal session opened with the old PIN."""
    pin = check_pin_quality(pin)
    access = PortalAccess.objects.select_for_update().filter(survivor=survivor).first()
    existed = access is not None
    access = access or PortalAccess(survivor=survivor)
    access.pin_hash = make_password(pin)
    access.pin_set_at = timezone.now()
    access.pin_set_by = actor.user
    access.enabled = True
    access.save()
    CodeBackoff.objects.filter(reference_key=reference_key_of(survivor.reference)).delete()
    audit.record(actor, "update" if existed else "create", "portal_access", access.pk,
                 survivor_ref=survivor.reference, fields=["pin_hash"],
                 note="portal PIN reset" if existed else "portal PIN set")
    return access


@transaction.atomic
def disable_access(actor: Actor, survivor: Survivor) -> PortalAccess:
    """Turn the portal off for this survivor at once (e.g. their phone was taken)."""
    access = PortalAccess.objects.select_for_update().filter(survivor=survivor).first()
    if access is None:
        raise DomainError("this survivor has no portal access", "portal_access")
    access.enabled = False
    access.save(update_fields=["enabled"])
    audit.record(actor, "update", "portal_access", access.pk, survivor_ref=survivor.reference,
                 fields=["enabled"], note="portal access turned off")
    return access


@transaction.atomic
def lift_backoff(actor: Actor, survivor: Survivor) -> int:
    """The caseworker lets the survivor try again at once (she called: it was her typing).
    Returns the wrong tries forgotten; audited."""
    backoff = (CodeBackoff.objects.select_for_update()
               .filter(reference_key=reference_key_of(survivor.reference)).first())
    forgotten = backoff.failures if backoff else 0
    if backoff is not None:
        backoff.delete()
    audit.record(actor, "update", "portal_access", survivor.pk, survivor_ref=survivor.reference,
                 fields=["wait_until"],
                 note=f"sign-in wait lifted after {forgotten} wrong tries")
    return forgotten


# --- Signing in ----------------------------------------------------------------------


@dataclass(frozen=True)
class SignInResult:
    #: "ok", "failed", "locked" or "throttled"
    outcome: str
    survivor: Survivor | None = None
    access: PortalAccess | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


def _anonymous(organisation=None) -> Actor:
    return Actor(user=None, organisation=organisation, role=None, channel="portal")


@transaction.atomic
def sign_in(*, reference: str, pin: str, client: str, device: str = "",
            at: dt.datetime | None = None) -> SignInResult:
    """Check a reference code and PIN; every attempt is audited and counted.

    Unknown codes, turned-off access and wrong PINs give the same answer, and slow their
    code down alike (``CodeBackoff``: a doubling wait after ``FREE_TRIES``, never a lock).
    Throttles: per device (``device`` is the browser's signed device cookie; without one,
    the address stands in) at ``DEVICE_MAX_FAILURES``, and per address (``client``) only at
    the much higher ``ADDRESS_MAX_FAILURES``, so one survivor's mistakes at a shelter do
    not lock out everyone else there.
    """
    now = at or timezone.now()
    window_start = now - dt.timedelta(minutes=LOCK_MINUTES)
    ref = normalise_reference(reference)
    client_key = keyed_hash(client or "", "portal-client")
    device_key = keyed_hash(device or f"address:{client or ''}", "portal-device")
    reference_key = keyed_hash(ref, "portal-reference")

    def attempt(succeeded: bool) -> None:
        SignInAttempt.objects.create(at=now, client_key=client_key, device_key=device_key,
                                     reference_key=reference_key, succeeded=succeeded)

    failures = SignInAttempt.objects.filter(succeeded=False, at__gt=window_start)
    throttled = (failures.filter(device_key=device_key).count() >= DEVICE_MAX_FAILURES
                 or failures.filter(client_key=client_key).count() >= ADDRESS_MAX_FAILURES)
    survivor = (Survivor.objects.filter(reference=ref, archived_at__isnull=True)
                .select_related("organisation").first() if ref else None)
    access = (PortalAccess.objects.select_for_update().filter(survivor=survivor).first()
              if survivor else None)
    org = survivor.organisation if survivor else None
    survivor_ref = survivor.reference if survivor else ""
    record_id = access.pk if access else ""

    if throttled:
        check_password(pin or "", _dummy_hash())  # every refusal takes as long as a check
        attempt(False)
        audit.record(_anonymous(org), "create", "portal_sign_in", survivor_ref=survivor_ref,
                     note="sign-in refused: too many failures from this device or address")
        return SignInResult("throttled")

    backoff, _ = CodeBackoff.objects.get_or_create(reference_key=reference_key)
    backoff = CodeBackoff.objects.select_for_update().get(pk=backoff.pk)
    if backoff.waiting(now):
        check_password(pin or "", _dummy_hash())
        attempt(False)  # counts for the device, not for the code: waiting is not guessing
        audit.record(_anonymous(org), "create", "portal_sign_in", record_id,
                     survivor_ref=survivor_ref,
                     note=f"sign-in refused: the code waits until {backoff.wait_until:%H:%M}")
        return SignInResult("locked", access=access)

    if access is None or not access.enabled or not check_password(pin or "", access.pin_hash):
        if access is None or not access.enabled:
            check_password(pin or "", _dummy_hash())
        attempt(False)
        backoff.failures += 1
        wait = wait_minutes(backoff.failures)
        backoff.wait_until = now + dt.timedelta(minutes=wait) if wait else None
        backoff.save(update_fields=["failures", "wait_until", "updated_at"])
        reason = ("wrong PIN" if access is not None and access.enabled
                  else "portal access turned off" if access
                  else "no portal access" if survivor else "unknown code")
        note = f"sign-in failed: {reason} ({backoff.failures} in a row)"
        if wait:
            note += f"; the code waits {wait} minute{'s' if wait > 1 else ''}"
        audit.record(_anonymous(org), "create", "portal_sign_in", record_id,
                     survivor_ref=survivor_ref, note=note)
        return SignInResult("locked" if wait else "failed", access=access)

    attempt(True)
    backoff.delete()
    access.last_sign_in_at = now
    access.save(update_fields=["last_sign_in_at"])
    audit.record(Actor.survivor(survivor), "create", "portal_sign_in", access.pk,
                 survivor_ref=survivor_ref, note="signed in to the portal")
    return SignInResult("ok", survivor=survivor, access=access)


def record_sign_out(actor: Actor, survivor: Survivor, *, quick_exit: bool) -> None:
    """Audited so the caseworker can see a quick exit: it may mean the survivor felt unsafe."""
    audit.record(actor, "update", "portal_session", survivor.pk, survivor_ref=survivor.reference,
                 note="left with quick exit" if quick_exit else "signed out")


def access_seen(actor: Actor, survivor: Survivor) -> PortalAccess | None:
    """The survivor's portal access as staff read it (PIN set, locked, last sign-in): a
    read of the survivor's record, audited like any other."""
    access = PortalAccess.objects.filter(survivor=survivor).first()
    audit.record_read(actor, survivor.pk, record_type="portal_access",
                      survivor_ref=survivor.reference, note="portal access state read")
    return access


def record_view(actor: Actor, survivor: Survivor, *, page: str, detail: str = "") -> None:
    """A survivor reading their own record is a read like any other."""
    audit.record_read(actor, survivor.pk, record_type="portal_page",
                      survivor_ref=survivor.reference,
                      note=f"viewed {page}" + (f" ({detail})" if detail else ""))


# --- The survivor's own choices ------------------------------------------------------


def _require_self(actor: Actor, survivor: Survivor) -> None:
    if actor.survivor_id != survivor.pk:
        raise Forbidden("only the survivor can make this choice in the portal")


def give_consent(actor: Actor, survivor: Survivor, *, purpose: str, language: str) -> Consent:
    """The survivor says yes in the portal: recorded as given by them, method ``portal``."""
    _require_self(actor, survivor)
    if purpose in PURPOSES_NEEDING_RECIPIENT:
        raise DomainError("a referral is agreed with the caseworker, who names the organisation",
                          "purpose")
    if purpose not in ConsentPurpose.values:
        raise DomainError(f"must be one of: {', '.join(ConsentPurpose.values)}", "purpose")
    if survivor.is_child() is not False:
        raise DomainError("a child's consent is given with a parent, guardian or caseworker",
                          "purpose")
    return survivor_actions.record_consent(
        actor, survivor, purpose=purpose, language=language, method=ConsentMethod.PORTAL,
        given_by=ConsentGivenBy.SURVIVOR, explanation_version=EXPLANATION_VERSION,
    )


@transaction.atomic
def withdraw_consents(actor: Actor, survivor: Survivor, *, consents: list[Consent]) -> int:
    """Withdraw each consent at once, all or none; returns how many were in force."""
    _require_self(actor, survivor)
    n = 0
    for consent in consents:
        if consent.survivor_id != survivor.pk:
            raise Forbidden("not this survivor's consent")
        if consent.withdrawn_at is None:
            survivor_actions.withdraw_consent(actor, consent, reason="withdrawn by the survivor "
                                                                  "in the portal")
            n += 1
    return n


def choose_advocacy(actor: Actor, survivor: Survivor, *, visibility: str, version: int) -> Survivor:
    """The survivor's own advocacy choice; the survivors action enforces the child rule."""
    _require_self(actor, survivor)
    return survivor_actions.update_survivor(actor, survivor, version=version,
                                            changes={"advocacy_visibility": visibility})
