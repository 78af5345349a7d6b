from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "northstar.insights"
    label = "insights"
