from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "northstar.pathways"
    label = "pathways"

    def ready(self) -> None:
        # Imported here, not at the top: the panels import models, which Django
        # allows only once every app is loaded (the one hidden import Django needs).
        from northstar.pathways import panels
        from northstar.ui.panels import register_case_panel

        register_case_panel(
            "priorities", "pathways/panels/priorities.html", panels.priorities_panel, order=20
        )
        register_case_panel("plan", "pathways/panels/plan.html", panels.plan_panel, order=30)
