"""Running a caseload on pages (issue 14): correct facts, close and reopen, archive, assign.

Each test drives the real pages as a signed-in member of staff and checks what was saved,
what was audited and what another organisation gets (404).
"""

from __future__ import annotations

import re

import pytest

from northstar.core.models import AuditEntry
from northstar.core.roles import Role
from northstar.justice.models import CaseTask
from northstar.survivors import actions
from northstar.survivors.models import Case, StatusChange, Survivor
from tests.web.test_intake import client_for


def _form_values(html: str) -> dict:
    """The values of the text inputs of a rendered form, by name."""
    return {m.group(1): m.group(2) for m in re.finditer(
        r'<input type="(?:text|hidden|number|date)" name="(\w+)" value="([^"]*)"', html)}


def _survivor_post(survivor: Survivor, **changes) -> dict:
    data = {"given_name": "Demo Sokha", "family_name": "Testperson", "aliases": "",
            "date_of_birth": "1998-04-12", "birth_year": "1998", "sex": "female",
            "gender": "unknown", "nationality": "KH", "languages": "km",
            "preferred_language": "km", "interpreter_needed": "on", "phone": "+855 12 345 678",
            "address": "Demo street 1", "id_document_numbers": "", "contact_notes": "",
            "family_involved": "unknown", "version": str(survivor.version)}
    data.update(changes)
    return data


def _case_post(case: Case, **changes) -> dict:
    data = {"forms_of_exploitation": ["labour"], "sectors": ["fishing"],
            "country_of_origin": "KH", "country_of_destination": "TH",
            "period_start": "2024-01-01", "period_end": "2024-06-30",
            "recruitment_method": "unknown", "relationship_to_offender": "stranger",
            "coercion": "high", "trial_participation": "undecided", "entry": "unknown",
            "visa_tied_to_employer": "unknown", "documents_held_by_employer": "unknown",
            "recruitment_debt": "unknown",
            "summary": "Worked on a boat for six months without pay.",
            "version": str(case.version)}
    data.update(changes)
    return data


# --- Correcting facts ---------------------------------------------------------------


def test_the_survivor_edit_form_opens_the_record_as_saved_and_logs_the_opening(
        survivor_a, caseworker):
    client = client_for(caseworker)
    reads = AuditEntry.objects.filter(action="read", record_type="survivor")
    before = reads.count()
    response = client.get(f"/survivors/{survivor_a.pk}/edit/")
    assert response.status_code == 200
    values = _form_values(response.content.decode())
    assert values["given_name"] == "Demo Sokha" and values["phone"] == "+855 12 345 678"
    assert values["version"] == str(survivor_a.version)
    assert reads.count() == before + 1
    assert "given_name" in reads.order_by("-pk").first().fields


def test_correcting_a_nationality_saves_only_that_field_and_audits_it(survivor_a, caseworker):
    client = client_for(caseworker)
    response = client.post(f"/survivors/{survivor_a.pk}/edit/",
                           _survivor_post(survivor_a, nationality="MM"))
    assert response.status_code == 302
    survivor_a.refresh_from_db()
    assert survivor_a.nationality == "MM" and survivor_a.version == 2
    entry = AuditEntry.objects.filter(action="update", record_type="survivor").order_by("-pk")[0]
    assert entry.fields == ["nationality"]


def test_a_stale_survivor_form_shows_what_the_other_person_changed_and_keeps_what_i_typed(
        survivor_a, caseworker, supervisor, actor_for):
    client = client_for(caseworker)
    opened_at = survivor_a.version
    # Meanwhile the supervisor corrects the phone number.
    actions.update_survivor(actor_for(supervisor), survivor_a, version=opened_at,
                            changes={"phone": "+855 99 000 111", "gender": "woman"})
    response = client.post(f"/survivors/{survivor_a.pk}/edit/", _survivor_post(
        survivor_a, version=str(opened_at), phone="+855 12 999 999", aliases="Sokhar"))
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this record while you were editing" in page
    stale = page[page.index("stale-h"):page.index("</table>")]
    assert "+855 99 000 111" in stale and "+855 12 999 999" in stale  # theirs and mine
    assert "Woman" in stale and "woman" not in stale.replace("Woman", "")  # labels, not codes
    assert "Aliases" not in stale  # only what they changed
    values = _form_values(page)
    assert values["aliases"] == "Sokhar" and values["phone"] == "+855 12 999 999"
    assert values["version"] == "2"  # saving again now applies mine over theirs
    survivor_a.refresh_from_db()
    assert survivor_a.version == 2
    again = client.post(f"/survivors/{survivor_a.pk}/edit/", _survivor_post(
        survivor_a, version="2", phone="+855 12 999 999", aliases="Sokhar", gender="woman"))
    assert again.status_code == 302


def test_a_stale_case_form_names_the_changed_field_by_its_label(case_a, caseworker,
                                                                 supervisor, actor_for):
    client = client_for(caseworker)
    actions.update_case(actor_for(supervisor), case_a, version=case_a.version,
                        changes={"recruitment_method": "recruitment_agency"})
    response = client.post(f"/cases/{case_a.pk}/edit/", _case_post(
        case_a, coercion="low"))
    assert response.status_code == 409
    page = response.content.decode()
    stale = page[page.index("stale-h"):page.index("</table>")]
    assert "Recruitment method" in stale and "recruitment agency" in stale.lower()
    assert "recruitment_agency" not in stale


def test_the_api_409_names_the_fields_changed_since_the_version_read(case_a, caseworker,
                                                                      supervisor, actor_for,
                                                                      api):
    actions.update_case(actor_for(supervisor), case_a, version=1,
                        changes={"coercion": "low", "summary": "Corrected account."})
    response = api(caseworker).patch(f"/api/v1/cases/{case_a.pk}",
                                     {"version": 1, "trial_participation": "yes"})
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2 and body["changed_fields"] == ["coercion", "summary"]


def test_another_organisation_cannot_open_the_edit_pages(case_a, other_caseworker):
    client = client_for(other_caseworker)
    assert client.get(f"/survivors/{case_a.survivor_id}/edit/").status_code == 404
    assert client.get(f"/cases/{case_a.pk}/edit/").status_code == 404


# --- Close and reopen -----------------------------------------------------------------


def test_closing_with_a_reason_is_kept_sealed_shown_on_the_case_page_and_audited(
        case_a, caseworker):
    client = client_for(caseworker)
    response = client.post(f"/cases/{case_a.pk}/close/", {
        "reason": "other", "note": "She moved to Bangkok with her sister Dara.",
        "version": case_a.version})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == "closed"
    change = StatusChange.objects.get(case=case_a)
    assert "Dara" not in str(change.note)  # sealed at rest
    assert AuditEntry.objects.filter(action="update", record_type="case",
                                     record_id=str(case_a.pk), fields=["status"]).exists()
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert "Closed" in page and "She moved to Bangkok with her sister Dara." in page
    assert "Another reason (say which)" in page and "Reopen the case" in page
    timeline = client.get(f"/justice/cases/{case_a.pk}/").content.decode()
    assert "Case closed and reopened" in timeline and "sister Dara" in timeline


def test_another_reason_needs_words_and_says_so_in_a_sentence(case_a, caseworker):
    response = client_for(caseworker).post(f"/cases/{case_a.pk}/close/", {
        "reason": "other", "note": "", "version": case_a.version})
    assert response.status_code == 422
    assert "Say in a few words why." in response.content.decode()
    case_a.refresh_from_db()
    assert case_a.status == "open"


def test_a_closed_case_is_reopened_with_a_reason(case_a, caseworker, actor_for):
    actions.close_case(actor_for(caseworker), case_a, version=1, reason="goals_met")
    client = client_for(caseworker)
    response = client.post(f"/cases/{case_a.pk}/reopen/",
                           {"reason": "new_proceedings", "version": 2})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.status == "active"
    kinds = list(StatusChange.objects.filter(case=case_a).values_list("kind", flat=True))
    assert kinds == ["reopened", "closed"]


# --- Archive ---------------------------------------------------------------------------


def test_a_caseworker_cannot_archive(case_a, caseworker):
    client = client_for(caseworker)
    assert client.get(f"/cases/{case_a.pk}/archive/").status_code == 403
    response = client.post(f"/survivors/{case_a.survivor_id}/archive/",
                           {"reason": "created_by_mistake"})
    assert response.status_code == 403
    assert Survivor.objects.get(pk=case_a.survivor_id).archived_at is None


def test_a_supervisor_archives_a_case_made_by_mistake_and_it_answers_404_afterwards(
        case_a, caseworker, supervisor):
    boss = client_for(supervisor)
    response = boss.post(f"/cases/{case_a.pk}/archive/", {"reason": "duplicate", "note": ""})
    assert response.status_code == 302
    assert boss.get(f"/cases/{case_a.pk}/").status_code == 404
    assert client_for(caseworker).get(f"/cases/{case_a.pk}/").status_code == 404
    assert StatusChange.objects.get(case=case_a).reason == "duplicate"
    assert AuditEntry.objects.filter(action="delete", record_type="case",
                                     record_id=str(case_a.pk)).exists()


def test_an_archived_survivor_disappears_from_the_caseload(survivor_a, caseworker, supervisor):
    boss = client_for(supervisor)
    assert survivor_a.reference in boss.get("/?whose=all").content.decode()
    response = boss.post(f"/survivors/{survivor_a.pk}/archive/",
                         {"reason": "test_record"})
    assert response.status_code == 302
    assert survivor_a.reference not in boss.get("/?whose=all").content.decode()
    assert boss.get(f"/survivors/{survivor_a.pk}/").status_code == 404


# --- Assignment --------------------------------------------------------------------------


def test_the_case_page_shows_who_is_responsible_and_reassigning_tells_the_new_caseworker(
        case_a, caseworker, users):
    colleague = users[("a", Role.LEGAL_OFFICER)]
    client = client_for(caseworker)
    page = client.get(f"/cases/{case_a.pk}/").content.decode()
    assert "Responsible caseworker" in page and "caseworker.a" in page
    response = client.post(f"/cases/{case_a.pk}/assign/",
                           {"caseworker": colleague.pk, "version": case_a.version})
    assert response.status_code == 302
    case_a.refresh_from_db()
    assert case_a.caseworker == colleague
    task = CaseTask.objects.get(case=case_a, assignee=colleague)
    assert task.source == "assignment"
    assert AuditEntry.objects.filter(action="update", record_type="case",
                                     fields=["caseworker"]).exists()
    mine = client_for(colleague).get("/justice/tasks/").content.decode()
    assert f"Case {case_a.reference} is now yours" in mine


def test_a_case_cannot_be_assigned_to_someone_of_another_organisation(case_a, caseworker,
                                                                      other_caseworker):
    response = client_for(caseworker).post(f"/cases/{case_a.pk}/assign/",
                                           {"caseworker": other_caseworker.pk})
    assert response.status_code == 422
    case_a.refresh_from_db()
    assert case_a.caseworker == caseworker


def test_my_cases_is_a_caseworkers_default_and_everyones_is_one_choice_away(
        case_a, caseworker, supervisor, users, actor_for):
    colleague = users[("a", Role.LEGAL_OFFICER)]
    theirs = actions.create_survivor(actor_for(colleague), data={"nationality": "MM"})
    actions.create_case(actor_for(colleague), theirs, data={"forms_of_exploitation": ["sex"]})
    mine_page = client_for(caseworker).get("/").content.decode()
    assert case_a.survivor.reference in mine_page and theirs.reference not in mine_page
    everyone = client_for(caseworker).get("/?whose=all").content.decode()
    assert theirs.reference in everyone
    boss = client_for(supervisor).get("/").content.decode()
    assert theirs.reference in boss and case_a.survivor.reference in boss


@pytest.mark.parametrize("path", ["close", "reopen", "transfer", "archive"])
def test_the_casework_pages_are_404_for_another_organisation(case_a, users, path):
    client = client_for(users[("b", Role.SUPERVISOR)])
    assert client.get(f"/cases/{case_a.pk}/{path}/").status_code == 404
