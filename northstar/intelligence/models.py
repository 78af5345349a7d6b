"""Intelligence reports, cut off from any case the moment they are made.

A ``Report`` holds no survivor, no case, no user who made it, no address, no device and no
exact time: the organisation it was sent to, how it came (anonymous page, portal, a
caseworker), the ISO week it arrived, a coarse place (a country, a province sealed) and what
was reported, sealed. The names it gives are ``Mention`` rows: the name sealed, its matching
key and trigrams only as keyed digests, and whether it was independent of the reports the
same source made that day (judged when it arrived, from a keyed hash held in the cache for
one day and never stored). A caseworker's link from a report to a case, made only with the
survivor's ``intelligence_link`` consent, is a ``CaseLink`` row in its own table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from northstar.core.fields import EncryptedTextField
from northstar.core.models import Organisation


class Channel(models.TextChoices):
    ANONYMOUS = "anonymous", _("Anonymous page")
    PORTAL = "portal", _("Survivor portal")
    CASEWORKER = "caseworker", _("Told to a caseworker")


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    ACCEPTED = "accepted", _("Reviewed: credible")
    REMOVED = "removed", _("Removed: false or malicious")


class EntityKind(models.TextChoices):
    RECRUITER = "recruiter", _("Recruiter or broker")
    AGENCY = "agency", _("Agency")
    EMPLOYER = "employer", _("Employer")


class Method(models.TextChoices):
    DECEPTION = "deception", _("Lied about the job or pay")
    DEBT = "debt", _("Debt or fees to pay back")
    DOCUMENTS = "documents", _("Took passports or papers")
    WAGES = "wages", _("Kept the wages")
    CONFINEMENT = "confinement", _("Did not let people leave")
    THREATS = "threats", _("Threats or violence")
    ONLINE = "online", _("Job offer online or by phone")
    SCAM_WORK = "scam_work", _("Forced to scam people online")


class Report(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="intelligence_reports")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    #: The Monday of the week it arrived: no day, no hour.
    week = models.DateField()
    #: Where it happened or where the reporter is, as coarse as a country.
    country = models.CharField(max_length=2, blank=True)
    province = EncryptedTextField()
    from_country = models.CharField(max_length=2, blank=True)
    to_country = models.CharField(max_length=2, blank=True)
    via_countries = models.JSONField(default=list, blank=True)
    methods = models.JSONField(default=list, blank=True)
    #: Everything else that was said (places, debts, what happened), sealed.
    details = EncryptedTextField()
    status = models.CharField(max_length=16, choices=ReviewStatus.choices,
                              default=ReviewStatus.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_on = models.DateField(null=True, blank=True)
    review_note = EncryptedTextField()

    class Meta:
        ordering = ["-week", "-pk"]
        indexes = [models.Index(fields=["organisation", "status", "week"])]

    def __str__(self) -> str:
        return f"report {self.pk}"


class Mention(models.Model):
    """One name given in one report."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="mentions")
    kind = models.CharField(max_length=16, choices=EntityKind.choices)
    name = EncryptedTextField()
    #: Keyed digest of the matching key (``rules.engine.entity_key``), the same across
    #: organisations so patterns can be counted across them.
    key = models.CharField(max_length=32, db_index=True)
    #: Keyed digests (truncated) of the key's character trigrams, for tolerant matching.
    grams = models.JSONField(default=list)
    #: False when the same source named the same entity earlier the same day.
    independent = models.BooleanField(default=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} in report {self.report_id}"


class CaseLink(models.Model):
    """A report linked to a case, with the survivor's consent: never a column of the report."""

    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="case_link")
    case = models.ForeignKey("survivors.Case", on_delete=models.CASCADE, related_name="+")
    consent = models.ForeignKey("survivors.Consent", on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"report {self.report_id} linked to a case"


class SharingSetting(models.Model):
    """What an organisation shares of its reviewed reports, as patterns only."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="intelligence_sharing")
    #: Its corroborated patterns are counted with other sharing organisations', and it
    #: sees the shared list.
    with_organisations = models.BooleanField(default=False)
    #: Separately: its reports count towards what law enforcement sees.
    with_law_enforcement = models.BooleanField(default=False)
    #: Accepts reports from the anonymous page (listed there).
    receives_anonymous = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"intelligence sharing of {self.organisation_id}"


class PatternSnapshot(models.Model):
    """The shared patterns as last worked out, one row per audience (organisations, law
    enforcement): the page reads this row instead of every reviewed mention.

    Sealed, since it names the corroborated entities. ``generation`` rises whenever a
    review or a sharing setting changes what the patterns count (``patterns.invalidate``,
    on the models' signals); a snapshot computed from an older generation is never stored
    over a newer one (compare-and-set on ``generation``). The count is a job
    (``intelligence.recount_patterns``, ``selectors.recount``), never a viewer's request."""

    law_enforcement = models.BooleanField(unique=True)
    generation = models.PositiveBigIntegerField(default=0)
    #: The generation ``data`` was counted at: below ``generation``, the figures are stale
    #: (shown as such while the recount job runs).
    counted_generation = models.PositiveBigIntegerField(default=0)
    #: The rule set the snapshot was counted under: a new rule file recomputes it.
    rules_version = models.CharField(max_length=64, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    #: JSON of entities, routes and timeline; "" before the first count, or when withdrawn.
    data = EncryptedTextField()

    def __str__(self) -> str:
        return f"pattern snapshot ({'law enforcement' if self.law_enforcement else 'organisations'})"
