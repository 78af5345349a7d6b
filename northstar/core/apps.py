from django.apps import AppConfig

# Registers the JSON-list lookups (``has_element``…) every app filters with; the module
# defines no model, so importing it while the app registry loads is safe.
from northstar.core import lookups  # noqa: F401


class CoreConfig(AppConfig):
    name = "northstar.core"
    label = "core"
