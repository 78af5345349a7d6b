from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "northstar.portal"
    label = "portal"

    def ready(self) -> None:
        from northstar.portal.panels import register

        register()
