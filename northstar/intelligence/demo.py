"""Demo intelligence: the two demo organisations share patterns and receive anonymous
reports; a handful of synthetic reports, most reviewed, so the patterns page has a shared
agency, a shared route and one name that is still only in one report."""

from __future__ import annotations

from northstar.core.actor import Actor
from northstar.intelligence import actions
from northstar.intelligence.models import Channel, Report, SharingSetting

REPORTS = [  # (organisation suffix, fields, reviewed)
    ("th", {"agencies": "Golden Star Recruitment", "from_country": "MM", "to_country": "TH",
            "methods": ["debt", "documents"], "details": "Synthetic demo report."}, True),
    ("th", {"agencies": "Golden Star Recruitment Co., Ltd", "from_country": "MM",
            "to_country": "TH", "methods": ["debt"], "details": "Synthetic demo report."}, True),
    ("kh", {"agencies": "Goldenstar", "recruiters": "Mr Demo Broker", "from_country": "MM",
            "to_country": "TH", "details": "Synthetic demo report."}, True),
    ("kh", {"employers": "Demo Seafood Factory", "from_country": "KH", "to_country": "TH",
            "methods": ["wages"], "details": "Synthetic demo report."}, False),
]


def seed(context: dict) -> None:
    if Report.objects.exists():
        return
    for org in context["organisations"]:
        SharingSetting.objects.update_or_create(
            organisation=org, defaults={"with_organisations": True, "receives_anonymous": True})
    for i, (suffix, fields, reviewed) in enumerate(REPORTS):
        supervisor = context["users"].get(f"supervisor.{suffix}")
        if supervisor is None:
            continue
        organisation = supervisor.membership.organisation
        report = actions.receive_report(organisation=organisation, channel=Channel.ANONYMOUS,
                                        data=fields, source=f"demo:{i}")
        if reviewed:
            actions.review_report(Actor.for_user(supervisor, "cli"), report, decision="accept")
