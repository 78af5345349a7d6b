"""The languages survivors are served in, shared by the portal and the staff pages.

Kept in ``core`` (below every app) so that the intake in ``web`` and the
``portal`` ask the same question the same way without importing each other.
"""

from __future__ import annotations

#: The portal's languages (Django's spelling, as in ``settings.LANGUAGES``).
PORTAL_LANGUAGES = ("en", "km", "th", "vi", "my", "fil", "id", "lo", "zh-hant")


def base_language(language: str | None) -> str:
    """Map any tag we may meet (``zh-Hant``, ``zh_TW``, ``tl``, ``km-KH``) to a portal language."""
    code = (language or "en").replace("_", "-").lower()
    if code.startswith("zh"):
        return "zh-hant"
    if code in ("tl", "fil") or code.startswith(("tl-", "fil-")):
        return "fil"
    code = code.split("-")[0]
    return code if code in PORTAL_LANGUAGES else "en"
