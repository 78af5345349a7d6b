"""A lookup whose SQL is written once per process (``core.prepared``) gives exactly what
Django's queryset gives: every column converted as the ORM converts it (dates and times,
sealed fields, decimals, JSON), related rows included, on every call, not just the first."""

from django.db.models import Model

from northstar.core.prepared import Prepared
from northstar.survivors.models import Case, Survivor


def _values(obj: Model) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_prepared_survivor_lookup_gives_what_the_queryset_gives(survivor_a, case_a):
    prepared = Prepared(lambda pk: Survivor.objects.filter(pk=pk)[:1], -9_000_000_001)
    for _ in range(3):  # the kept plan, its column converters included, reused
        found = prepared.first(survivor_a.pk)
        expected = Survivor.objects.get(pk=survivor_a.pk)
        assert _values(found) == _values(expected)
        assert found.created_at == expected.created_at and found.created_at.tzinfo is not None
        assert found.date_of_birth == expected.date_of_birth  # a sealed field, opened
    assert prepared.first(-1) is None


def test_a_prepared_case_lookup_builds_its_related_rows_as_the_queryset_does(case_a):
    prepared = Prepared(lambda pk: Case.objects.filter(pk=pk).select_related(
        "survivor", "caseworker")[:1], -9_000_000_002)
    expected = Case.objects.select_related("survivor", "caseworker").get(pk=case_a.pk)
    for _ in range(2):
        found = prepared.first(case_a.pk)
        assert _values(found) == _values(expected)
        assert _values(found.survivor) == _values(expected.survivor)
        assert _values(found.caseworker) == _values(expected.caseworker)
