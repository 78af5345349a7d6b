from django.urls import path  # noqa: F401

app_name = "insights"

urlpatterns: list = []

# HTCDS v2.0 export, release and import (northstar/insights/htcds_views.py)
from northstar.insights import htcds_views  # noqa: E402

urlpatterns += [
    path("htcds/", htcds_views.index, name="htcds"),
    path("htcds/export", htcds_views.start_export, name="htcds_export"),
    path("htcds/release", htcds_views.start_release, name="htcds_release"),
    path("htcds/import", htcds_views.import_file, name="htcds_import"),
    path("htcds/jobs/<int:htcds_job_id>/", htcds_views.job, name="htcds_job"),
]
