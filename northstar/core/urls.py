from django.urls import path

from northstar.core import views

app_name = "core"
urlpatterns = [path("", views.audit_log, name="audit"),
               path("<int:entry_id>/", views.audit_entry, name="audit_entry")]
