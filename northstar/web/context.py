"""What every page template needs: the actor, the languages, and what they may reach.

The navigation's booleans come from ``policy.navigation`` so that templates never
compare role names (``may.works_with_records``, ``may.may_see_fund``…).
"""

from django.conf import settings

from northstar import policy
from northstar.core.roles import Role


def navigation(request):
    actor = getattr(request, "actor", None)
    role = getattr(actor, "role", None)
    return {
        "actor": actor,
        "languages": settings.LANGUAGES,
        "may": policy.navigation(actor),
        # The role in words ("Legal officer"), never its code ("legal_officer").
        "role_label": Role(role).label if role in Role.values else "",
    }
