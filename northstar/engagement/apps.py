from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "northstar.engagement"
    label = "engagement"
