from django.apps import AppConfig


class SafeguardsConfig(AppConfig):
    name = "northstar.safeguards"
    label = "safeguards"
