from northstar.core.actor import Actor


class ActorMiddleware:
    """Puts ``request.actor`` on every page request (the API builds its own)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "admin" if request.path.startswith("/admin/") else "web"
        request.actor = Actor.for_user(getattr(request, "user", None), channel)
        return self.get_response(request)
