from django.apps import AppConfig


class ScreeningConfig(AppConfig):
    name = "northstar.screening"
    label = "screening"

    def ready(self) -> None:
        from northstar.screening import panels
        from northstar.web.panels import register_case_panel

        register_case_panel(
            "screening", "screening/panels/screening.html", panels.screening_panel, order=15
        )
