"""``Case.organisation`` is a copy of the survivor's, kept for the list indexes (issue 13):
set when a case is opened and moved with the survivor."""

from __future__ import annotations

from northstar import policy
from northstar.survivors import actions
from northstar.survivors.models import Case


def test_a_new_case_belongs_to_its_survivors_organisation(case_a, org_a):
    assert case_a.organisation_id == org_a.pk
    assert Case.objects.get(pk=case_a.pk).organisation_id == org_a.pk


def test_moving_a_survivor_moves_every_case_of_theirs(case_a, actor_for, caseworker, org_b,
                                                      other_caseworker):
    second = actions.create_case(actor_for(caseworker), case_a.survivor,
                                 data={"forms_of_exploitation": ["sex"]})
    actions.move_survivor_to(case_a.survivor, org_b)
    assert set(Case.objects.filter(pk__in=[case_a.pk, second.pk])
               .values_list("organisation_id", flat=True)) == {org_b.pk}
    assert not policy.visible_cases(actor_for(caseworker)).filter(pk=case_a.pk).exists()
    assert policy.visible_cases(actor_for(other_caseworker)).filter(pk=case_a.pk).exists()
