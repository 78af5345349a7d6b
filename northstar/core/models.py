from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from northstar.core.jurisdictions import Jurisdiction
from northstar.core.roles import Role


class Organisation(models.Model):
    class Kind(models.TextChoices):
        NGO = "ngo", _("NGO")
        LEGAL_AID = "legal_aid", _("Legal aid")
        SHELTER = "shelter", _("Shelter")
        GOVERNMENT_AGENCY = "government_agency", _("Government agency")
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
        SURVIVOR_LED = "survivor_led", _("Survivor-led organisation")
        FUNDER = "funder", _("Funder")

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    jurisdiction = models.CharField(max_length=2, choices=Jurisdiction.choices)
    #: Short prefix of the survivor reference codes this organisation issues.
    code = models.CharField(max_length=8, unique=True)
    #: False for an organisation that is only a referral recipient or a provider
    #: in the directory: it has no users here and receives letters, not access.
    on_platform = models.BooleanField(default=True)
    contact = models.CharField(max_length=300, blank=True)
    #: Everyone in this organisation signs in with a second factor (supervisors and org
    #: admins always do).
    require_two_factor = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.jurisdiction})"


class Membership(models.Model):
    """A person's place in one organisation, and the role they work in."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    preferred_language = models.CharField(max_length=10, default="en")

    def __str__(self) -> str:
        return f"{self.user} — {self.role} at {self.organisation.name}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self, at=None):
        """Not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=at or timezone.now())


def default_token_expiry():
    return timezone.now() + dt.timedelta(days=settings.NORTHSTAR_TOKEN_DAYS)


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 digest is stored.

    It expires (``NORTHSTAR_TOKEN_DAYS`` after issue, 30 by default) and has a scope:
    a ``read`` token may only read; ``write`` may also change records.
    """

    class Scope(models.TextChoices):
        READ = "read"
        WRITE = "write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(default=default_token_expiry)
    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.WRITE)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("the audit log is append-only")

    def delete(self):
        raise PermissionError("the audit log is append-only")


class AuditEntry(models.Model):
    """One thing someone did to survivor data. Never changed, never deleted.

    On PostgreSQL a trigger refuses UPDATE and DELETE on this table as well, the
    runtime database role holds no UPDATE, DELETE or TRUNCATE on it, and each row
    carries a hash of the one before it, so even the superuser cannot rewrite
    history unseen (``manage.py verify_audit``).
    """

    class Action(models.TextChoices):
        CREATE = "create"
        READ = "read"
        UPDATE = "update"
        DELETE = "delete"
        EXPORT = "export"

    class Channel(models.TextChoices):
        WEB = "web"
        API = "api"
        CLI = "cli"
        ADMIN = "admin"
        PORTAL = "portal"
        SYSTEM = "system"

    #: Indexes are few on purpose (one row per read: the largest table by far); each kept
    #: one serves a query named in ``Meta.indexes``. On PostgreSQL the table is partitioned
    #: by month of ``at`` (migration 0008, docs/deploy.md "Audit growth").
    at = models.DateTimeField(default=timezone.now)
    #: PROTECT: people who have touched survivor data are deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", db_index=False,
    )
    actor_label = models.CharField(max_length=150)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    #: The organisation that owns the survivor named by ``survivor_ref``, so a
    #: referral recipient's reads show in the owner's log too.
    owner_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    record_type = models.CharField(max_length=64)
    record_id = models.CharField(max_length=64, blank=True)
    #: Every record read or written, ids whole (``record_id`` holds a lone one too).
    record_ids = models.JSONField(default=list, blank=True)
    #: Reference code of the survivor the record belongs to, if any.
    survivor_ref = models.CharField(max_length=32, blank=True)
    fields = models.JSONField(default=list, blank=True)
    #: What happened, in words: "withdrew consent", "override of block finding"…
    note = models.CharField(max_length=300, blank=True)
    #: The hash chain (``core/chain.py``): the previous entry's hash, and this one's.
    prev_hash = models.CharField(max_length=64, blank=True)
    entry_hash = models.CharField(max_length=64, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            # An organisation's log (the audit page and GET /api/v1/audit) in two parts, each
            # read newest first through its own index (``audit.log_parts``): the entries about
            # its survivors, and those it made about others' survivors or none (partial:
            # few; the whole (organisation, at) index it replaced served only the OR of the
            # two, which PostgreSQL read as a bitmap of the whole log, sorted).
            models.Index(fields=["owner_organisation", "-at"], name="audit_owner_org_at"),
            models.Index(fields=["organisation", "-at"], name="audit_org_others_at",
                         condition=~models.Q(owner_organisation=models.F("organisation"))),
            # One survivor's history (the audit page's filter, the portal's quick exits);
            # most entries name no survivor, so those are left out of the index.
            models.Index(fields=["survivor_ref", "-at"], name="audit_survivor_at",
                         condition=~models.Q(survivor_ref="")),
            # And on PostgreSQL, not declared here (Django's GinIndex is PostgreSQL's only,
            # and this one is built partition by partition, concurrently): ``audit_records_named``,
            # a GIN index of every entry's ``record_ids``, for the search of one survivor's
            # history (their list reads of any record type) and of one record by id
            # (migration 0016, ``record_ids__names`` and ``record_ids__names_any``).
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.record_type}:{self.record_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")


class NamesId(models.Lookup):
    """``record_ids__names="1207"``: the entry's ids include this one (ids are stored as
    strings). On PostgreSQL ``record_ids @> '["1207"]'``, which the GIN index
    ``audit_records_named`` answers (migration 0016); elsewhere (SQLite) ``json_each``."""

    lookup_name = "names"
    prepare_rhs = False

    def _rhs(self) -> str:
        return str(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        # ``lhs`` is the column as Django writes it; the id is a parameter.
        return (f"EXISTS (SELECT 1 FROM json_each({lhs}) AS named WHERE named.value = %s)",  # noqa: S608
                [*params, self._rhs()])

    def as_postgresql(self, compiler, connection):
        import json

        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} @> %s::jsonb", [*params, json.dumps([self._rhs()])]


class NamesAnyId(models.Lookup):
    """``record_ids__names_any=["1207", "1342"]``: the entry's ids include one of these. On
    PostgreSQL ``record_ids @> ANY(…)``: one bitmap scan of ``audit_records_named`` that looks
    each id up in turn (GIN takes an array this way), however many ids; SQLite ``json_each``."""

    lookup_name = "names_any"
    prepare_rhs = False

    def _ids(self) -> list[str]:
        return [str(i) for i in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        ids = self._ids()
        marks = ", ".join(["%s"] * len(ids))
        return (f"EXISTS (SELECT 1 FROM json_each({lhs}) AS named "  # noqa: S608
                f"WHERE named.value IN ({marks}))", [*params, *ids])

    def as_postgresql(self, compiler, connection):
        import json

        lhs, params = self.process_lhs(compiler, connection)
        return (f"{lhs} @> ANY(%s::jsonb[])",
                [*params, [json.dumps([i]) for i in self._ids()]])


AuditEntry._meta.get_field("record_ids").register_lookup(NamesId)
AuditEntry._meta.get_field("record_ids").register_lookup(NamesAnyId)


class AuditChainHead(models.Model):
    """The audit chain's newest link, in one row (``id`` 1): the hash the next entry links
    to (``entry_hash``) and the one before it. Each entry is written by one statement that
    moves this row on and inserts the entry (``core/audit.py``), so the row lock on it is
    what serialises the chain's writers, and finding the predecessor is a read of this row
    rather than of the newest entry across every monthly partition (issue 13). Only a
    cache of what the log says: ``verify_audit`` checks that it names the log's last
    entry, and a row changed behind the application's back only makes the next entry's
    link break. The runtime role may update it, never delete it (``dbroles``)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    #: The newest entry's ``prev_hash`` ("" while the log is empty).
    prev_hash = models.CharField(max_length=64, blank=True)
    #: The newest entry's ``entry_hash``: the next entry's ``prev_hash`` (``chain.GENESIS``
    #: while the log is empty).
    entry_hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1),
                                              name="audit_chain_head_one_row")]

    def __str__(self) -> str:
        return f"audit chain head {self.entry_hash[:12]}"


class UnusualReadAlert(models.Model):
    """One account opened more full survivor records in a short time than the organisation
    expects (threshold in ``core/rules/unusual_reads.toml``). Shown to its supervisors."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="unusual_read_alerts"
    )
    #: PROTECT: the account is the evidence; deactivate, never delete.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    records = models.PositiveIntegerField(help_text=_("full records opened in the window"))
    window_minutes = models.PositiveIntegerField()
    threshold = models.PositiveIntegerField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.user} opened {self.records} records in {self.window_minutes} min"


class KeyCheck(models.Model):
    """A known value sealed with one field key, to prove a configured key is the right one.

    Written the first time a key id is used; from then on a key ring whose key
    does not open it fails the system check, ``/health`` and every write.
    Holds nothing secret: only a fixed text sealed with the key.
    """

    key_id = models.CharField(max_length=32, unique=True)
    check_value = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.key_id


class Job(models.Model):
    """One piece of long or scheduled work, run once (``core/jobs.py``).

    ``key`` is the idempotency key: a second submission with the same key returns
    the first job instead of starting another, so a retried request, a second
    scheduler or a second application instance never runs the same work twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Running")
        DONE = "done", _("Finished")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=200, unique=True, null=True, blank=True)  # noqa: DJ001
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(null=True, blank=True)
    #: What the job is doing or why it failed, in words (never personal data).
    message = models.CharField(max_length=300, blank=True)
    #: Small results (counts, ids) as JSON; files sealed as bytes (``crypto.seal_bytes``).
    result = models.JSONField(default=dict, blank=True)
    result_file = models.BinaryField(null=True, blank=True)
    result_name = models.CharField(max_length=200, blank=True)
    result_type = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: Last sign of life of a running job (claimed, progress reported, ``jobs.beat``): a
    #: running job silent for longer than its lease is swept (``jobs.sweep``).
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["owner", "-created_at"]),
                   models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int | None:
        if not self.total:
            return None
        return min(100, int(100 * self.done / self.total))


class ReadTally(models.Model):
    """The distinct survivor records one account opened with personal fields in one minute
    (``core/unusual_reads.py``): what the unusual-reads check counts, instead of reading
    back the account's audit entries of the last minutes on every read. A few rows per
    account (older minutes are deleted as the account reads on); each holds at most the
    threshold + 1 ids. Not evidence itself: the audit log stays the record of every read.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", db_index=False)
    #: Whole minutes since 1970-01-01 UTC.
    minute = models.BigIntegerField()
    ids = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "minute"],
                                               name="read_tally_user_minute")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.minute}: {len(self.ids)} records"


class IdempotencyKey(models.Model):
    """The first answer to an API create sent with an ``Idempotency-Key`` header
    (``core/idempotency.py``): a retry with the same key and body gets this answer again
    instead of a second record. Written in the same transaction as the record it answers
    for; one per user and key; pruned after ``NORTHSTAR_IDEMPOTENCY_HOURS`` (24) by the
    daily pruning job. The answer names the record, so it is sealed with the field keys."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="+", db_index=False)
    key = models.CharField(max_length=255)
    #: SHA-256 of the method, path and body of the first request.
    request_hash = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField()
    #: The ``id`` of the record the first answer created, when it names one.
    record_id = models.CharField(max_length=64, blank=True, default="")
    #: The first answer's body, sealed (``crypto.keyring().seal``).
    response = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"],
                                               name="idempotency_user_key")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key} → {self.status} {self.record_id}"
