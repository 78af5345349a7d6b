from northstar.survivors.models import Case, Survivor


def test_a_stale_survivor_update_gets_409_with_the_current_version(api, caseworker, supervisor,
                                                                  survivor_a):
    first = api(caseworker).patch(f"/api/v1/survivors/{survivor_a.pk}",
                                  {"version": 1, "phone": "+855 1"})
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = api(supervisor).patch(f"/api/v1/survivors/{survivor_a.pk}",
                                  {"version": 1, "phone": "+855 2"})
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Survivor.objects.get(pk=survivor_a.pk).phone.reveal() == "+855 1"


def test_a_stale_case_update_gets_409_and_changes_nothing(api, caseworker, case_a):
    client = api(caseworker)
    assert client.patch(f"/api/v1/cases/{case_a.pk}", {"version": 1, "status": "active"}
                        ).status_code == 200
    stale = client.patch(f"/api/v1/cases/{case_a.pk}", {"version": 1, "status": "closed"})
    assert stale.status_code == 409
    assert Case.objects.get(pk=case_a.pk).status == "active"
