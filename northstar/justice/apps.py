from django.apps import AppConfig


class JusticeConfig(AppConfig):
    name = "northstar.justice"
    label = "justice"
