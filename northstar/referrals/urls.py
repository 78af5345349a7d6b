from django.urls import path

from northstar.referrals import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("new/", views.referral_new, name="new"),
    path("services/", views.services, name="services"),
    path("services/import/", views.services_import, name="services_import"),
    path("<int:referral_id>/", views.referral_detail, name="detail"),
    path("<int:referral_id>/letter.pdf", views.referral_letter, name="letter"),
    path("<int:referral_id>/<str:step>/", views.referral_step, name="step"),
]
