"""The form for a task set on a case. Meaning is checked in ``justice.tasks``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from northstar import policy
from northstar.justice.tasks import TITLE_MAX


class TaskForm(forms.Form):
    title = forms.CharField(label=_("What needs doing"), max_length=TITLE_MAX,
                            help_text=_("Sealed like personal data."))
    assignee = forms.TypedChoiceField(label=_("Who"), coerce=int)
    due_on = forms.DateField(label=_("Due on"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, organisation, staff_choices=None, **kwargs):
        """``staff_choices``: the organisation's staff as choices when already read
        (``ui.panels.staff_choices``), else read here."""
        super().__init__(*args, **kwargs)
        if staff_choices is None:
            staff = policy.staff_who_work_with_records(organisation).order_by("username")
            staff_choices = [(u.pk, u.get_full_name() or u.get_username()) for u in staff]
        self.fields["assignee"].choices = list(staff_choices)
