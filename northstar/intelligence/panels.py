"""The case page's way in to passing on what a survivor told her caseworker."""

from __future__ import annotations

from django.utils.translation import gettext as _

from northstar import policy
from northstar.core.template_tags import url_of
from northstar.ui import panels


def report_panel(request, case):
    if not policy.may_report_intelligence(request.actor):
        return None
    return {"key": "intelligence", "title": _("Recruiters and routes"),
            "items": [{"label": _("Pass on what she told you about recruiters, agencies, "
                                  "employers and routes"),
                       "url": url_of("intelligence:case_report", case.pk),
                       "note": _("kept apart from her file, without her name")}]}


def register() -> None:
    panels.register_case_panel("intelligence", "web/panel_list.html", report_panel, order=85)
