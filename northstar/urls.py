from django.contrib import admin
from django.urls import include, path

from northstar.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("audit/", include("northstar.core.urls")),
    path("screening/", include("northstar.screening.urls")),
    path("pathways/", include("northstar.pathways.urls")),
    path("safeguards/", include("northstar.safeguards.urls")),
    path("compensation/", include("northstar.compensation.urls")),
    path("referrals/", include("northstar.referrals.urls")),
    path("justice/", include("northstar.justice.urls")),
    path("portal/", include("northstar.portal.urls")),
    path("", include("northstar.web.urls")),
]
