"""The sharing setting: an org admin chooses, on the organisation's pages, to contribute
its counts to its country's roll-up and to share its figures with named funders; every
change is audited, stopping keeps the history, and nobody else may change it."""

from __future__ import annotations

import pytest

from northstar.core.errors import DomainError, Forbidden
from northstar.core.models import AuditEntry
from northstar.insights import sharing
from northstar.insights.models import Sharing
from tests.insights.people import member, organisation

URL = "/organisation/figures/sharing/"


@pytest.fixture
def setting(db):
    ngo = organisation("Shelter North")
    return {"ngo": ngo, "admin": member(ngo, "org_admin"),
            "funder": organisation("Fund for Survivors", kind="funder"),
            "other_funder": organisation("Second Fund", kind="funder")}


def test_an_org_admin_chooses_on_the_page_and_each_change_is_audited(setting, client):
    client.force_login(setting["admin"].user)
    page = client.get(URL)
    assert page.status_code == 200 and "Fund for Survivors" in page.content.decode()
    response = client.post(URL, {"contributes": "on", "funders": [setting["funder"].pk]})
    assert response.status_code == 302
    assert sharing.current(setting["ngo"]) == {"contributes": True,
                                               "funders": {setting["funder"].pk}}
    entries = AuditEntry.objects.filter(record_type="figure_sharing")
    assert entries.filter(action="create").count() == 2
    client.post(URL, {"funders": [setting["other_funder"].pk]})
    assert sharing.current(setting["ngo"]) == {"contributes": False,
                                               "funders": {setting["other_funder"].pk}}
    assert entries.filter(action="update").count() == 2  # two stopped, kept with the date
    stopped = Sharing.objects.filter(organisation=setting["ngo"], stopped_at__isnull=False)
    assert stopped.count() == 2 and all(s.stopped_by_label for s in stopped)


def test_only_funders_can_be_chosen_and_only_by_the_organisations_admin(setting, client):
    with pytest.raises(DomainError) as refused:
        sharing.set_sharing(setting["admin"], contributes=False,
                            funder_ids=[setting["ngo"].pk])
    assert refused.value.field == "funders"
    for role in ("supervisor", "researcher", "caseworker"):
        with pytest.raises(Forbidden):
            sharing.set_sharing(member(setting["ngo"], role), contributes=True, funder_ids=[])
        client.force_login(member(setting["ngo"], role).user)
        assert client.get(URL).status_code == 404
    assert not Sharing.objects.exists()
    client.force_login(setting["admin"].user)
    response = client.post(URL, {"funders": [setting["ngo"].pk]})
    assert response.status_code == 422 and not Sharing.objects.exists()
