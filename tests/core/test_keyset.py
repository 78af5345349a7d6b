"""Keyset paging (``core.keyset``): what can be paged by cursor, and what a cursor may hold."""

from __future__ import annotations

import pytest

from northstar.core import keyset
from northstar.core.errors import DomainError
from northstar.core.models import Organisation
from northstar.survivors.models import Survivor


@pytest.mark.django_db
def test_an_ordering_ending_in_the_id_can_be_paged_by_cursor():
    order = keyset.ordering(Survivor.objects.all())
    assert [(f.name, desc) for f, desc in order] == [("created_at", True), ("id", True)]


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", [("created_at",), ("organisation__name", "id"),
                                      ("archived_at", "id"), ("?",)])
def test_an_ordering_that_is_not_unique_plain_and_non_null_is_paged_by_number_only(ordering):
    assert keyset.ordering(Survivor.objects.order_by(*ordering)) is None
    with pytest.raises(DomainError) as refused:
        keyset.after(Survivor.objects.order_by(*ordering), "anything")
    assert refused.value.field == "cursor"


def test_a_list_in_memory_is_counted_and_paged_by_number():
    assert keyset.count([1, 2, 3]) == keyset.Count(3, True)
    assert keyset.page([1, 2, 3], size=2).rows == [1, 2]


@pytest.mark.django_db
def test_a_signed_cursor_with_values_of_the_wrong_kind_is_refused(org_a):
    from django.core import signing
    qs = Survivor.objects.all()
    salt = keyset._salt(qs, keyset.ordering(qs))
    for values in (["not a date", "1"], ["2026-01-01T00:00:00+00:00"], {"a": 1}, [1, 2]):
        with pytest.raises(DomainError):
            keyset.after(qs, signing.dumps(values, salt=salt))
    assert Organisation.objects.filter(pk=org_a.pk).exists()


def test_a_capped_count_reads_as_more():
    assert str(keyset.Count(10_000, False)) == "10,000+"
    assert str(keyset.Count(12, True)) == "12"
