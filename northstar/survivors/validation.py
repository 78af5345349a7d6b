"""Checks on survivor and case data shared by the API, the pages and the CLI.

Each failure names the field, so every channel can answer "422, field X".
"""

from __future__ import annotations

import datetime as dt
import re
from functools import cache

from django.utils import timezone

from northstar.core import places
from northstar.core.errors import DomainError
from northstar.core.jurisdictions import Jurisdiction
from northstar.survivors import models as m

# --- The limits of survivor and case fields, defined once ------------------------
# The API schemas (``survivors/schemas.py``) and the page forms (``web/forms.py``)
# derive their limits from these names, so the three channels cannot disagree.

COUNTRY_PATTERN = r"^[A-Z]{2}$"
LANGUAGE_PATTERN = r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
#: Longest language tag kept (e.g. ``zh-Hant-TW``).
LANGUAGE_MAX = 10
#: Sealed personal text fields and their longest length.
PERSONAL_TEXT = {"given_name": 200, "family_name": 200, "aliases": 500, "phone": 50,
                 "address": 1000, "id_document_numbers": 500, "contact_notes": 5000}
SUMMARY_MAX = 20000
EARLIEST_BIRTH_YEAR = 1900
MAX_LANGUAGES = 20
MAX_TRANSIT_COUNTRIES = 20
MAX_TEXT = 2000

COUNTRY = re.compile(COUNTRY_PATTERN)
LANGUAGE = re.compile(LANGUAGE_PATTERN)


def _text(field: str, value, limit: int = MAX_TEXT) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise DomainError("must be text", field)
    value = value.strip()
    if len(value) > limit:
        raise DomainError(f"must be at most {limit} characters", field)
    return value


@cache
def _allowed(choices) -> frozenset:
    return frozenset(choices.values)


def _choice(field: str, value, choices) -> str:
    if value not in _allowed(choices):
        raise DomainError(f"must be one of: {', '.join(choices.values)}", field)
    return value


def _choices_list(field: str, value, choices, *, required: bool = False) -> list[str]:
    if not isinstance(value, list | tuple):
        raise DomainError("must be a list", field)
    bad = [v for v in value if v not in choices.values]
    if bad:
        raise DomainError(f"unknown value(s) {bad}; allowed: {', '.join(choices.values)}", field)
    if required and not value:
        raise DomainError("choose at least one", field)
    return list(dict.fromkeys(value))


def _country(field: str, value, *, blank_ok: bool = True) -> str:
    value = (value or "").strip().upper() if isinstance(value, str) or value is None else value
    if value == "" and blank_ok:
        return ""
    if not isinstance(value, str) or not COUNTRY.match(value) or not places.is_country(value):
        raise DomainError(places.COUNTRY_ERROR, field)
    return value


def _date(field: str, value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise DomainError("must be a date as YYYY-MM-DD", field) from None


def clean_survivor(data: dict, *, child_check_on=None, today: dt.date | None = None) -> dict:
    """Validated copy of ``data`` (only the keys given). ``today`` (default: the local date)
    lets a bulk import check thousands of rows against one date."""
    clean: dict = {}
    for key, value in data.items():
        if key in PERSONAL_TEXT:
            clean[key] = _text(key, value, PERSONAL_TEXT[key])
        elif key == "date_of_birth":
            dob = _date(key, value)
            if dob and dob > (today or timezone.localdate()):
                raise DomainError("cannot be in the future", key)
            clean[key] = dob.isoformat() if dob else ""
        elif key == "birth_year":
            if value in (None, ""):
                clean[key] = None
            elif isinstance(value, bool) or not isinstance(value, int):
                raise DomainError("must be a whole number", key)
            elif not EARLIEST_BIRTH_YEAR <= value <= (today or timezone.localdate()).year:
                raise DomainError(f"must be a year between {EARLIEST_BIRTH_YEAR} and this year",
                                  key)
            else:
                clean[key] = value
        elif key == "sex":
            clean[key] = _choice(key, value, m.Sex)
        elif key == "gender":
            clean[key] = _choice(key, value, m.Gender)
        elif key == "nationality":
            clean[key] = _country(key, value)
        elif key == "languages":
            if not isinstance(value, list) or not all(
                isinstance(v, str) and LANGUAGE.match(v) and places.is_language(v) for v in value
            ):
                raise DomainError(places.LANGUAGE_ERROR, key)
            value = [places.normalise_language(v) for v in value]
            if len(value) > MAX_LANGUAGES:
                raise DomainError(f"at most {MAX_LANGUAGES} languages", key)
            clean[key] = list(dict.fromkeys(value))
        elif key == "preferred_language":
            if not isinstance(value, str) or not LANGUAGE.match(value) \
                    or len(value) > LANGUAGE_MAX or not places.is_language(value):
                raise DomainError(places.LANGUAGE_ERROR, key)
            clean[key] = places.normalise_language(value)
        elif key == "interpreter_needed":
            if not isinstance(value, bool):
                raise DomainError("must be true or false", key)
            clean[key] = value
        elif key == "advocacy_visibility":
            clean[key] = _choice(key, value, m.AdvocacyVisibility)
        elif key == "family_involved":
            clean[key] = _choice(key, value, m.YesNoUnknown)
        else:
            raise DomainError("unknown field", key)
    dob, year = clean.get("date_of_birth"), clean.get("birth_year")
    if dob and year and int(dob[:4]) != year:
        raise DomainError("does not match the date of birth", "birth_year")
    return clean


def clean_case(data: dict) -> dict:
    clean: dict = {}
    for key, value in data.items():
        if key == "jurisdiction":
            clean[key] = _choice(key, value, Jurisdiction)
        elif key == "forms_of_exploitation":
            clean[key] = _choices_list(key, value, m.ExploitationForm, required=True)
        elif key == "sectors":
            clean[key] = _choices_list(key, value, m.Sector)
        elif key in ("country_of_origin", "country_of_destination"):
            clean[key] = _country(key, value)
        elif key == "transit_countries":
            if not isinstance(value, list):
                raise DomainError("must be a list", key)
            if len(value) > MAX_TRANSIT_COUNTRIES:
                raise DomainError(f"at most {MAX_TRANSIT_COUNTRIES} countries", key)
            clean[key] = [_country(key, v, blank_ok=False) for v in value]
        elif key in ("period_start", "period_end"):
            clean[key] = _date(key, value)
        elif key == "recruitment_method":
            clean[key] = _choice(key, value, m.RecruitmentMethod)
        elif key == "relationship_to_offender":
            clean[key] = _choice(key, value, m.Relationship)
        elif key == "coercion":
            clean[key] = _choice(key, value, m.Coercion)
        elif key == "fears_retaliation_at_home":
            if value is not None and not isinstance(value, bool):
                raise DomainError("must be true, false or null", key)
            clean[key] = value
        elif key == "trial_participation":
            clean[key] = _choice(key, value, m.TrialParticipation)
        elif key == "status":
            clean[key] = _choice(key, value, m.CaseStatus)
        elif key == "summary":
            clean[key] = _text(key, value, SUMMARY_MAX)
        elif key == "entry":
            clean[key] = _choice(key, value, m.Entry)
        elif key in m.MIGRATION_FACTS:
            clean[key] = _choice(key, value, m.YesNoUnknown)
        elif key == "caseworker_id":
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise DomainError("must be a user id", key)
            clean[key] = value
        else:
            raise DomainError("unknown field", key)
    start, end = clean.get("period_start"), clean.get("period_end")
    if start and end and end < start:
        raise DomainError("must not be before period_start", "period_end")
    return clean
