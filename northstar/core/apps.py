from django.apps import AppConfig
from django.db.models.signals import post_save

# Registers the JSON-list lookups (``has_element``…) every app filters with; the module
# defines no model, so importing it while the app registry loads is safe.
from northstar.core import lookups  # noqa: F401


def _watch_reads(sender, instance, created, **kwargs):
    """Every read written to the audit log is counted towards the unusual-reads alert."""
    if created and instance.action == "read":
        from northstar.core.unusual_reads import check_after_read  # models are ready only now

        check_after_read(instance)


class CoreConfig(AppConfig):
    name = "northstar.core"
    label = "core"

    def ready(self):
        post_save.connect(_watch_reads, sender="core.AuditEntry",
                          dispatch_uid="core.unusual_reads")
        # Each app's ``jobs`` module registers its job kinds and schedules (core/jobs.py).
        from django.utils.module_loading import autodiscover_modules

        from northstar.core import checks  # noqa: F401 - registers the system checks

        autodiscover_modules("jobs")
