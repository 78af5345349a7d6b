from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "northstar.documents"
    label = "documents"

    def ready(self) -> None:
        # Imported here: the panels import models (allowed once every app is loaded).
        from northstar.documents import exports, panels  # noqa: F401 — registers the export job

        panels.register()
