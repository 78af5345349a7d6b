from django.urls import path

from northstar.insights import htcds_views, views

app_name = "insights"

urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("tables/<str:measure>.csv", views.table_csv, name="table_csv"),
    path("report/", views.report, name="report"),
    path("report.pdf", views.report_pdf, name="report_pdf"),  # the old address: a redirect
    # HTCDS v2.0 export, release and import (northstar/insights/htcds_views.py)
    path("htcds/", htcds_views.index, name="htcds"),
    path("htcds/export", htcds_views.start_export, name="htcds_export"),
    path("htcds/release", htcds_views.start_release, name="htcds_release"),
    path("htcds/import", htcds_views.import_file, name="htcds_import"),
    path("htcds/jobs/<int:htcds_job_id>/", htcds_views.job, name="htcds_job"),
]
