import datetime as dt

from northstar.survivors import actions


def test_a_survivor_gets_a_pseudonymous_reference_from_their_organisation(survivor_a, org_a):
    assert survivor_a.reference.startswith(org_a.code + "-")
    assert "Sokha" not in survivor_a.reference


def test_is_child_is_derived_from_the_date_of_birth_at_the_date_asked(survivor_a):
    assert survivor_a.is_child(dt.date(2016, 4, 11)) is True
    assert survivor_a.is_child(dt.date(2016, 4, 12)) is False


def test_with_only_a_birth_year_a_possible_child_is_treated_as_a_child(caseworker, actor_for):
    s = actions.create_survivor(actor_for(caseworker), data={"birth_year": 2008})
    assert s.is_child(dt.date(2026, 6, 1)) is True  # 17 or 18: protections apply
    assert s.is_child(dt.date(2027, 6, 1)) is False


def test_a_child_cannot_be_put_forward_for_public_advocacy(api, caseworker, actor_for):
    s = actions.create_survivor(actor_for(caseworker), data={"date_of_birth": "2012-01-01"})
    r = api(caseworker).patch(f"/api/v1/survivors/{s.pk}",
                              {"version": 1, "advocacy_visibility": "public"})
    assert r.status_code == 422
    assert r.json()["field"] == "advocacy_visibility"
    ok = api(caseworker).patch(f"/api/v1/survivors/{s.pk}",
                               {"version": 1, "advocacy_visibility": "anonymous"})
    assert ok.status_code == 200


def test_likely_duplicates_are_found_by_blind_index_across_spelling(api, caseworker, other_caseworker,
                                                                    survivor_a):
    found = api(caseworker).post("/api/v1/survivors/duplicates", {
        "given_name": "testperson", "family_name": "SOKHA DEMO", "date_of_birth": "1998-04-12"})
    assert [s["id"] for s in found.json()] == [survivor_a.pk]
    assert "same name and date of birth" in found.json()[0]["reasons"]
    # Another birth date: still a possible duplicate by name (a typo in a date is common),
    # but no longer "same name and date of birth".
    other_dob = api(caseworker).post("/api/v1/survivors/duplicates", {
        "given_name": "Demo Sokha", "family_name": "Testperson", "date_of_birth": "1998-04-13"})
    assert [s["id"] for s in other_dob.json()] == [survivor_a.pk]
    assert "same name and date of birth" not in other_dob.json()[0]["reasons"]
    # Another organisation never learns the survivor exists.
    theirs = api(other_caseworker).post("/api/v1/survivors/duplicates", {
        "given_name": "Demo Sokha", "family_name": "Testperson", "date_of_birth": "1998-04-12"})
    assert theirs.json() == []


def test_changing_the_name_updates_the_blind_index(caseworker, actor_for, survivor_a):
    before = survivor_a.duplicate_key
    updated = actions.update_survivor(actor_for(caseworker), survivor_a, version=1,
                                      changes={"given_name": "Demo Other"})
    assert updated.duplicate_key not in (None, before)


def test_the_survivor_crud_round_trip(api, caseworker):
    client = api(caseworker)
    created = client.post("/api/v1/survivors", {
        "given_name": "Demo Aye", "sex": "female", "nationality": "MM", "languages": ["my"],
        "preferred_language": "my"})
    assert created.status_code == 201
    sid = created.json()["id"]
    case = client.post(f"/api/v1/survivors/{sid}/cases", {
        "forms_of_exploitation": ["forced_criminality"], "sectors": ["online_scam"],
        "country_of_origin": "MM", "country_of_destination": "KH"})
    assert case.status_code == 201
    assert case.json()["cross_border"] is True
    listed = client.get("/api/v1/cases", {"form": "forced_criminality"}).json()
    assert [c["id"] for c in listed["items"]] == [case.json()["id"]]
    assert client.get("/api/v1/survivors", {"nationality": "MM"}).json()["count"] == 1
    assert client.get("/api/v1/survivors", {"language": "my"}).json()["count"] == 1
    assert client.get("/api/v1/survivors", {"language": "th"}).json()["count"] == 0


def test_pagination_pages_through_a_caseload(api, caseworker, actor_for):
    for _ in range(7):
        actions.create_survivor(actor_for(caseworker), data={})
    page = api(caseworker).get("/api/v1/survivors", {"page": 2, "page_size": 5}).json()
    assert page["count"] == 7
    assert len(page["items"]) == 2


def test_a_case_is_assigned_to_whoever_opens_it_and_can_be_reassigned_in_the_organisation(
    api, caseworker, supervisor, other_caseworker, users, case_a
):
    assert case_a.caseworker == caseworker
    client = api(caseworker)
    moved = client.patch(f"/api/v1/cases/{case_a.pk}",
                         {"version": 1, "caseworker_id": supervisor.pk})
    assert moved.status_code == 200
    assert moved.json()["caseworker"] == supervisor.username
    for outsider in (other_caseworker, users[("a", "researcher")]):
        refused = client.patch(f"/api/v1/cases/{case_a.pk}",
                               {"version": 2, "caseworker_id": outsider.pk})
        assert refused.status_code == 422
        assert refused.json()["field"] == "caseworker_id"
    mine = client.get("/api/v1/cases", {"caseworker_id": supervisor.pk}).json()
    assert [c["id"] for c in mine["items"]] == [case_a.pk]
