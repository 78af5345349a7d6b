from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "northstar.core"
    label = "core"

    def ready(self) -> None:
        # Registers the ``has_element`` JSON-list lookup every app filters with.
        from northstar.core import lookups  # noqa: F401
