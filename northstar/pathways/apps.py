from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "northstar.pathways"
    label = "pathways"
