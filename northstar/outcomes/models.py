"""Survey answers at set moments and follow-up check-ins after a case closes.

A score on its own identifies nobody, but it is what one survivor said about their own
life: personal data. So every read and write is audited (``actions``/``selectors``),
free text is sealed, and a survivor can delete their answers (``withdrawn_at``: the
answers are removed, the row stays so the question is not asked again).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.justice.models import CaseTask
from northstar.survivors.models import Case, Survivor


class Channel(models.TextChoices):
    PORTAL = "portal", _("The survivor answered in the portal")
    READ_ALOUD = "read_aloud", _("A caseworker read the questions aloud")


class Moment(models.TextChoices):
    INTAKE = "intake", _("After intake")
    HEARING = "hearing", _("After a hearing")
    MEDIATION = "mediation", _("After a mediation session")
    CLOSE = "close", _("At close")
    FOLLOW_UP = "follow_up", _("At a follow-up")


class SurveyResponse(models.Model):
    """One survivor's answers at one occasion (a moment of one case)."""

    #: Named (not "+") so that merging two records of one person moves it too.
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT,
                                 related_name="survey_responses")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="survey_responses")
    moment = models.CharField(max_length=16, choices=Moment.choices)
    #: Which occasion of the moment: "intake", "close:2026-01-31", "hearing:<event id>",
    #: "mediation:<session id>", "follow_up:<check-in id>". One response per occasion.
    occasion = models.CharField(max_length=48)
    occurred_on = models.DateField()
    channel = models.CharField(max_length=12, choices=Channel.choices)
    answered_on = models.DateField(default=timezone.localdate)
    #: WHO-5 score 0-100 (raw × 4), only when all five items were answered.
    who5_score = models.PositiveSmallIntegerField(null=True, blank=True)
    #: Anything the survivor wanted to add, in the caseworker's words: sealed.
    note = EncryptedTextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_by_label = models.CharField(max_length=150)
    recorded_at = models.DateTimeField(default=timezone.now)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-answered_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["case", "occasion"],
                                               name="survey_one_response_per_occasion")]
        indexes = [models.Index(fields=["survivor", "moment"])]

    def __str__(self) -> str:
        return f"survey {self.occasion} of case {self.case_id}"

    @property
    def answered_count(self) -> int:
        """Questions answered (not "rather not say"); uses prefetched answers."""
        return sum(1 for a in self.answers.all() if a.value is not None)


class SurveyAnswer(models.Model):
    """One item's answer; ``value`` empty means "I'd rather not say"."""

    response = models.ForeignKey(SurveyResponse, on_delete=models.CASCADE,
                                 related_name="answers")
    instrument = models.CharField(max_length=16)
    item = models.CharField(max_length=32)
    dimension = models.CharField(max_length=16, blank=True)
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["response", "item"],
                                               name="survey_one_answer_per_item")]
        indexes = [models.Index(fields=["instrument", "dimension"])]

    def __str__(self) -> str:
        return f"{self.item} of response {self.response_id}"


class Safe(models.TextChoices):
    YES = "yes", _("Safe from retaliation")
    NO = "no", _("Not safe from retaliation")
    UNSURE = "unsure", _("Not sure")


class Housing(models.TextChoices):
    STABLE = "stable", _("Stable housing")
    UNSTABLE = "unstable", _("Unstable housing")
    SHELTER = "shelter", _("In a shelter")
    NONE = "none", _("No housing")


class Income(models.TextChoices):
    """Income now against income before the exploitation, as a band the survivor chooses."""

    NONE = "none", _("No income now")
    MUCH_LESS = "much_less", _("Much less than before")
    LESS = "less", _("A little less than before")
    SAME = "same", _("About the same as before")
    MORE = "more", _("More than before")


class Reexploited(models.TextChoices):
    NO = "no", _("No")
    YES = "yes", _("Yes")
    UNKNOWN = "unknown", _("Not known")


class CheckIn(models.Model):
    """A follow-up after a case closed, due ``months`` after ``closed_on``.

    Open from ``due_on`` to ``window_ends``; done when recorded by then, otherwise
    missed (``status``). An empty answer is "rather not say" or not asked.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="check_ins")
    survivor = models.ForeignKey(Survivor, on_delete=models.PROTECT, related_name="check_ins")
    closed_on = models.DateField()
    months = models.PositiveSmallIntegerField()
    due_on = models.DateField()
    window_ends = models.DateField()
    #: The task that asks the responsible caseworker to do it, raised when it falls due.
    task = models.OneToOneField(CaseTask, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="check_in")
    done_on = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=12, choices=Channel.choices, blank=True)
    safe = models.CharField(max_length=8, choices=Safe.choices, blank=True)
    housing = models.CharField(max_length=10, choices=Housing.choices, blank=True)
    income = models.CharField(max_length=10, choices=Income.choices, blank=True)
    reexploited = models.CharField(max_length=8, choices=Reexploited.choices, blank=True)
    note = EncryptedTextField()
    recorded_by_label = models.CharField(max_length=150, blank=True)
    #: Its case was reopened before it fell due: no longer asked, not counted.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "closed_on", "months"],
                                               name="check_in_one_per_mark")]
        indexes = [models.Index(fields=["due_on", "window_ends"])]

    def __str__(self) -> str:
        return f"{self.months}-month check-in of case {self.case_id}"

    def status(self, today=None) -> str:
        """upcoming, due, done, missed or cancelled."""
        today = today or timezone.localdate()
        if self.cancelled_at is not None:
            return "cancelled"
        if self.done_on is not None and self.done_on <= self.window_ends:
            return "done"
        if today > self.window_ends:
            return "missed"
        return "due" if today >= self.due_on else "upcoming"
