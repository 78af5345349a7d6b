from django.apps import AppConfig


class OrganisationConfig(AppConfig):
    """An organisation's admin administers that organisation here, and only it."""

    name = "northstar.organisation"
    label = "organisation"
