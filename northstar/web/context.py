from django.conf import settings

from northstar.core import roles


def navigation(request):
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "languages": settings.LANGUAGES,
        "case_roles": roles.CASE_ROLES,
        "aggregate_roles": roles.AGGREGATE_ROLES,
    }
