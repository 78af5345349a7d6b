"""The referral list page pages by cursor like the caseload: every referral once, the
direction filter kept, and no OFFSET or count over the organisation's referrals."""

from __future__ import annotations

import re

from django.urls import reverse

from northstar.referrals.models import Referral
from tests.query_counts import grow_caseload
from tests.web.test_caseload import next_link
from tests.web.test_intake import client_for


def referral_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/referrals/(\d+)/"', html)]


def test_following_next_shows_every_referral_once_and_keeps_the_direction(
        caseworker, actor_for, org_b):
    grow_caseload(actor_for(caseworker), 27, recipient=org_b)
    client = client_for(caseworker)
    first = client.get(reverse("referrals:list"), {"direction": "sent"}).content.decode()
    following = next_link(first)
    assert following.startswith("direction=sent&cursor=")
    second = client.get(f"{reverse('referrals:list')}?{following}").content.decode()
    seen = referral_ids(first) + referral_ids(second)
    assert sorted(seen) == sorted(Referral.objects.values_list("pk", flat=True))
    assert 'rel="next"' not in second
