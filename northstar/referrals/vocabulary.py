"""The service directory's words: kinds of service, who a service serves, urgency.

One list each, shared by the CSV importer, the API schemas and the forms; a new
kind of service is one line here. The jurisdictions are not repeated here: they
are ``core.jurisdictions.Jurisdiction``, the one list the whole platform serves.

The keys (``legal_aid``, ``urgent``) are stable identifiers: stored in the database, sent
and accepted by the API and the CSV importer, never shown to a person. The names of the
kinds of service and of the urgencies are marked for translation (lazily: the reader's
language is known only when a page or a letter is written); pages show them through
``service_kind_names`` here or the ``service_kinds`` template filter, never the key.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from northstar.core.jurisdictions import Jurisdiction

SERVICE_KINDS: dict[str, object] = {
    "shelter": _("Shelter"),
    "medical": _("Medical care"),
    "mental_health": _("Mental health / counselling"),
    "legal_aid": _("Legal aid"),
    "immigration": _("Immigration / asylum help"),
    "interpretation": _("Interpretation"),
    "livelihood": _("Livelihood / skills training"),
    "peer_support": _("Peer support"),
    "family_tracing": _("Family tracing"),
    "repatriation": _("Repatriation support"),
    "financial_assistance": _("Financial assistance"),
}

POPULATIONS: dict[str, str] = {
    "children": "Children",
    "women": "Women",
    "men": "Men",
    "gender_diverse": "Gender-diverse people",
    "labour_trafficking": "Labour trafficking survivors",
    "sex_trafficking": "Sex trafficking survivors",
}

URGENCIES: dict[str, object] = {
    "routine": _("Routine"),
    "soon": _("Within a week"),
    "urgent": _("Urgent (within 24 hours)"),
    "emergency": _("Emergency (immediate danger)"),
}


def service_kind_name(code: str) -> str:
    """A kind of service as people read it, in the current language; an unknown code as
    it is (an old row the list no longer names is shown, not hidden)."""
    name = SERVICE_KINDS.get(code)
    return str(name) if name is not None else str(code)


def service_kind_names(codes: Iterable[str], sep: str = ", ") -> str:
    """A referral's needs (codes) as their names, in the current language, joined."""
    return sep.join(service_kind_name(c) for c in codes or ())


#: How long a referral may sit unanswered before the sender is reminded (hours).
ANSWER_WITHIN_HOURS: dict[str, int] = {"routine": 24 * 7, "soon": 72, "urgent": 24,
                                       "emergency": 4}

#: The codes of ``core.jurisdictions.Jurisdiction``, as the importer and the schemas want them.
JURISDICTIONS: tuple[str, ...] = tuple(Jurisdiction.values)

#: Survivor fields a referral may share, and the minimal default. "needs" is the
#: referral's own list of needs; the rest are names of survivor fields, so the
#: access policy can hand them to the survivor pages as they are.
SHAREABLE_FIELDS: dict[str, str] = {
    "reference": "Reference code",
    "given_name": "First name",
    "aliases": "Alias",
    "languages": "Languages",
    "needs": "Needs",
    "preferred_language": "Preferred language",
    "interpreter_needed": "Needs an interpreter",
    "sex": "Sex",
    "gender": "Gender",
    "birth_year": "Year of birth",
    "nationality": "Nationality",
    "family_name": "Family name",
    "date_of_birth": "Date of birth",
    "phone": "Phone",
    "address": "Address",
    "contact_notes": "Contact notes",
    "id_document_numbers": "ID document numbers",
    # Not a survivor column: the files attached to the survivor (not to a case), opened
    # one by one on the survivor's page, each download audited (``northstar.documents``).
    "documents": "Attached documents (ID scans, medical reports…)",
}
DEFAULT_SHARED_FIELDS: frozenset[str] = frozenset(
    {"reference", "given_name", "aliases", "languages", "needs"}
)
