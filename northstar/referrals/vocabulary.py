"""The service directory's words: kinds of service, who a service serves, urgency.

One list each, shared by the CSV importer, the API schemas and the forms; a new
kind of service is one line here. The jurisdictions are not repeated here: they
are ``core.jurisdictions.Jurisdiction``, the one list the whole platform serves.
"""

from __future__ import annotations

from northstar.core.jurisdictions import Jurisdiction

SERVICE_KINDS: dict[str, str] = {
    "shelter": "Shelter",
    "medical": "Medical care",
    "mental_health": "Mental health / counselling",
    "legal_aid": "Legal aid",
    "immigration": "Immigration / asylum help",
    "interpretation": "Interpretation",
    "livelihood": "Livelihood / skills training",
    "peer_support": "Peer support",
    "family_tracing": "Family tracing",
    "repatriation": "Repatriation support",
    "financial_assistance": "Financial assistance",
}

POPULATIONS: dict[str, str] = {
    "children": "Children",
    "women": "Women",
    "men": "Men",
    "gender_diverse": "Gender-diverse people",
    "labour_trafficking": "Labour trafficking survivors",
    "sex_trafficking": "Sex trafficking survivors",
}

URGENCIES: dict[str, str] = {
    "routine": "Routine",
    "soon": "Within a week",
    "urgent": "Urgent (within 24 hours)",
    "emergency": "Emergency (immediate danger)",
}

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
