from django.urls import path

from northstar.screening import views

app_name = "screening"
urlpatterns = [
    path("cases/<int:case_id>/", views.screening_page, name="case"),
]
