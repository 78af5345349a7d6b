"""Demo directory and one cross-border referral (Thailand → Cambodia). Idempotent."""

from __future__ import annotations

from pathlib import Path

from northstar.core.actor import Actor
from northstar.referrals import actions
from northstar.referrals.models import Referral
from northstar.survivors import actions as survivor_actions
from northstar.survivors.models import Survivor

DIRECTORY = Path(__file__).with_name("data") / "demo_directory.csv"


def seed(context: dict) -> None:
    actions.import_services(Actor.system("cli"), text=DIRECTORY.read_text(encoding="utf-8"))
    orgs = {o.jurisdiction: o for o in context["organisations"]}
    sender_user = context["users"].get("caseworker.th")
    if "TH" not in orgs or "KH" not in orgs or sender_user is None:
        return
    if Referral.objects.filter(sender=orgs["TH"], recipient=orgs["KH"]).exists():
        return
    actor = Actor.for_user(sender_user, "cli")
    survivor = Survivor.objects.filter(organisation=orgs["TH"], nationality="KH").order_by("id").first()
    if survivor is None:
        return
    survivor_actions.record_consent(actor, survivor, purpose="referral", recipient=orgs["KH"],
                                    language="km", method="written", interpreter_used=True,
                                    scope_note="Legal aid for a wage claim after return home")
    service = orgs["KH"].services.filter(kind="legal_aid").first()
    actions.create_referral(actor, survivor=survivor, recipient=orgs["KH"], service=service,
                            case=survivor.cases.first(), urgency="soon",
                            needs=["legal_aid", "repatriation"],
                            message="Returned home to Battambang; the wage claim continues in "
                                    "Thailand. Synthetic demo referral.")
