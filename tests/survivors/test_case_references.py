"""A case's reference is allocated or the case is refused: never an unsaved case returned."""

import pytest

from northstar.core.errors import Conflict
from northstar.survivors import actions
from northstar.survivors.models import Case


def test_five_reference_collisions_refuse_the_case_instead_of_returning_it_unsaved(
        caseworker, actor_for, survivor_a):
    other = actions.create_survivor(actor_for(caseworker), data={"sex": "male"})
    for n in range(1, 6):  # every reference create_case will try is already taken
        Case.objects.create(survivor=other, reference=f"{survivor_a.reference}-C{n}",
                            forms_of_exploitation=["labour"], jurisdiction="TH")
    with pytest.raises(Conflict):
        actions.create_case(actor_for(caseworker), survivor_a,
                            data={"forms_of_exploitation": ["labour"]})
    assert not Case.objects.filter(survivor=survivor_a).exists()


def test_a_collision_moves_on_to_the_next_free_reference(caseworker, actor_for, survivor_a):
    other = actions.create_survivor(actor_for(caseworker), data={"sex": "male"})
    Case.objects.create(survivor=other, reference=f"{survivor_a.reference}-C1",
                        forms_of_exploitation=["labour"], jurisdiction="TH")
    case = actions.create_case(actor_for(caseworker), survivor_a,
                               data={"forms_of_exploitation": ["labour"]})
    assert case.pk is not None and case.reference == f"{survivor_a.reference}-C2"
