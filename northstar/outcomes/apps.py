from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "northstar.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        # Imported here: the panels import models (see justice/apps.py).
        from northstar.outcomes import panels

        panels.register()
