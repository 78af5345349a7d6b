from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "northstar.screening"
    label = "screening"
