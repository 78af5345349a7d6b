from django.urls import path

from northstar.insights import views

app_name = "insights"

urlpatterns: list = [
    path("", views.dashboard, name="dashboard"),
    path("tables/<str:measure>.csv", views.table_csv, name="table_csv"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
]
