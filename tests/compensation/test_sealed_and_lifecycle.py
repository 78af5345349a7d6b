"""Names and narratives are sealed at rest; the lifecycle table holds under any sequence of moves."""

from __future__ import annotations

from django.db import connection
from hypothesis import given
from hypothesis import strategies as st

from northstar.compensation import claims, lifecycle, mediations


def _raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")  # noqa: S608 - fixed names in a test
        return [row[0] for row in cursor.fetchall()]


def test_payer_party_names_terms_and_notes_are_encrypted_at_rest(caseworker, labour_case,
                                                                 actor_for):
    actor = actor_for(caseworker)
    claims.create_claim(actor, labour_case, route="civil_suit", payer="employer",
                         amount_claimed="10", currency="THB", payer_name="Somchai Employer")
    mediation = mediations.open_mediation(actor, labour_case, opened_on="2025-01-01",
                                       parties=[{"role": "employer", "name": "Somchai Employer"}])
    mediations.record_session(actor, mediation, held_on="2025-01-02", outcome="progress",
                           summary="Somchai admitted the debt")
    mediations.record_agreement(actor, mediation, agreed_on="2025-01-03", amount="10",
                             currency="THB", payer="employer", terms="Somchai pays 10 baht",
                             voluntary=True, interpreter_needed=True, interpreter_present=True)
    stored = (_raw("compensation_claim", "payer_name") + _raw("compensation_mediationparty", "name")
              + _raw("compensation_mediationsession", "summary")
              + _raw("compensation_mediation", "agreement_terms"))
    assert stored and all("Somchai" not in value for value in stored)


@given(st.lists(st.sampled_from(sorted(lifecycle.ALLOWED)), max_size=8))
def test_any_sequence_of_moves_stays_inside_the_lifecycle(moves):
    status = "draft"
    for target in moves:
        if lifecycle.refusal(status, target, route="civil_suit") is None:
            assert target in lifecycle.ALLOWED[status]
            status = target
        else:
            assert target not in lifecycle.ALLOWED[status] or target == status
    assert status in lifecycle.ALLOWED
    if status in lifecycle.FINAL:
        assert all(lifecycle.refusal(status, t, route="civil_suit") for t in lifecycle.ALLOWED)
