"""Do No Harm explanations say what the law of *this* jurisdiction gives (issue 11 §2)."""

from northstar.safeguards.rules import engine


def test_a_detention_check_in_thailand_and_in_cambodia_cites_each_ones_own_law():
    thai = engine.check("detain", {"jurisdiction": "TH", "age": 30})["law_here"]
    khmer = engine.check("detain", {"jurisdiction": "KH", "age": 30})["law_here"]
    assert thai and khmer
    assert {s["key"] for s in thai} != {s["key"] for s in khmer}
    assert all(s["source"] for s in thai + khmer)
    # Where the source gives nothing, the statement says it is not known; never a promise.
    assert any(s["basis"] == "not_found" for s in khmer)


def test_no_jurisdiction_no_law_section():
    assert "law_here" not in engine.check("detain", {"age": 30})


def test_the_case_check_fills_the_jurisdiction_from_the_case(api, caseworker, case_a):
    body = api(caseworker).post(f"/api/v1/cases/{case_a.pk}/safeguard-checks",
                                {"action": "return_home", "context": {}}).json()
    assert body["context"]["jurisdiction"] == case_a.jurisdiction
    assert body["law_here"] is not None
