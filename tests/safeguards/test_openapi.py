"""Every field and enum of the engines' API inputs is documented in the OpenAPI schema."""

import pytest

from northstar.pathways.rules import engine as pathways
from northstar.safeguards.rules import engine as safeguards

INPUTS = [
    "ScreeningAnswers",
    "IndicatorAnswers",
    "PathwayProfile",
    "Wishes",
    "AssessCaseIn",
    "PrioritiesIn",
    "PlanItemIn",
    "PlanStatusIn",
    "SafeguardCheckIn",
    "SafeguardContext",
    "ProposeIn",
    "ResolveIn",
]


@pytest.fixture
def schema(api, caseworker):
    return api(caseworker).get("/api/v1/openapi.json").json()["components"]["schemas"]


def _enum(prop) -> set:
    found = set(prop.get("enum", []))
    branches = list(prop.get("anyOf", []))
    if "items" in prop:
        branches.append(prop["items"])
    for branch in branches:
        found |= _enum(branch)
    return found


def test_every_input_field_has_a_description(schema):
    missing = [
        f"{name}.{field}"
        for name in INPUTS
        for field, prop in schema[name]["properties"].items()
        if not prop.get("description")
    ]
    assert missing == []


def test_inputs_forbid_unknown_keys(schema):
    assert all(schema[name].get("additionalProperties") is False for name in INPUTS)


def test_enums_come_from_the_rule_data(schema):
    profile = schema["PathwayProfile"]["properties"]
    assert _enum(profile["jurisdiction"]) == set(pathways.rules()["jurisdictions"])
    assert _enum(profile["coercion"]) == set(pathways.COERCION)
    assert _enum(schema["SafeguardCheckIn"]["properties"]["action"]) == set(safeguards.actions())
    assert set(schema["SafeguardContext"]["properties"]) == set(safeguards.context_keys())
