from django.urls import path

from northstar.engagement import views as engagement_views
from northstar.intelligence import views as intelligence_views
from northstar.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.sign_in, name="sign_in"),
    path("home/", views.home, name="home"),
    path("plan/", views.plan, name="plan"),
    path("rights/", views.rights, name="rights"),
    path("money/", views.money, name="money"),
    path("choices/", views.choices, name="choices"),
    path("choices/consent/", views.consent, name="consent"),
    path("choices/advocacy/", views.advocacy, name="advocacy"),
    # What the survivor knows of recruiters and routes, kept apart from her file.
    path("tell/", intelligence_views.portal_report, name="tell"),
    path("exit/", views.quick_exit, name="exit"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("language/<str:code>/", views.choose_language, name="language"),
    path("surveys/", views.surveys, name="surveys"),
    path("surveys/answer/", views.survey_answer, name="survey_answer"),
    path("surveys/check-in/", views.check_in_answer, name="check_in_answer"),
    path("surveys/withdraw/", views.survey_withdraw, name="survey_withdraw"),
    path("staff/survivors/<int:survivor_id>/access/", views.staff_access, name="staff_access"),
    path("staff/translations/", views.translation_review, name="translation_review"),
    path("engagement/", engagement_views.portal_engagement, name="engagement"),
    path("engagement/answer/", engagement_views.portal_engagement_answer,
         name="engagement_answer"),
    path("engagement/stop/", engagement_views.portal_engagement_stop, name="engagement_stop"),
]
