"""The survivor and case lists are read as rows of the columns they show (``values()``),
not as model instances; each item answers exactly what the serialisers of the record gave
(``survivor_out`` / ``case_out`` of a model instance, with the age worked out from the date
of birth as before), key for key and in the same order, on every page (issue 13, lists)."""

import datetime as dt
import json

from django.utils import timezone
from ninja.responses import NinjaJSONEncoder

from northstar import policy
from northstar.core.models import AuditEntry
from northstar.referrals import selectors as referral_selectors
from northstar.referrals.actions import take_step
from northstar.survivors import actions
from northstar.survivors.api import case_out, survivor_out
from northstar.survivors.models import ADULT_AGE, Case, Survivor
from northstar.survivors.schemas import CaseOut, SurvivorOut
from tests.query_counts import grow_caseload


def _as_json(items, schema):
    """What the API answers for these items: through the list's schema, then JSON."""
    return json.loads(json.dumps([schema.model_validate(i).model_dump() for i in items],
                                 cls=NinjaJSONEncoder))


def _every_item(client, path: str) -> list[dict]:
    items, cursor = [], None
    while True:
        params = {"page_size": 4, **({"cursor": cursor} if cursor else {})}
        body = client.get(path, params).json()
        items += body["items"]
        cursor = body["next"]
        if not cursor:
            return items


def _old_survivor(actor, survivor: Survivor, today: dt.date) -> dict:
    out = survivor_out(actor, survivor, personal=False)
    if "is_child" in out:  # the method before: the age from the opened date of birth
        age = survivor.age_on(today)
        out["is_child"] = None if age is None else age < ADULT_AGE
    return out


def _varied_population(actor, caseworker, org_b):
    this_year = timezone.localdate().year
    births = [{"date_of_birth": f"{this_year - 18}-01-01"},   # turned 18 this year
              {"date_of_birth": f"{this_year - 18}-12-31"},   # turns 18 on the last day
              {"date_of_birth": "2000-02-29"}, {"date_of_birth": "2015-07-04"},
              {"birth_year": this_year - 18}, {"birth_year": 1980}, {},
              {"date_of_birth": "1990-05-05", "sex": "female", "languages": ["th", "en"],
               "interpreter_needed": True, "nationality": "MM"}]
    for n, data in enumerate(births):
        s = actions.create_survivor(actor, data={"given_name": f"Person {n}", **data})
        case = {"forms_of_exploitation": ["labour", "sex"][: 1 + n % 2],
                "country_of_origin": ["KH", "TH", ""][n % 3], "country_of_destination": "TH"}
        if n % 2:
            case["caseworker_id"] = caseworker.pk
        made = actions.create_case(actor, s, data=case)
        if n == 2:  # a case no one is assigned to
            Case.objects.filter(pk=made.pk).update(caseworker=None)
    grow_caseload(actor, 3, recipient=org_b)


def test_the_survivor_and_case_lists_answer_what_the_record_serialisers_gave(
        api, caseworker, actor_for, org_b):
    actor = actor_for(caseworker)
    _varied_population(actor, caseworker, org_b)
    today = timezone.localdate()
    client = api(caseworker)

    survivors = _every_item(client, "/api/v1/survivors")
    expected = [_old_survivor(actor, s, today)
                for s in policy.visible_survivors(actor).order_by("-created_at", "-id")]
    assert survivors == _as_json(expected, SurvivorOut)
    assert [list(i) for i in survivors] == [list(i) for i in _as_json(expected, SurvivorOut)]
    assert {item["is_child"] for item in survivors} == {True, False, None}

    cases = _every_item(client, "/api/v1/cases")
    expected = [case_out(c) for c in policy.visible_cases(actor).select_related(
        "survivor", "caseworker").order_by("-created_at", "-id")]
    assert cases == _as_json(expected, CaseOut)
    assert [list(i) for i in cases] == [list(i) for i in _as_json(expected, CaseOut)]
    assert {item["cross_border"] for item in cases} == {True, False}
    assert {item["caseworker"] for item in cases} == {caseworker.username, None}

    # A page by number answers the same rows as the cursor walk did.
    page_two = client.get("/api/v1/survivors", {"page_size": 4, "page": 2}).json()
    assert page_two["items"] == survivors[4:8]


def test_a_recipients_list_of_shared_survivors_is_the_same_and_audited_to_the_owner(
        api, caseworker, other_caseworker, actor_for, org_a, org_b):
    actor = actor_for(caseworker)
    _varied_population(actor, caseworker, org_b)
    recipient = actor_for(other_caseworker)
    for referral in referral_selectors.visible_referrals(recipient):
        take_step(recipient, referral, step="accept")
    today = timezone.localdate()
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()

    shown = _every_item(api(other_caseworker), "/api/v1/survivors")

    expected = [_old_survivor(recipient, s, today)
                for s in policy.visible_survivors(recipient).order_by("-created_at", "-id")]
    assert len(shown) == 3 and shown == _as_json(expected, SurvivorOut)
    reads = AuditEntry.objects.filter(id__gt=before, record_type="survivor")
    assert {e.owner_organisation_id for e in reads} == {org_a.pk}
    assert sorted(int(i) for e in reads for i in e.record_ids) == sorted(i["id"] for i in shown)


def test_a_case_list_read_is_audited_to_the_owner_naming_every_case(api, caseworker, actor_for,
                                                                     org_a, org_b):
    _varied_population(actor_for(caseworker), caseworker, org_b)
    before = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    body = api(caseworker).get("/api/v1/cases", {"page_size": 50}).json()
    [entry] = AuditEntry.objects.filter(id__gt=before, record_type="case")
    assert entry.owner_organisation_id == org_a.pk
    assert entry.record_ids == [str(i["id"]) for i in body["items"]]
    assert len(body["items"]) == Case.objects.count() == 11
