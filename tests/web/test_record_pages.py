"""The survivor page's own forms: a case, a consent, a withdrawal. Errors sit by their field."""

from __future__ import annotations

from django.urls import reverse

from northstar.core.fields import reveal
from northstar.survivors.models import Case, Consent
from tests.web.test_intake import client_for


def test_a_bad_country_on_a_new_case_is_shown_next_to_it_and_nothing_is_saved(caseworker,
                                                                             survivor_a):
    response = client_for(caseworker).post(reverse("case_new", args=[survivor_a.pk]), {
        "forms_of_exploitation": ["labour"], "country_of_origin": "Cambodia",
        "recruitment_method": "unknown", "relationship_to_offender": "unknown",
        "coercion": "unknown", "trial_participation": "undecided"})
    html = response.content.decode()
    assert response.status_code == 422 and 'class="field invalid"' in html
    assert "country" in html.lower() and not Case.objects.exists()


def test_a_referral_consent_without_a_recipient_is_refused_by_the_field(caseworker, survivor_a):
    response = client_for(caseworker).post(reverse("consent_new", args=[survivor_a.pk]), {
        "purpose": "referral", "language": "km", "method": "verbal", "given_by": "survivor"})
    assert response.status_code == 422
    assert "must name the receiving organisation" in response.content.decode()
    assert not Consent.objects.exists()


def test_withdrawing_a_consent_from_the_survivor_page_takes_effect_at_once(caseworker,
                                                                          survivor_a, actor_for):
    from northstar.survivors import actions

    consent = actions.record_consent(actor_for(caseworker), survivor_a, purpose="research",
                                     language="km", method="verbal")
    cw = client_for(caseworker)
    cw.post(reverse("consent_withdraw", args=[consent.pk]), {"reason": "no longer wishes"})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and reveal(consent.withdrawal_reason) == "no longer wishes"
    html = cw.get(reverse("survivor", args=[survivor_a.pk])).content.decode()
    assert "withdrawn" in html and caseworker.get_username() in html


def test_another_organisation_cannot_withdraw_a_consent(other_caseworker, caseworker,
                                                        survivor_a, actor_for):
    from northstar.survivors import actions

    consent = actions.record_consent(actor_for(caseworker), survivor_a, purpose="research",
                                     language="km", method="verbal")
    response = client_for(other_caseworker).post(reverse("consent_withdraw", args=[consent.pk]))
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None
