from __future__ import annotations

import pytest

from northstar.core.models import Organisation
from northstar.survivors import actions as survivor_actions


@pytest.fixture
def referral_consent(survivor_a, caseworker, actor_for, org_b):
    """The survivor's consent to be referred to org B (KH legal aid)."""
    return survivor_actions.record_consent(
        actor_for(caseworker), survivor_a, purpose="referral", recipient=org_b,
        language="km", method="written", interpreter_used=True)


@pytest.fixture
def offline_shelter(db):
    return Organisation.objects.create(name="Riverside Shelter (outside Northstar)", kind="shelter",
                                       jurisdiction="TH", code="RSH1", on_platform=False,
                                       contact="+66 2 000 0000")
