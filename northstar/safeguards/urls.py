from django.urls import path

from northstar.safeguards import views

app_name = "safeguards"
urlpatterns = [
    path("cases/<int:case_id>/", views.safeguards_page, name="case"),
    path("findings/", views.open_findings_page, name="open"),
    path("findings/<int:finding_id>/resolve/", views.resolve_page, name="resolve"),
]
