from django.urls import path

from northstar.survivors import views

app_name = "survivors"
urlpatterns = [
    path("search/", views.find, name="find"),
    path("merges/", views.merges, name="merges"),
    path("merges/new/", views.merge_new, name="merge_new"),
    path("merges/<int:merge_id>/decide/", views.merge_decide, name="merge_decide"),
]
