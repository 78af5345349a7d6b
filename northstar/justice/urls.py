from django.urls import path

from northstar.justice import views

app_name = "justice"
urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path("cases/<int:case_id>/", views.case_timeline, name="timeline"),
    path("cases/<int:case_id>/events/<int:event_id>/void/", views.void, name="void"),
]
