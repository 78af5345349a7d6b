from django.apps import AppConfig


class SafeguardsConfig(AppConfig):
    name = "northstar.safeguards"
    label = "safeguards"

    def ready(self) -> None:
        # Imported here, not at the top: the panels import models, which Django
        # allows only once every app is loaded (the one hidden import Django needs).
        from northstar.safeguards import panels
        from northstar.ui.panels import register_alert_source, register_case_panel

        register_case_panel(
            "do_no_harm", "safeguards/panels/findings.html", panels.findings_panel, order=10
        )
        register_alert_source("do_no_harm", panels.open_block_alerts,
                              for_survivor=panels.survivor_block_alerts)
