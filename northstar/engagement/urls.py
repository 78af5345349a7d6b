from django.urls import path

from northstar.engagement import views

app_name = "engagement"

urlpatterns: list = [
    path("", views.calendar, name="calendar"),
    path("activities/<int:activity_id>/", views.activity, name="activity"),
    path("honoraria/", views.honoraria, name="honoraria"),
    path("councils/", views.councils, name="councils"),
    path("candidates/", views.candidates, name="candidates"),
    path("consultations/", views.consultations, name="consultations"),
    path("outreach/", views.outreach, name="outreach"),
]
