from django.apps import AppConfig


class IntelligenceConfig(AppConfig):
    name = "northstar.intelligence"
    label = "intelligence"
