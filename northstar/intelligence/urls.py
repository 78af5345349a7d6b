from django.urls import path

from northstar.intelligence import views

app_name = "intelligence"

urlpatterns = [
    # Anonymous: no account, no session; a worker's phone (see views.report).
    path("report/", views.report, name="report"),
    # A caseworker passes on what a survivor told them.
    path("cases/<int:case_id>/report/", views.case_report, name="case_report"),
    # Analysts of the organisation.
    path("reports/", views.reports, name="reports"),
    path("reports/<int:report_id>/", views.report_detail, name="report_detail"),
    path("patterns/", views.patterns, name="patterns"),
    path("sharing/", views.sharing, name="sharing"),
]
