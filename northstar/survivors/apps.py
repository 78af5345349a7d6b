from django.apps import AppConfig


class SurvivorsConfig(AppConfig):
    name = "northstar.survivors"
    label = "survivors"
