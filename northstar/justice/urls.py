from django.urls import path

from northstar.justice import views

app_name = "justice"
urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path("tasks/overdue/", views.overdue_tasks, name="overdue"),
    path("tasks/<int:task_id>/done/", views.task_done, name="task_done"),
    path("cases/<int:case_id>/tasks/", views.task_add, name="task_add"),
    path("cases/<int:case_id>/", views.case_timeline, name="timeline"),
    path("cases/<int:case_id>/events/<int:event_id>/void/", views.void, name="void"),
]
