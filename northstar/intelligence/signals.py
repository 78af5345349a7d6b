"""The shared-pattern snapshots go stale whenever what they count changes: a report reviewed
(accepted or removed) or deleted, or an organisation's sharing setting changed. Signals, so
no path that writes these rows (actions, admin, demo data) can leave a stale snapshot; each
submits the recount job (``selectors.invalidate_patterns``: one run for many changes).

What may no longer be counted is withdrawn at once, not shown stale: a report removed as
false or malicious (or deleted) takes both audiences' figures away until the recount, and an
organisation that stops sharing with an audience takes that audience's."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from northstar.intelligence.models import Report, ReviewStatus, SharingSetting

_FLAGS = ("with_organisations", "with_law_enforcement")


def _stale(*, withdraw=(False, False)) -> None:
    from northstar.intelligence.selectors import invalidate_patterns

    invalidate_patterns(withdraw=withdraw)


def _report_saved(sender, instance: Report, **kwargs) -> None:
    if instance.status == ReviewStatus.REMOVED:
        _stale(withdraw=(True, True))
    elif instance.status != ReviewStatus.PENDING:  # a pending report counts nowhere
        _stale()


def _report_deleted(sender, instance: Report, **kwargs) -> None:
    if instance.status != ReviewStatus.PENDING:
        _stale(withdraw=(True, True))


def _sharing_before(sender, instance: SharingSetting, **kwargs) -> None:
    before = (SharingSetting.objects.filter(pk=instance.pk).values_list(*_FLAGS).first()
              if instance.pk else None)
    instance._sharing_before = before or (False, False)


def _sharing_saved(sender, instance: SharingSetting, **kwargs) -> None:
    before = getattr(instance, "_sharing_before", (True, True))  # unknown: assume narrowed
    after = tuple(getattr(instance, flag) for flag in _FLAGS)
    if before != after:  # receiving anonymous reports alone changes no pattern
        _stale(withdraw=tuple(was and not now for was, now in zip(before, after, strict=True)))


def _sharing_deleted(sender, instance: SharingSetting, **kwargs) -> None:
    flags = tuple(getattr(instance, flag) for flag in _FLAGS)
    if any(flags):
        _stale(withdraw=flags)


def connect() -> None:
    post_save.connect(_report_saved, sender=Report, dispatch_uid="patterns:report_saved")
    post_delete.connect(_report_deleted, sender=Report, dispatch_uid="patterns:report_deleted")
    pre_save.connect(_sharing_before, sender=SharingSetting, dispatch_uid="patterns:sharing_before")
    post_save.connect(_sharing_saved, sender=SharingSetting, dispatch_uid="patterns:sharing_saved")
    post_delete.connect(_sharing_deleted, sender=SharingSetting,
                        dispatch_uid="patterns:sharing_deleted")
