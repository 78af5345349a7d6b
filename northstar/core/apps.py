from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "northstar.core"
    label = "core"

    def ready(self):
        from northstar.core import checks  # noqa: F401 - registers the system checks
