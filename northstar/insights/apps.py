from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "northstar.insights"
    label = "insights"

    def ready(self) -> None:
        # Every measure's counting function must exist: a bad dotted path in measures.toml
        # stops the server here, loudly, instead of failing on a funder's page.
        from northstar.insights.measures import resolve_all

        resolve_all()
