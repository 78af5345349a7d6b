"""The signed-in person read with their membership and organisation in one query.

Every signed-in page reads the user the session names (Django's ``ModelBackend.get_user``:
``User.objects.get(pk=…)``, compiled on every request), then the actor's membership and
organisation (``core.actor``: a second query). ``StaffBackend`` reads all three in one
statement whose SQL is written once per process (``core.prepared``); ``Actor.for_user``
finds the membership already on the user. Signing in, passwords and permissions are
Django's ``ModelBackend``.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from northstar.core.prepared import Prepared

#: The user by primary key, with membership and organisation (a LEFT JOIN: none is none).
_USER = Prepared(lambda pk: get_user_model().objects.select_related(
    "membership__organisation").filter(pk=pk), -1_732_000_158)  # auth_user.id: 32 bits


class StaffBackend(ModelBackend):
    """``ModelBackend`` whose ``get_user`` is one prepared query (issue 13)."""

    def get_user(self, user_id):
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        user = _USER.first(pk)
        return user if user is not None and self.user_can_authenticate(user) else None
