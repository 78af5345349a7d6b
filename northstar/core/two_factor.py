"""TOTP two-factor for staff (django-otp): enrolment, verification, recovery codes.

A person enrols by scanning a QR code (rendered here as SVG: no external host
sees the secret) and typing one code; they then get ten single-use recovery
codes, shown once. Enrolment and new recovery codes are audited.
"""

from __future__ import annotations

import base64

import qrcode
import qrcode.image.svg
from django.db import transaction
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from northstar.core import audit
from northstar.core.actor import Actor

AUTHENTICATOR = "authenticator"
RECOVERY = "recovery codes"
RECOVERY_CODES = 10


def has_device(user) -> bool:
    return bool(user and user.is_authenticated and user_has_device(user, confirmed=True))


def pending_device(user) -> TOTPDevice:
    """The not-yet-confirmed authenticator being enrolled (made on first sight)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


def secret_of(device: TOTPDevice) -> str:
    """The shared secret in the base32 form authenticator apps accept when typed."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_svg(device: TOTPDevice) -> str:
    """The ``otpauth://`` link as an inline SVG QR code (no image host, CSP-safe)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    return image.to_string(encoding="unicode")


def _clean(code: str) -> str:
    return "".join((code or "").split())[:16]


@transaction.atomic
def confirm_enrolment(actor: Actor, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirms the authenticator if ``code`` is right; returns the new recovery codes."""
    if not device.verify_token(_clean(code)):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    audit.record(actor, "create", "two_factor_device", device.pk,
                 note="enrolled an authenticator for two-factor sign-in")
    return new_recovery_codes(actor, device.user)


@transaction.atomic
def new_recovery_codes(actor: Actor, user) -> list[str]:
    """Replaces any earlier recovery codes with ten new single-use ones, shown once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    audit.record(actor, "create", "two_factor_recovery_codes", device.pk,
                 note=f"issued {RECOVERY_CODES} new recovery codes")
    return codes


def verify(user, code: str):
    """The device that accepts ``code`` (an authenticator code or an unused recovery
    code, which is then used up), or ``None``. django-otp slows repeated failures."""
    code = _clean(code)
    if not code:
        return None
    return match_token(user, code)
