"""The scale benchmark's population (``manage.py bench_population``): clones of the demo
organisation's survivors with what hangs off them, each a new sealed person."""

import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from northstar.core.fields import reveal
from northstar.core.management.commands.bench_population import Command
from northstar.survivors.actions import _check_child_advocacy
from northstar.survivors.models import Case, Consent, Survivor


@pytest.fixture
def population(db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("bench_population", survivors=75, batch=20, stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    return Survivor.objects.filter(organisation__code="MHF")


def test_the_organisation_grows_to_the_number_asked_for(population):
    assert population.count() == 75


def test_each_clone_is_a_new_person_sealed_with_its_own_blind_index(population):
    clones = list(population.order_by("-id")[:20])
    assert len({s.reference for s in clones}) == 20
    assert all(s.reference.startswith("MHF-") for s in clones)
    assert all(reveal(s.given_name).startswith("Bench ") for s in clones)
    with_dob = [s for s in clones if reveal(s.date_of_birth)]
    assert with_dob and all(s.duplicate_key for s in with_dob)


def test_clones_carry_the_demo_records_that_hang_off_a_survivor(population):
    clones = population.order_by("-id")[:30]
    assert Case.objects.filter(survivor__in=clones).count() >= 30
    assert Consent.objects.filter(survivor__in=clones).exists()
    case = Case.objects.filter(survivor__in=clones).first()
    assert case.reference.startswith(case.survivor.reference)


def test_running_it_again_with_the_same_figures_adds_nothing(population):
    call_command("bench_population", survivors=75, stdout=open("/dev/null", "w"))  # noqa: SIM115, PTH123
    assert population.count() == 75


def test_a_clone_is_of_its_templates_age_group(population):
    """A child's clone is a child, an adult's an adult, an unknown age stays unknown: so
    the rules the template's records met through the real actions hold for the clone (a
    clone re-aged at random could be a child taking part in advocacy under their own name,
    which ``update_survivor`` refuses to keep: the update bench got 422s)."""
    templates = list(Survivor.objects.filter(organisation__code="MHF").order_by("id")[:50])
    assert {t.is_child() for t in templates} >= {True, False}
    rng, now = random.Random(7), timezone.now()  # noqa: S311 - synthetic data
    fields = [f.attname for f in Survivor._meta.concrete_fields if not f.primary_key]
    for template in templates:
        for _ in range(20):
            clone = Survivor(**{name: getattr(template, name) for name in fields})
            Command._new_person(clone, template.organisation, rng, now)
            assert clone.is_child() == template.is_child(), template.reference
            _check_child_advocacy(clone)


def test_no_cloned_child_takes_part_in_advocacy_under_their_own_name(population):
    clones = [s for s in population if reveal(s.given_name).startswith("Bench ")]
    assert clones
    for survivor in clones:
        _check_child_advocacy(survivor)
