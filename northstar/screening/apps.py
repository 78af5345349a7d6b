from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "northstar.screening"
    label = "screening"

    def ready(self) -> None:
        # Imported here, not at the top: the panels import models, which Django
        # allows only once every app is loaded (the one hidden import Django needs).
        from northstar.screening import panels
        from northstar.ui.panels import register_case_panel

        register_case_panel(
            "screening", "screening/panels/screening.html", panels.screening_panel, order=15
        )
