from django.urls import path

from northstar.organisation import views

app_name = "organisation"
urlpatterns = [
    path("", views.home, name="home"),
    path("profile/", views.profile, name="profile"),
    path("provider/", views.provider, name="provider"),
    path("services/", views.services, name="services"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:our_service_id>/", views.service_edit, name="service"),
    path("people/", views.people, name="people"),
    path("people/new/", views.person_new, name="person_new"),
    path("people/<int:member_id>/", views.person, name="person"),
    path("figures/sharing/", views.figure_sharing, name="figure_sharing"),
]
