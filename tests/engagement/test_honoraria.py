"""Honoraria: owed for time given and nothing else, at the organisation's rate (or the
default as data), to the currency's minor unit; payments by methods that do not expose the
survivor, their account details sealed."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from northstar.core.errors import Conflict, DomainError
from northstar.engagement import actions as engagement
from northstar.engagement.models import HonorariumEntry, LedgerEntryKind
from northstar.engagement.rules import rates
from northstar.rules import loader
from northstar.rules.errors import RuleDataError
from tests.engagement.conftest import held


@pytest.fixture
def took_part(consenting, coord, make_activity):
    def build(**extra):
        activity = make_activity(**extra)
        p = engagement.invite(coord, activity, survivor=consenting, pseudonym="Lotus")
        engagement.answer(coord, p, accept=True)
        engagement.prepare(coord, p, support_person="Peer", briefed=True,
                           debriefing_planned=True)
        held(activity)
        engagement.check_before_activity(coord, p)
        return p

    return build


def test_owed_is_hours_times_the_default_rate_of_the_organisations_currency(took_part, coord):
    entry = engagement.record_time_given(coord, took_part(kind="training", hours="2.5"))
    assert entry.currency == "THB"  # org A works in Thailand
    assert entry.rate == rates.default_rate("training", "THB")
    assert entry.amount == Decimal("2.5") * entry.rate


def test_the_organisations_own_rate_wins_over_the_default(took_part, users, actor_for, coord):
    admin = actor_for(users[("a", "org_admin")])
    engagement.set_rate(admin, kind="peer_support", currency="KHR", per_hour="12345.555")
    entry = engagement.record_time_given(coord, took_part(kind="peer_support", hours="1"))
    assert (entry.currency, entry.amount) == ("KHR", Decimal("12345.56"))  # KHR: 2 places


def test_a_currency_without_minor_units_rounds_to_whole_units():
    assert rates.owed(Decimal("1.5"), Decimal("333"), "VND") == Decimal("500")


def test_time_is_not_counted_while_the_check_before_the_activity_has_a_block(took_part, coord):
    p = took_part(offender_may_be_present=True)
    with pytest.raises(DomainError) as refused:
        engagement.record_time_given(coord, p)
    assert "Do No Harm" in refused.value.message


def test_time_given_is_recorded_once(took_part, coord):
    p = took_part()
    engagement.record_time_given(coord, p)
    with pytest.raises(Conflict):
        engagement.record_time_given(coord, p)


def test_nothing_but_time_given_can_make_an_honorarium_owed():
    """The ledger has no field that could make an honorarium conditional (on testimony, a
    hearing, an outcome): adding one fails here, on purpose."""
    fields = {f.name for f in HonorariumEntry._meta.get_fields()}
    assert fields == {"id", "organisation", "survivor", "participation", "kind", "hours", "rate",
                      "amount", "currency", "method", "account_details", "on", "recorded_at",
                      "recorded_by_label"}


def test_a_payment_is_recorded_with_its_account_details_sealed(consenting, coord):
    entry = engagement.record_payment(coord, consenting, amount="150", currency="thb",
                                      method="mobile_money", account_details="+66 81 234 5678",
                                      on=timezone.localdate())
    assert (entry.kind, entry.currency, entry.amount) == (LedgerEntryKind.PAID, "THB",
                                                          Decimal("150.00"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT account_details FROM engagement_honorariumentry WHERE id = %s",
                       [entry.pk])
        stored = cursor.fetchone()[0]
    assert "5678" not in str(stored)


def test_an_unknown_payment_method_is_refused_naming_the_field(consenting, coord):
    with pytest.raises(DomainError) as refused:
        engagement.record_payment(coord, consenting, amount="1", currency="THB",
                                  method="cheque", on=timezone.localdate())
    assert refused.value.field == "method"


def test_only_an_administrator_sets_the_rates_page(client, users):
    client.force_login(users[("a", "council_coordinator")])
    refused = client.post("/engagement/honoraria/", {"op": "rate", "kind": "training",
                                                     "currency": "THB", "per_hour": "1"})
    assert refused.status_code == 403
    client.force_login(users[("a", "org_admin")])
    saved = client.post("/engagement/honoraria/", {"op": "rate", "kind": "training",
                                                   "currency": "THB", "per_hour": "250"})
    assert saved.status_code == 302


def test_the_default_rates_are_data_with_a_source_and_a_bad_amount_names_the_file(tmp_path):
    assert all(entry.source and entry.checked for entry in rates.data().rates)
    bad = tmp_path / "honoraria.toml"
    bad.write_text(rates.RULES_FILE.read_text().replace('training = "200"', 'training = "lots"', 1))
    with pytest.raises(RuleDataError, match="honoraria.toml"):
        loader.load(bad, rates.HonorariaFile)


def test_manage_rules_lists_the_default_honoraria_with_their_sources():
    out = io.StringIO()
    call_command("rules", "--set", "honoraria", "--json", stdout=out)
    rows = json.loads(out.getvalue())
    assert {"THB.training", "KHR.peer_support", "USD.research"} <= {r["id"] for r in rows}
    assert all(r["source"] and r["checked"] for r in rows)
