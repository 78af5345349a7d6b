from django.apps import AppConfig

# Registers the JSON-list lookups (``has_element``…) every app filters with; the module
# defines no model, so importing it while the app registry loads is safe.
from northstar.core import lookups  # noqa: F401


class CoreConfig(AppConfig):
    name = "northstar.core"
    label = "core"

    def ready(self):
        # Every read written to the audit log is counted towards the unusual-reads alert
        # by the writer itself (core/audit.py ``_append``, core/unusual_reads.py).
        # Each app's ``jobs`` module registers its job kinds and schedules (core/jobs.py).
        from django.utils.module_loading import autodiscover_modules

        from northstar.core import checks  # noqa: F401 - registers the system checks

        autodiscover_modules("jobs")

        # After Django's own ``close_old_connections`` (connected when django.db is
        # imported): a kept connection with no sign of trouble skips its SELECT 1.
        from django.core.signals import request_started

        from northstar.core.connection_check import skip_needless_health_checks

        request_started.connect(skip_needless_health_checks,
                                dispatch_uid="northstar.skip_needless_health_checks")
