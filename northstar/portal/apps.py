from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "northstar.portal"
    label = "portal"
