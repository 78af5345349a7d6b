from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "northstar.justice"
    label = "justice"

    def ready(self) -> None:
        # Imported here, not at the top: the panels import models, which Django
        # allows only once every app is loaded (the one hidden import Django needs).
        from northstar.justice import panels

        panels.register()
