from django.urls import path

from northstar.documents import views

app_name = "documents"
urlpatterns = [
    path("survivors/<int:survivor_id>/new/", views.upload, name="upload"),
    path("<int:document_id>/", views.download, name="download"),
    path("exports/caseload/", views.export, name="export"),
    path("cases/<int:case_id>/summary.pdf", views.case_summary, name="case_summary"),
]
