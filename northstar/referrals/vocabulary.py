"""The service directory's words: kinds of service, who a service serves, urgency.

One list each, shared by the CSV importer, the API schemas and the forms; a new
kind of service is one line here. The jurisdictions are not repeated here: they
are ``core.jurisdictions.Jurisdiction``, the one list the whole platform serves.

The keys (``legal_aid``, ``urgent``) are stable identifiers: stored in the database, sent
and accepted by the API and the CSV importer, never shown to a person. The names of the
kinds of service, the urgencies, the populations served, the shareable fields and the
referral steps are marked for translation (lazily: the reader's language is known only
when a page or a letter is written); pages show them through the ``*_names`` functions
here or the ``referral_words`` template filters (``service_kinds``, ``populations``,
``shared_fields``, ``step_name``), never the key.
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

POPULATIONS: dict[str, object] = {
    "children": _("Children"),
    "women": _("Women"),
    "men": _("Men"),
    "gender_diverse": _("Gender-diverse people"),
    "labour_trafficking": _("Labour trafficking survivors"),
    "sex_trafficking": _("Sex trafficking survivors"),
}

URGENCIES: dict[str, object] = {
    "routine": _("Routine"),
    "soon": _("Within a week"),
    "urgent": _("Urgent (within 24 hours)"),
    "emergency": _("Emergency (immediate danger)"),
}


def _name(words: dict[str, object], code: str) -> str:
    """A code of one of these lists as people read it, in the current language; an unknown
    code as it is (an old row the list no longer names is shown, not hidden)."""
    name = words.get(code)
    return str(name) if name is not None else str(code)


def service_kind_name(code: str) -> str:
    """A kind of service as people read it, in the current language."""
    return _name(SERVICE_KINDS, code)


def service_kind_names(codes: Iterable[str], sep: str = ", ") -> str:
    """A referral's needs (codes) as their names, in the current language, joined."""
    return sep.join(service_kind_name(c) for c in codes or ())


def population_names(codes: Iterable[str], sep: str = ", ") -> str:
    """Who a service serves (codes of ``POPULATIONS``) as words, in the current language."""
    return sep.join(_name(POPULATIONS, c) for c in codes or ())


def shared_field_name(code: str) -> str:
    """A shareable field (``date_of_birth``) as people read it ("Date of birth")."""
    return _name(SHAREABLE_FIELDS, code)


def shared_field_names(codes: Iterable[str], sep: str = ", ") -> str:
    """A referral's shared fields, in the order of ``SHAREABLE_FIELDS`` (the form's order;
    unknown codes last), as their names in the current language, joined."""
    order = {code: n for n, code in enumerate(SHAREABLE_FIELDS)}
    ordered = sorted(codes or (), key=lambda c: (order.get(c, len(order)), c))
    return sep.join(shared_field_name(c) for c in ordered)


def step_name(code: str) -> str:
    """A referral step (``accept``, ``revoke``) as the words on its button."""
    return _name(STEPS, code)


#: How long a referral may sit unanswered before the sender is reminded (hours).
ANSWER_WITHIN_HOURS: dict[str, int] = {"routine": 24 * 7, "soon": 72, "urgent": 24,
                                       "emergency": 4}

#: The codes of ``core.jurisdictions.Jurisdiction``, as the importer and the schemas want them.
JURISDICTIONS: tuple[str, ...] = tuple(Jurisdiction.values)

#: Survivor fields a referral may share, and the minimal default. "needs" is the
#: referral's own list of needs; the rest are names of survivor fields, so the
#: access policy can hand them to the survivor pages as they are.
SHAREABLE_FIELDS: dict[str, object] = {
    "reference": _("Reference code"),
    "given_name": _("First name"),
    "aliases": _("Alias"),
    "languages": _("Languages"),
    "needs": _("Needs"),
    "preferred_language": _("Preferred language"),
    "interpreter_needed": _("Needs an interpreter"),
    "sex": _("Sex"),
    "gender": _("Gender"),
    "birth_year": _("Year of birth"),
    "nationality": _("Nationality"),
    "family_name": _("Family name"),
    "date_of_birth": _("Date of birth"),
    "phone": _("Phone"),
    "address": _("Address"),
    "contact_notes": _("Contact notes"),
    "id_document_numbers": _("ID document numbers"),
    # Not a survivor column: the files attached to the survivor (not to a case), opened
    # one by one on the survivor's page, each download audited (``northstar.documents``).
    "documents": _("Attached documents (ID scans, medical reports…)"),
}
DEFAULT_SHARED_FIELDS: frozenset[str] = frozenset(
    {"reference", "given_name", "aliases", "languages", "needs"}
)

#: The steps of a referral's life (``actions._STEPS`` says who may take each, when) as the
#: words on their buttons. The keys are what the API's ``actions`` and the step URLs say.
STEPS: dict[str, object] = {
    "accept": _("Accept"),
    "decline": _("Decline"),
    "start": _("Start"),
    "complete": _("Mark completed"),
    "close": _("Close"),
    "revoke": _("Revoke"),
}
