"""Django's database sessions, the session read by SQL written once per process.

Every signed-in page reads its session first; Django compiled that query
(``Session.objects.get(session_key=…, expire_date__gt=now)``) on every request (issue 13:
a few tenths of a millisecond of every page). Here the row is read by key through
``core.prepared`` and its expiry compared in Python with the same ``timezone.now()``: the
same session or none, in the same table, so signed-in people stay signed in across the
change of ``SESSION_ENGINE``. Everything else (saving, creating, expiring) is Django's.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from northstar.core.prepared import Prepared

#: The session row by key (expiry compared by the caller).
_SESSION = Prepared(lambda key: Session.objects.filter(session_key=key),
                    "stand-in session key: not a real one")


class SessionStore(db.SessionStore):
    """``django.contrib.sessions.backends.db.SessionStore``, reading by ``_SESSION``."""

    def _get_session_from_db(self):
        session = _SESSION.first(self.session_key) if self.session_key else None
        if session is None or session.expire_date <= timezone.now():
            self._session_key = None
            return None
        return session
