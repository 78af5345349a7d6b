from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "northstar.outcomes"
    label = "outcomes"
