"""What a scale run needs from one bench database, printed as JSON (run by bench/scale.py).

API tokens for the demo organisation's caseworker, researcher and supervisor, a signed-in
page session for the caseworker and the researcher, a survivor and a case to read, and
survivors (with their current version) for the update run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.scale_settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import (  # noqa: E402
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,  # noqa: E402
)
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from northstar.core.tokens import issue_token  # noqa: E402
from northstar.survivors.models import Case, Survivor  # noqa: E402

ORG = "MHF"
UPDATES = int(os.environ.get("BENCH_UPDATES", "20000"))


def session_for(user) -> str:
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def forget_created(after_id: int) -> None:
    """Deletes the survivors the create run added (ids above ``after_id``), so the population
    stays the size it was generated at run after run (their audit entries stay)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM survivors_survivor WHERE id > %s AND organisation_id = "
                       "(SELECT id FROM core_organisation WHERE code = %s) AND NOT EXISTS "
                       "(SELECT 1 FROM survivors_case c WHERE c.survivor_id = survivors_survivor.id)"
                       " AND NOT EXISTS (SELECT 1 FROM survivors_consent c "
                       "WHERE c.survivor_id = survivors_survivor.id)", [after_id, ORG])


def main() -> None:
    if sys.argv[1:2] == ["forget-created"]:
        forget_created(int(sys.argv[2]))
        return
    users = {role: get_user_model().objects.get(username=f"{role}.th")
             for role in ("caseworker", "researcher", "supervisor")}
    tokens = {role: issue_token(user, name="bench", days=2)[1] for role, user in users.items()}
    mine = Survivor.objects.filter(organisation__code=ORG, archived_at__isnull=True)
    survivor = mine.order_by("-created_at", "-id")[10]
    case = Case.objects.filter(survivor__organisation__code=ORG, archived_at__isnull=True).order_by(
        "-created_at", "-id").first()
    updates = list(mine.order_by("id").values_list("id", "version")[:UPDATES])
    print(json.dumps({
        "tokens": tokens,
        "sessions": {role: session_for(users[role]) for role in ("caseworker", "researcher")},
        "survivor_id": survivor.pk, "case_id": case.pk,
        "survivors": mine.count(), "updates": updates,
        "last_survivor_id": Survivor.objects.order_by("-id").values_list("id", flat=True).first(),
    }))


if __name__ == "__main__":
    main()
