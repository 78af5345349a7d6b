from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "northstar.compensation"
    label = "compensation"
