"""Do No Harm on a stored case: record findings, propose actions, resolve findings.

Callers have asked ``northstar.policy`` for the case (``case_for(..., change=True)``);
these functions run the pure engine, write in one transaction and audit it.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import Conflict, DomainError, Forbidden
from northstar.core.fields import reveal
from northstar.core.prepared import Constant
from northstar.safeguards.context import context_for_case
from northstar.safeguards.models import Finding, FindingStatus, ProposedAction
from northstar.safeguards.rules import engine
from northstar.survivors.models import Case


def run_check(case: Case, *, action: str, context: dict) -> tuple[dict, dict]:
    """The engine's result for ``action`` on ``case`` and the full context it used.

    Engine input errors become ``DomainError`` naming the field (422).
    """
    full = context_for_case(case, context)
    try:
        return engine.check(action, full), full
    except engine.InvalidCheck as exc:
        raise DomainError(exc.message, exc.field) from None


def check_case(actor: Actor, case: Case, *, action: str, context: dict) -> tuple[dict, dict]:
    """A Do No Harm check on a stored case: nothing is stored, but the case's record fills
    the context, so the check is an audited read of the case."""
    result, full = run_check(case, action=action, context=context)
    audit.record_read(
        actor,
        case,
        survivor_ref=case.survivor.reference,
        fields=["safeguards_context"],
        note=f"Do No Harm check: {action}",
    )
    return result, full


def _store(
    actor: Actor,
    case: Case,
    result: dict,
    *,
    action: str,
    source: str,
    proposal: ProposedAction | None = None,
    overridden: bool = False,
) -> list[Finding]:
    made = []
    for f in result["findings"]:
        status = FindingStatus.OPEN
        extra = {}
        if overridden and f["severity"] == "block":
            status = FindingStatus.OVERRIDDEN
            extra = {
                "resolved_by": actor.user,
                "resolved_by_label": actor.label,
                "resolved_at": timezone.now(),
                "justification": proposal.justification,
            }
        made.append(
            Finding.objects.create(
                case=case,
                proposal=proposal,
                action=action,
                rule=f["rule"],
                severity=f["severity"],
                harm=f["harm"],
                explanation=f["explanation"],
                source=source[:80],
                rule_set_version=result["rule_set_version"],
                status=status,
                created_by_label=actor.label,
                **extra,
            )
        )
    return made


@transaction.atomic
def record_findings(
    actor: Actor, case: Case, *, action: str, context: dict, source: str
) -> list[Finding]:
    """Check something that happened (or is being recorded) and keep its findings open.

    Never blocks: the timeline records what happened; the findings make sure
    someone looks at the harm it may have done.
    """
    result, _ = run_check(case, action=action, context=context)
    findings = _store(actor, case, result, action=action, source=source)
    for finding in findings:  # one entry per finding, so each id is stored whole
        audit.record(
            actor,
            "create",
            "safeguard_finding",
            finding.pk,
            survivor_ref=case.survivor.reference,
            note=f"{action} from {source}: {finding.rule}, rules {result['rule_set_version']}",
        )
    return findings


def _second_supervisor(actor: Actor, case: Case, second_supervisor_id: int | None, rules: str):
    """The second supervisor a ``two_supervisors`` block needs: another overseer of the case's
    organisation than ``actor``, named and audited with the override."""
    second = (
        policy.staff_who_oversee(case.survivor.organisation)
        .filter(pk=second_supervisor_id)
        .exclude(pk=getattr(actor.user, "pk", None))
        .first()
        if second_supervisor_id
        else None
    )
    if second is None:
        raise DomainError(
            f"Do No Harm blocks this action ({rules}) and this rule needs a second supervisor "
            "of the organisation, other than you, to confirm the override",
            "second_supervisor_id",
        )
    return second


def _check_override(
    actor: Actor,
    case: Case,
    result: dict,
    justification: str,
    second_supervisor_id: int | None,
):
    """Refuse an override the blocks do not allow; return the second supervisor, if any.

    Absolute blocks (``override = never``) cannot be overridden by anyone; the
    others need a supervisor, a written reason at least as long as the rules ask,
    and, where a rule says so, a second supervisor.
    """
    found = engine.blocks(result)
    rules = ", ".join(f["rule"] for f in found)
    needed, min_chars = engine.override_needed(result)
    if needed == "never":
        absolute = ", ".join(f["rule"] for f in found if f["override"] == "never")
        raise Forbidden(
            f"Do No Harm forbids this action ({absolute}); nobody can override this block",
            "action",
            findings=result["findings"],
        )
    if not policy.may_override_block(actor):
        raise Forbidden(
            f"Do No Harm blocks this action ({rules}); only a supervisor can record it, "
            "with a written justification",
            "justification",
            findings=result["findings"],
        )
    if len(justification) < min_chars:
        raise DomainError(
            f"Do No Harm blocks this action ({rules}); write why it must go ahead anyway "
            f"(at least {min_chars} characters)",
            "justification",
            findings=result["findings"],
        )
    if needed == "two_supervisors":
        return _second_supervisor(actor, case, second_supervisor_id, rules)
    return None


@transaction.atomic
def propose_action(
    actor: Actor,
    case: Case,
    *,
    action: str,
    context: dict,
    justification: str = "",
    second_supervisor_id: int | None = None,
) -> ProposedAction:
    """Record a proposed action after the safeguards; a ``block`` needs a supervisor's reason.

    Refused (nothing stored) when a block fires, unless the actor oversees
    cases and gives a written justification, which is audited with the rules
    it overrides. Absolute blocks refuse everyone; some need a second supervisor.
    """
    result, full = run_check(case, action=action, context=context)
    blocks = engine.blocks(result)
    justification = (justification or "").strip()
    second = None
    if blocks:
        second = _check_override(actor, case, result, justification, second_supervisor_id)
    proposal = ProposedAction.objects.create(
        case=case,
        action=action,
        context=full,
        rule_set_version=result["rule_set_version"],
        justification=justification if blocks else "",
        overridden_by=actor.user if blocks else None,
        second_supervisor=second,
        created_by=actor.user,
        created_by_label=actor.label,
    )
    _store(
        actor,
        case,
        result,
        action=action,
        source="proposed_action",
        proposal=proposal,
        overridden=bool(blocks),
    )
    audit.record(
        actor,
        "create",
        "proposed_action",
        proposal.pk,
        survivor_ref=case.survivor.reference,
        fields=sorted(full),
        note=f"{action}; {len(result['findings'])} finding(s)",
    )
    if blocks:
        audit.record(
            actor,
            "update",
            "proposed_action",
            proposal.pk,
            survivor_ref=case.survivor.reference,
            fields=["justification"],
            note=f"override of block finding(s): {', '.join(f['rule'] for f in blocks)}"
            + (f"; second supervisor {second.username}" if second else ""),
        )
    return proposal


@transaction.atomic
def resolve_finding(
    actor: Actor,
    finding: Finding,
    *,
    status: str = FindingStatus.RESOLVED,
    justification: str = "",
    second_supervisor_id: int | None = None,
) -> Finding:
    """Close an open finding: ``resolved`` (the risk was dealt with) or ``overridden``.

    Overriding a block is a supervisor's decision with a written reason.
    """
    current = Finding.objects.select_for_update().get(pk=finding.pk)
    if current.status != FindingStatus.OPEN:
        raise Conflict(f"this finding is already {current.status}", "status")
    if status not in (FindingStatus.RESOLVED, FindingStatus.OVERRIDDEN):
        raise DomainError("status must be resolved or overridden", "status")
    justification = (justification or "").strip()
    if not justification:
        raise DomainError(
            "say how the risk was dealt with, or why it is overridden", "justification"
        )
    if (
        status == FindingStatus.OVERRIDDEN
        and current.severity == "block"
        and not policy.may_override_block(actor)
    ):
        raise Forbidden("only a supervisor can override a Do No Harm block", "status")
    second = None
    if status == FindingStatus.OVERRIDDEN and current.severity == "block":
        needed, min_chars = engine.override_of(current.rule)
        if needed == "never":
            raise Forbidden(
                f"nobody can override this Do No Harm block ({current.rule})", "status"
            )
        if len(justification) < min_chars:
            raise DomainError(
                f"write why this block is overridden (at least {min_chars} characters)",
                "justification",
            )
        if needed == "two_supervisors":
            second = _second_supervisor(actor, current.case, second_supervisor_id, current.rule)
    current.status = status
    current.resolved_by = actor.user
    current.resolved_by_label = actor.label
    current.resolved_at = timezone.now()
    current.justification = justification
    current.save()
    current.refresh_from_db()
    note = "override of block finding" if status == FindingStatus.OVERRIDDEN else "resolved finding"
    audit.record(
        actor,
        "update",
        "safeguard_finding",
        current.pk,
        survivor_ref=current.case.survivor.reference,
        fields=["status", "justification"],
        note=f"{note} {current.rule}"
        + (f"; second supervisor {second.username}" if second else ""),
    )
    return current


def reveal_justification(actor: Actor, obj: Finding | ProposedAction) -> str:
    """Open a sealed justification; the read is audited."""
    kind = "safeguard_finding" if isinstance(obj, Finding) else "proposed_action"
    audit.record_read(
        actor,
        obj,
        record_type=kind,
        survivor_ref=obj.case.survivor.reference,
        fields=["justification"],
    )
    return reveal(obj.justification)


# --- selectors ---------------------------------------------------------------


def findings_for_case(actor: Actor, case: Case) -> QuerySet[Finding]:
    return policy.rows_of_case(actor, case, Finding.objects)


def open_findings(actor: Actor) -> QuerySet[Finding]:
    """Open findings on every case the actor may see: a supervisor's work list.

    "open" is written into the SQL (``Constant``), not bound: a generic plan for
    ``status = $2`` cannot use the partial index ``finding_open_order`` (``WHERE status =
    'open'``); it read every finding and every case and sorted them (100k: 1.5-1.9 ms
    planned for the values, 290-350 ms generic). The work list's page and count are also
    read within ``planned_each_run()`` (API and page): with "open" written in, the generic
    plan walks that index for every organisation's open findings, right for the one with
    100,000 survivors but 60 ms for one with 20 (1 ms planned for it), and PostgreSQL kept
    it for the small one (bench/README.md, h-generic)."""
    return (
        Finding.objects.filter(case__in=policy.visible_cases(actor),
                               status=Constant(FindingStatus.OPEN))
        .select_related("case", "case__survivor")
        .order_by("severity", "created_at", "id")
    )


def finding_for(actor: Actor, finding_id) -> Finding:
    return policy.one_of(
        Finding.objects.filter(case__in=policy.visible_cases(actor)).select_related(
            "case__survivor"),
        finding_id, "finding")

