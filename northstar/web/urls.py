from django.contrib.auth import views as auth_views
from django.urls import path

from northstar.web import intake, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views.set_language, name="set_language"),
    path("", views.caseload, name="caseload"),
    path("advocacy/", views.advocacy, name="advocacy"),
    path("survivors/new/", views.survivor_new, name="survivor_new"),
    path("survivors/<int:survivor_id>/", views.survivor_detail, name="survivor"),
    path("survivors/<int:survivor_id>/cases/new/", views.case_new, name="case_new"),
    path("survivors/<int:survivor_id>/consents/new/", views.consent_new, name="consent_new"),
    path("consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("cases/<int:case_id>/", views.case_detail, name="case"),
    path("intake/", intake.intake_list, name="intake_list"),
    path("intake/new/", intake.intake_new, name="intake_new"),
    path("intake/<int:intake_id>/", intake.intake_resume, name="intake_resume"),
    path("intake/<int:intake_id>/discard/", intake.intake_discard, name="intake_discard"),
    path("intake/<int:intake_id>/<str:step>/", intake.intake_step, name="intake_step"),
]
