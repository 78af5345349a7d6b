from django.contrib.auth import views as auth_views
from django.urls import path

from northstar.web import casework, intake, views

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
    path("survivors/<int:survivor_id>/edit/", casework.survivor_edit, name="survivor_edit"),
    path("survivors/<int:survivor_id>/archive/", casework.survivor_archive,
         name="survivor_archive"),
    path("cases/<int:case_id>/edit/", casework.case_edit, name="case_edit"),
    path("cases/<int:case_id>/close/", casework.case_close, name="case_close"),
    path("cases/<int:case_id>/reopen/", casework.case_reopen, name="case_reopen"),
    path("cases/<int:case_id>/archive/", casework.case_archive, name="case_archive"),
    path("cases/<int:case_id>/assign/", casework.case_assign, name="case_assign"),
    path("cases/<int:case_id>/transfer/", casework.case_transfer, name="case_transfer"),
    path("transfers/", casework.transfer_list, name="transfers"),
    path("transfers/<int:transfer_id>/", casework.transfer_detail, name="transfer"),
    path("transfers/<int:transfer_id>/<str:decision>/", casework.transfer_decide,
         name="transfer_decide"),
    path("intake/", intake.intake_list, name="intake_list"),
    path("intake/new/", intake.intake_new, name="intake_new"),
    path("intake/<int:intake_id>/", intake.intake_resume, name="intake_resume"),
    path("intake/<int:intake_id>/discard/", intake.intake_discard, name="intake_discard"),
    path("intake/<int:intake_id>/<str:step>/", intake.intake_step, name="intake_step"),
]
