from django.urls import path

from northstar.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("cases/<int:case_id>/", views.case_outcomes, name="case"),
    path("cases/<int:case_id>/survey/", views.survey, name="survey"),
    path("check-ins/<int:check_in_id>/", views.check_in, name="check_in"),
]
