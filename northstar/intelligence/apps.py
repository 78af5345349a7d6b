from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "northstar.intelligence"
    label = "intelligence"

    def ready(self) -> None:
        # Imported here, not at the top: the panels import models (see JusticeConfig).
        from northstar.intelligence import panels, signals

        panels.register()
        signals.connect()
