from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from northstar.api import api
from northstar.core import views as core_views

urlpatterns = [
    path("api/v1/", api.urls),
    # Staff sign-in: password (throttled by django-axes), then the second factor.
    path("login/", core_views.LoginView.as_view(), name="login"),
    path("login/verify/", core_views.two_factor_verify, name="two_factor_verify"),
    path("account/two-factor/", core_views.two_factor_enrol, name="two_factor_enrol"),
    path("account/two-factor/recovery-codes/", core_views.new_recovery_codes,
         name="two_factor_recovery_codes"),
    # Anyone signed in changes their own password (a new person's first one, shown once to
    # their org admin, is meant to be changed here); Django's validators apply.
    path("account/password/", auth_views.PasswordChangeView.as_view(
        template_name="organisation/password_change.html", success_url="/"),
        name="password_change"),
    path("admin/", admin.site.urls),
    path("audit/", include("northstar.core.urls")),
    path("jobs/", include("northstar.core.job_urls")),
    path("screening/", include("northstar.screening.urls")),
    path("pathways/", include("northstar.pathways.urls")),
    path("safeguards/", include("northstar.safeguards.urls")),
    path("compensation/", include("northstar.compensation.urls")),
    path("referrals/", include("northstar.referrals.urls")),
    path("justice/", include("northstar.justice.urls")),
    path("portal/", include("northstar.portal.urls")),
    path("organisation/", include("northstar.organisation.urls")),
    path("people/", include("northstar.survivors.urls")),
    path("documents/", include("northstar.documents.urls")),
    path("outcomes/", include("northstar.outcomes.urls")),
    path("engagement/", include("northstar.engagement.urls")),
    path("intelligence/", include("northstar.intelligence.urls")),
    path("insights/", include("northstar.insights.urls")),
    path("", include("northstar.web.urls")),
]
