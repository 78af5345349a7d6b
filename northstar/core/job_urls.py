from django.urls import path

from northstar.core import views

app_name = "jobs"
urlpatterns = [
    path("<int:job_id>/", views.job_page, name="job"),
    path("<int:job_id>/download", views.job_download, name="download"),
]
