from django.conf import settings


def navigation(request):
    actor = getattr(request, "actor", None)
    return {
        "actor": actor,
        "languages": settings.LANGUAGES,
    }
