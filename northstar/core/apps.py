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
