"""Countries and languages are chosen from lists of names in the reader's language and stored
as ISO codes: "Cambodia" can no longer become Canada."""

from django.test import Client
from django.urls import reverse
from django.utils import translation

from northstar.core import places
from northstar.survivors.models import Survivor
from northstar.web.forms import CaseForm, SurvivorForm
from tests.conftest import PASSWORD


def test_the_region_comes_first_then_every_other_country_by_name():
    codes = [c for c, _ in places.country_choices("en")]
    assert codes[:11] == list(places.REGION_COUNTRIES)
    assert len(codes) == len(set(codes)) >= 249
    assert dict(places.country_choices("en"))["CA"] == "Canada"


def test_names_are_in_the_readers_language():
    assert places.country_name("KH", "km") == "កម្ពុជា"
    assert places.country_name("KH", "th") == "กัมพูชา"
    assert places.language_name("my", "vi") == "Tiếng Miến Điện"
    assert places.language_name("fil", "en") == "Filipino"


def test_codes_are_checked_against_iso_3166_and_iso_639():
    assert places.is_country("KH") and not places.is_country("Cambodia")
    assert not places.is_country("XX") and not places.is_country("kh")
    assert places.is_language("km") and places.is_language("fil")
    assert places.is_language("zh-Hant") and places.is_language("km-KH")
    assert not places.is_language("khmer") and not places.is_language("xx")


def test_the_nationality_is_a_select_of_names_that_submits_the_code():
    with translation.override("km"):
        html = str(SurvivorForm()["nationality"])
    assert html.startswith("<select")
    assert '<option value="KH">កម្ពុជា</option>' in html
    form = SurvivorForm(data={"given_name": "Demo", "nationality": "Cambodia",
                              "sex": "unknown", "gender": "unknown", "preferred_language": "km"})
    assert not form.is_valid()
    assert form.errors["nationality"] == ["Choose a country from the list."]


def test_every_country_and_language_field_of_the_intake_is_a_select():
    survivor, case = SurvivorForm(), CaseForm()
    for bound in (survivor["nationality"], survivor["languages"],
                  survivor["preferred_language"], case["country_of_origin"],
                  case["country_of_destination"]):
        assert str(bound).startswith("<select"), bound.name


def test_the_api_refuses_a_country_that_is_not_one_naming_the_field(api, caseworker):
    client = api(caseworker)
    res = client.post("/api/v1/survivors", {"given_name": "Demo", "nationality": "XX"})
    assert res.status_code == 422
    assert res.json()["field"] == "nationality"
    assert res.json()["detail"] == "Choose a country from the list."
    res = client.post("/api/v1/survivors", {"given_name": "Demo", "preferred_language": "zz"})
    assert res.status_code == 422 and res.json()["field"] == "preferred_language"
    assert not Survivor.objects.exists()


def test_the_survivor_page_shows_the_country_and_languages_by_name(caseworker):
    client = Client()
    assert client.login(username=caseworker.get_username(), password=PASSWORD)
    response = client.post(reverse("intake_new"), {
        "given_name": "Demo Sokha", "nationality": "KH", "languages": ["km", "th"],
        "preferred_language": "km", "sex": "unknown", "gender": "unknown", "action": "save"})
    assert response.status_code == 302
    survivor = Survivor.objects.get()
    assert survivor.nationality == "KH" and survivor.languages == ["km", "th"]
    page = client.get(reverse("survivor", args=[survivor.pk])).content.decode()
    assert "Cambodia" in page and "Khmer, Thai" in page


def test_names_are_looked_up_once_per_code_and_language():
    """The pages name countries and languages in every row: CLDR is asked once per pair."""
    places.country_name.cache_clear()
    places.language_name.cache_clear()
    for _ in range(3):
        assert places.country_name("kh", "km") == places.country_name("kh", "km")
        assert places.language_name("my", "en") == "Burmese"
    assert places.country_name.cache_info().misses == 1
    assert places.language_name.cache_info().misses == 1
