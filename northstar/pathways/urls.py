from django.urls import path

from northstar.pathways import views

app_name = "pathways"
urlpatterns = [
    path("cases/<int:case_id>/", views.pathways_page, name="case"),
    path("cases/<int:case_id>/priorities/", views.priorities_page, name="priorities"),
    path("cases/<int:case_id>/plan/", views.plan_page, name="plan"),
    path("cases/<int:case_id>/plan/add/", views.add_plan_item, name="plan_add"),
    path("items/<int:item_id>/status/", views.change_status, name="status"),
]
