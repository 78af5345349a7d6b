"""Names of agencies and recruiters meet across spellings: the pure engine, no database."""

from northstar.intelligence.rules import engine


def _one_entity(*names: str, kind: str = "agency") -> bool:
    mentions = [engine.Mention(report=i, organisation=1, kind=kind, key=engine.entity_key(n),
                               grams=frozenset(engine.trigrams(engine.entity_key(n))))
                for i, n in enumerate(names)]
    return len(engine.clusters(mentions)) == 1


def test_golden_star_is_one_agency_however_it_is_written():
    assert engine.entity_key("Golden Star Recruitment") == engine.entity_key("Goldenstar")
    assert engine.entity_key("Golden Star Recruitment Co., Ltd") == engine.entity_key(
        "GOLDEN STAR")
    assert _one_entity("Golden Star Recruitment", "Golden Star Recruitment Co., Ltd",
                       "Goldenstar", "Golden Starr Manpower Sdn Bhd")


def test_a_misspelt_name_still_meets_its_agency():
    assert _one_entity("Golden Star", "Goldan Star")


def test_different_agencies_stay_apart():
    assert not _one_entity("Golden Star Recruitment", "Silver Moon Recruitment")
    assert not _one_entity("Golden Star", "Golden Sun")


def test_accents_and_romanisation_of_a_recruiter_are_tolerated():
    assert _one_entity("Nguyễn Văn Phúc", "Nguyen Van Phuc", kind="recruiter")
    assert _one_entity("Sokhar Phal", "Sokha Pal", kind="recruiter")


def test_thai_khmer_and_burmese_script_names_are_transliterated_before_matching():
    for name in ("โกลเด้นสตาร์", "ហ្គោលដិនស្តារ", "ရွှေကြယ်"):
        key = engine.entity_key(name)
        assert key and key.isascii(), (name, key)
        assert engine.entity_key(f"{name} Co., Ltd") == key


def test_the_same_sender_twice_is_one_report_towards_a_pattern():
    key = engine.entity_key("Golden Star")
    mentions = [engine.Mention(report=1, organisation=1, kind="agency", key=key),
                engine.Mention(report=2, organisation=1, kind="agency", key=key,
                               independent=False),
                engine.Mention(report=3, organisation=2, kind="agency", key=key)]
    assert engine.shared_entities(mentions) == []
    mentions.append(engine.Mention(report=4, organisation=2, kind="agency", key=key))
    (shared,) = engine.shared_entities(mentions)
    assert shared.reports == {1, 3, 4} and shared.organisations == {1, 2}


def test_every_threshold_is_data_with_a_source():
    rules = engine.rules()
    assert rules.sharing.min_reports == 3 and rules.sharing.source
    assert rules.law_enforcement.min_reports > rules.sharing.min_reports
    assert rules.rate_limit.per_device_per_day >= 1 and rules.rate_limit.checked
