"""The engines' pages on a case: they work without JavaScript and refuse other organisations."""

import pytest
from django.test import Client

from northstar.pathways import actions as pathways_actions
from northstar.pathways.forms import PrioritiesForm, WishesForm
from northstar.pathways.models import PlanItem, Priorities
from northstar.safeguards.models import Finding, ProposedAction
from northstar.screening.forms import ScreeningForm
from northstar.screening.models import Screening
from northstar.web import forms as web_forms
from northstar.web import intake
from tests.conftest import PASSWORD


def login(user) -> Client:
    client = Client()
    assert client.login(username=user.get_username(), password=PASSWORD)
    return client


@pytest.fixture
def web(caseworker):
    return login(caseworker)


def test_case_page_shows_priorities_plan_screening_and_do_no_harm_panels(web, case_a):
    html = web.get(f"/cases/{case_a.pk}/").content.decode()
    for heading in ("The survivor's priorities", "Plan", "Screening", "Do No Harm"):
        assert heading in html, heading


def test_screening_page_screens_and_shows_the_rules_that_fired(web, case_a):
    url = f"/screening/cases/{case_a.pk}/"
    assert web.get(url).status_code == 200
    res = web.post(
        url,
        {
            "age": "15",
            "act": ["recruitment"],
            "means": ["__none__"],
            "purpose": ["sexual_exploitation"],
            "involuntary": "unknown",
            "menace_of_penalty": "unknown",
        },
    )
    assert res.status_code == 302
    screening = Screening.objects.get()
    assert screening.answers["means"] == [] and screening.classification == "trafficking"
    page = web.get(url).content.decode()
    assert "For a child, an act done for the purpose of exploitation is trafficking" in page
    assert "trafficking_child_act_purpose" not in page  # a rule id is not for people


def test_priorities_then_pathways_in_the_survivors_order_then_the_plan(web, case_a):
    res = web.post(
        f"/pathways/cases/{case_a.pk}/priorities/",
        {
            "rank_healing": "1",
            "rank_safety_self_and_others": "2",
            "rank_monetary_support": "3",
            "words": "I want to feel safe.",
        },
    )
    assert res.status_code == 302
    assert Priorities.objects.get().ranking[0] == "healing"
    res = web.post(
        f"/pathways/cases/{case_a.pk}/",
        {"reconcile": "", "advocacy": "anonymous", "livelihood_interests": "cooking"},
    )
    assert res.status_code == 302
    html = web.get(f"/pathways/cases/{case_a.pk}/").content.decode()
    # healing interventions first, because the survivor ranked healing first
    assert html.index("iv-trauma_informed_support") < html.index("iv-state_compensation")
    res = web.post(
        f"/pathways/cases/{case_a.pk}/plan/add/", {"intervention": "trauma_informed_support"}
    )
    assert res.status_code == 302
    item = PlanItem.objects.get()
    res = web.post(
        f"/pathways/items/{item.pk}/status/", {"status": "agreed", "note": "she said yes"}
    )
    assert res.status_code == 302
    html = web.get(f"/pathways/cases/{case_a.pk}/plan/").content.decode()
    assert "she said yes" in html and "Agreed" in html


def test_a_mistyped_ranking_is_shown_on_the_form_and_changes_nothing(web, case_a):
    res = web.post(
        f"/pathways/cases/{case_a.pk}/priorities/",
        {"rank_healing": "1", "rank_safety_self_and_others": "1", "rank_monetary_support": "3"},
    )
    assert res.status_code == 200 and "this one is taken" in res.content.decode()
    assert not Priorities.objects.exists()


def test_safeguards_page_shows_findings_where_the_action_is_taken(web, case_a):
    res = web.post(f"/safeguards/cases/{case_a.pk}/", {"action": "interview", "do": "check"})
    assert res.status_code == 200
    assert "interpreter_needed_for_interview" in res.content.decode()
    assert not Finding.objects.exists()


def test_a_caseworker_cannot_record_a_blocked_action_on_the_page(web, case_a):
    res = web.post(
        f"/safeguards/cases/{case_a.pk}/",
        {"action": "restrict_movement", "do": "record", "justification": "x" * 30},
    )
    assert res.status_code == 403
    assert "never_restrict_movement_in_shelter" in res.content.decode()
    assert not ProposedAction.objects.exists()


def test_a_supervisor_records_a_blocked_action_with_a_reason_and_lists_open_findings(
    supervisor, case_a
):
    web = login(supervisor)
    res = web.post(
        f"/safeguards/cases/{case_a.pk}/",
        {
            "action": "interview",
            "do": "record",
            "ctx_previous_interviews": "4",
            "justification": "Court hearing tomorrow; interpreter on the phone, survivor agreed.",
        },
    )
    assert res.status_code == 302
    assert ProposedAction.objects.get().overridden_by == supervisor
    html = web.get("/safeguards/findings/").content.decode()
    assert "minimise_retelling_the_story" in html
    finding = Finding.objects.get(status="open")
    res = web.post(
        f"/safeguards/findings/{finding.pk}/resolve/",
        {"status": "resolved", "justification": "used the statement"},
    )
    assert res.status_code == 302
    assert Finding.objects.filter(status="open").count() == 0


def test_another_organisation_gets_404_on_every_engine_page(
    other_caseworker, case_a, caseworker, actor_for
):
    from northstar.pathways import actions

    actions.assess_case(actor_for(caseworker), case_a)
    item = actions.add_plan_item(actor_for(caseworker), case_a, intervention="peer_therapy")
    web = login(other_caseworker)
    urls = [
        f"/screening/cases/{case_a.pk}/",
        f"/pathways/cases/{case_a.pk}/",
        f"/pathways/cases/{case_a.pk}/priorities/",
        f"/pathways/cases/{case_a.pk}/plan/",
        f"/safeguards/cases/{case_a.pk}/",
    ]
    assert [web.get(u).status_code for u in urls] == [404] * len(urls)
    assert web.post(f"/pathways/items/{item.pk}/status/", {"status": "stopped"}).status_code == 404
    assert PlanItem.objects.get().status == "proposed"



def test_the_intake_asks_the_same_questions_as_the_case_pages():
    """One definition of each form, so a survivor hears the same words on every page."""
    assert intake.ScreeningForm is ScreeningForm
    assert intake.PrioritiesForm is PrioritiesForm
    assert intake.WishesForm is WishesForm
    for duplicate in ("ScreeningAnswersForm", "PrioritiesForm", "WishesForm"):
        assert not hasattr(web_forms, duplicate), duplicate


def test_the_priorities_page_asks_for_a_rank_of_each_outcome(web, case_a):
    html = web.get(f"/pathways/cases/{case_a.pk}/priorities/").content.decode()
    assert "Rank of “Healing from trauma”" in html and 'name="rank_healing"' in html


def test_a_survivor_who_will_not_testify_sees_which_routes_work_without_it(
    web, case_a, caseworker, actor_for
):
    case_a.trial_participation = "no"
    case_a.save()
    pathways_actions.assess_case(actor_for(caseworker), case_a)
    page = web.get(f"/pathways/cases/{case_a.pk}/").content.decode()
    assert "Compensation routes that work without her testimony" in page
    # Thailand records no route known to work without testimony once settlement is excluded
    # (the case is not screened, so settlement is never listed): say so, never promise.
    assert "That is not known to be absent" in page
