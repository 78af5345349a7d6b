from django.urls import path

from northstar.compensation import views

app_name = "compensation"
urlpatterns = [
    path("cases/<int:case_id>/calculator/", views.calculator, name="calculator"),
    path("calculations/<int:calculation_id>/", views.calculation, name="calculation"),
    path("calculations/<int:calculation_id>/statement.pdf", views.calculation_pdf,
         name="calculation_pdf"),
    path("calculations/<int:calculation_id>/statement.pdf/job", views.calculation_pdf_job,
         name="calculation_pdf_job"),
    path("cases/<int:case_id>/claims/new/", views.claim_new, name="claim_new"),
    path("claims/<int:claim_id>/", views.claim, name="claim"),
    path("figures/", views.organisation_figures, name="figures"),
    path("cases/<int:case_id>/mediation/new/", views.mediation_new, name="mediation_new"),
    path("mediations/<int:mediation_id>/", views.mediation_page, name="mediation"),
    path("survivors/<int:survivor_id>/assistance/", views.assistance, name="assistance"),
    path("fund/", views.fund_page, name="fund"),
    path("fund/disbursements/<int:disbursement_id>/decide/", views.decide_disbursement,
         name="decide_disbursement"),
]
