"""The demo data for the engines loads on a fresh database and is idempotent."""

from northstar.pathways import demo
from northstar.pathways.models import PathwayAssessment, PlanItem
from northstar.screening.models import Screening


def test_demo_seeds_screening_priorities_assessment_and_plan_once(caseworker, case_a):
    context = {
        "users": {"caseworker.th": caseworker},
        "organisations": [case_a.survivor.organisation],
    }
    demo.seed(context)
    demo.seed(context)
    assert Screening.objects.filter(case=case_a).count() == 1
    assert PathwayAssessment.objects.filter(case=case_a).count() == 1
    assert (
        PlanItem.objects.get(case=case_a, intervention="trauma_informed_support").status
        == "in_progress"
    )
