from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "northstar.justice"
    label = "justice"

    def ready(self) -> None:
        from northstar.justice import panels

        panels.register()
