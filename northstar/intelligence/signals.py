"""The shared-pattern snapshots go stale whenever what they count changes: a report reviewed
(accepted or removed) or deleted, or an organisation's sharing setting changed. Signals, so
no path that writes these rows (actions, admin, demo data) can leave a stale snapshot."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from northstar.intelligence.models import Report, ReviewStatus, SharingSetting


def _stale(**kwargs) -> None:
    from northstar.intelligence.selectors import invalidate_patterns

    invalidate_patterns()


def _report_saved(sender, instance: Report, **kwargs) -> None:
    if instance.status != ReviewStatus.PENDING:  # a pending report counts nowhere
        _stale()


def connect() -> None:
    post_save.connect(_report_saved, sender=Report, dispatch_uid="patterns:report_saved")
    post_delete.connect(_stale, sender=Report, dispatch_uid="patterns:report_deleted")
    post_save.connect(_stale, sender=SharingSetting, dispatch_uid="patterns:sharing_saved")
    post_delete.connect(_stale, sender=SharingSetting, dispatch_uid="patterns:sharing_deleted")
