from django.apps import AppConfig


class CompensationConfig(AppConfig):
    name = "northstar.compensation"
    label = "compensation"

    def ready(self) -> None:
        from northstar.compensation import views
        from northstar.ui import panels

        panels.register_case_panel("compensation", "compensation/panels/money.html",
                                   views.money_panel, order=50)
        panels.register_survivor_panel("assistance", "compensation/panels/assistance.html",
                                       views.assistance_panel, order=60)
        panels.register_alert_source("compensation_overdue", views.overdue_alerts,
                                     for_survivor=views.overdue_alerts)
