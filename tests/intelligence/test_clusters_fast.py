"""Matching many reported names gives exactly the entities that comparing every pair of
names would: the pure engine against a brute-force reference written here, no database."""

import random

import pytest

from northstar.intelligence.rules import engine

SYLLABLES = {
    "latin": ["golden", "star", "silver", "moon", "mekong", "river", "sun", "rise", "blue",
              "lotus", "tiger", "jade", "pearl", "ocean", "bright", "way", "asia", "pacific"],
    "vietnamese": ["Nguyễn", "Văn", "Phúc", "Thành", "Đạt", "Hưng", "Long", "Minh", "Phát"],
    "thai": ["สมชาย", "ทอง", "ดาว", "รุ่ง", "เรือง", "ศรี", "สุข", "มั่น", "คง"],
    "khmer": ["សុខា", "ផល", "ដារា", "វណ្ណៈ", "ចន្ទ", "រស្មី", "សុភ"],
    "burmese": ["အောင်", "သီတာ", "ကျော်", "မြင့်", "ဝင်း", "ထွန်း", "နိုင်"],
}
LEGAL = ["Co., Ltd", "Company Limited", "Sdn Bhd", "PT", "Cong ty TNHH", "Recruitment",
         "Manpower Agency", "Borisat Chamkat", "International Trading", "Group Holdings", ""]
KINDS = ["agency", "recruiter", "employer"]


def _misspell(rng: random.Random, word: str) -> str:
    """One letter doubled, dropped or changed: what a reporter writing from memory does."""
    if len(word) < 3 or not word.isascii():
        return word
    i = rng.randrange(1, len(word) - 1)
    change = rng.choice(["double", "drop", "vowel"])
    if change == "double":
        return word[:i] + word[i] + word[i:]
    if change == "drop":
        return word[:i] + word[i + 1:]
    return word[:i] + rng.choice("aeiou") + word[i + 1:]


def _names(rng: random.Random, count: int) -> list[str]:
    """Names built from a small stock of syllables (so many share trigrams), in several
    scripts, with legal-form words added or not, some misspelt, some numbered."""
    names = []
    for _ in range(count):
        script = rng.choice(list(SYLLABLES))
        words = [rng.choice(SYLLABLES[script]) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.4:
            words = [_misspell(rng, w) for w in words]
        if rng.random() < 0.15:
            words.append(str(rng.randint(1, 40)))
        names.append(" ".join([*words, rng.choice(LEGAL)]).strip())
    return names


def _mentions(seed: int, count: int) -> list[engine.Mention]:
    rng = random.Random(seed)
    out = []
    for i, name in enumerate(_names(rng, count)):
        key = engine.entity_key(name)
        if key:
            out.append(engine.Mention(report=i, organisation=rng.randint(1, 4),
                                      kind=rng.choice(KINDS), key=key,
                                      grams=frozenset(engine.trigrams(key)),
                                      independent=rng.random() < 0.9))
    return out


def _every_pair(mentions: list[engine.Mention], threshold: float) -> list[engine.Entity]:
    """The reference: ``similar`` on every pair of keys of a kind, joined transitively,
    entities listed by their smallest (kind, key), mentions in (kind, key) order."""
    by_key: dict[tuple[str, str], list[engine.Mention]] = {}
    grams: dict[tuple[str, str], set[str]] = {}
    for m in mentions:
        by_key.setdefault((m.kind, m.key), []).append(m)
        grams.setdefault((m.kind, m.key), set()).update(m.grams)
    keys = sorted(by_key)
    group = {k: {k} for k in keys}
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if a[0] == b[0] and group[a] is not group[b] and engine.similar(
                    grams[a], grams[b], threshold):
                joined = group[a] | group[b]
                for k in joined:
                    group[k] = joined
    out, seen = [], set()
    for k in keys:
        if id(group[k]) in seen:
            continue
        seen.add(id(group[k]))
        members = sorted(group[k])
        out.append(engine.Entity(kind=k[0], keys={m[1] for m in members},
                                 mentions=[x for m in members for x in by_key[m]]))
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("threshold", [0.3, 0.5, 0.6, 0.75, 0.9])
def test_many_names_match_as_comparing_every_pair_would(seed, threshold):
    mentions = _mentions(seed, 400)
    assert engine.clusters(mentions, threshold=threshold) == _every_pair(mentions, threshold)


def test_the_reference_is_not_trivial_at_the_rule_files_threshold():
    """The names above do join by trigrams alone (not only by equal keys or skeletons),
    and also share trigrams without being alike: the comparison has something to find."""
    threshold = engine.rules().matching.similarity
    mentions = _mentions(1, 400)
    entities = engine.clusters(mentions)
    assert entities == _every_pair(mentions, threshold)
    grams = {(m.kind, m.key): m.grams for m in mentions}
    by_trigrams_only = apart = 0
    for e in entities:
        keys = sorted(e.keys)
        for a in keys:
            for b in keys:
                ga, gb = grams[(e.kind, a)], grams[(e.kind, b)]
                if a < b and not any(g.startswith("s:") for g in ga & gb) and engine.similar(
                        ga, gb):
                    by_trigrams_only += 1
    owners = {(e.kind, k): n for n, e in enumerate(entities) for k in e.keys}
    pairs = sorted(owners)
    for i, a in enumerate(pairs):
        for b in pairs[i + 1:]:
            if a[0] == b[0] and owners[a] != owners[b] and grams[a] & grams[b]:
                apart += 1
    assert by_trigrams_only > 10 and apart > 100
    assert any(len(e.keys) > 2 for e in entities)


def test_names_sharing_only_legal_words_and_syllables_are_not_joined():
    """"Golden Star" and "Silver Star" share "star" (and the "Co., Ltd" both dropped), not
    enough to be one agency, however many other names share the same syllables."""
    names = ["Golden Star Co., Ltd", "Silver Star Co., Ltd", "Golden Moon Co., Ltd",
             "Goldan Star", *(f"Star {n} Recruitment" for n in range(30))]
    mentions = [engine.Mention(report=i, organisation=1, kind="agency",
                               key=engine.entity_key(n),
                               grams=frozenset(engine.trigrams(engine.entity_key(n))))
                for i, n in enumerate(names)]
    entities = engine.clusters(mentions)
    assert entities == _every_pair(mentions, engine.rules().matching.similarity)
    golden = next(e for e in entities if engine.entity_key("Golden Star") in e.keys)
    assert engine.entity_key("Goldan Star") in golden.keys
    assert engine.entity_key("Silver Star") not in golden.keys
    assert engine.entity_key("Golden Moon") not in golden.keys
