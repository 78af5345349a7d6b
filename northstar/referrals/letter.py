"""The referral letter (PDF) for a recipient outside Northstar.

It carries the shared fields and nothing else. Text is marked for
translation; the survivor's name may be in any script, so the fonts are Noto
(Latin, Thai, Khmer, Myanmar, Lao, CJK) as installed on the server.
"""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from northstar.core.fields import reveal
from northstar.referrals.models import Referral
from northstar.referrals.vocabulary import (
    SHAREABLE_FIELDS,
    URGENCIES,
    service_kind_names,
    shared_field_name,
)
from northstar.survivors.models import Survivor


def shared_values(referral: Referral) -> dict[str, str]:
    """Shared field name → text, in the order of ``SHAREABLE_FIELDS``."""
    survivor = referral.survivor
    out: dict[str, str] = {}
    for name in SHAREABLE_FIELDS:
        if name not in referral.shared_fields:
            continue
        if name == "needs":
            value = service_kind_names(referral.needs)
        elif name == "documents":
            value = _("shared in Northstar: open them on the survivor's page")
        elif name in Survivor.PERSONAL_FIELDS:
            value = reveal(getattr(survivor, name))
        else:
            raw = getattr(survivor, name)
            if isinstance(raw, list):
                value = ", ".join(raw)
            elif isinstance(raw, bool):
                value = _("yes") if raw else _("no")
            else:
                value = "" if raw is None else str(raw)
        out[name] = value
    return out


def render_html(referral: Referral, values: dict[str, str]) -> str:
    rows = [(shared_field_name(k), v or "—") for k, v in values.items()]
    return render_to_string("referrals/letter.html", {
        "referral": referral, "rows": rows, "today": timezone.localdate(),
        "urgency": str(URGENCIES.get(referral.urgency, referral.urgency)),
        "service": referral.service,
    })


def render_pdf(referral: Referral, values: dict[str, str]) -> bytes:
    # WeasyPrint loads Pango and friends (native libraries, hundreds of ms): only
    # the rare letter export pays for it, not every process that imports referrals.
    from weasyprint import HTML

    return HTML(string=render_html(referral, values)).write_pdf()
