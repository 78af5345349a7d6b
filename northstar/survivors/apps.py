from django.apps import AppConfig


class SurvivorsConfig(AppConfig):
    name = "northstar.survivors"
    label = "survivors"

    def ready(self) -> None:
        # Registers the bulk import as a job kind, wherever jobs run (in-process or a worker).
        from northstar.survivors import importer  # noqa: F401
