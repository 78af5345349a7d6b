"""The outcomes card on the case page: surveys waiting, check-ins and how they went."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from northstar import policy
from northstar.core.template_tags import url_of
from northstar.outcomes import selectors
from northstar.outcomes.models import Moment
from northstar.ui import panels


def outcomes_panel(request, case) -> dict | None:
    actor = request.actor
    if not policy.may_record_outcomes(actor):
        return None
    today = timezone.localdate()
    due, check_ins = selectors.case_outcomes(actor, case, today=today,
                                             note=f"check-ins of case {case.pk}")
    items = [{"label": _("Survey due: %(moment)s") % {"moment": Moment(d.moment).label},
              "url": url_of("outcomes:survey", case.pk) + f"?occasion={d.occasion}",
              "note": _("until %(day)s") % {"day": d.open_until.isoformat()}} for d in due]
    labels = {"upcoming": _("not due yet"), "due": _("due now"), "done": _("done"),
              "missed": _("missed"), "cancelled": _("cancelled")}
    for c in check_ins:
        items.append({"label": _("%(months)s-month check-in") % {"months": c.months},
                      "url": url_of("outcomes:check_in", c.pk),
                      "note": f"{c.due_on.isoformat()} – {c.window_ends.isoformat()}: "
                              f"{labels[c.status(today)]}"})
    items.append({"label": _("All surveys and check-ins"),
                  "url": url_of("outcomes:case", case.pk), "note": ""})
    return {"key": "outcomes", "title": _("Wellbeing, fairness and follow-up"),
            "items": items}


def register() -> None:
    panels.register_case_panel("outcomes", "web/panel_list.html", outcomes_panel, order=60)
