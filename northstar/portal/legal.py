"""What the law of the survivor's own jurisdiction gives, for the rights page.

The statements come from ``northstar.law`` (cited data per jurisdiction): what
the law here gives, where it is silent (said as "not known", never as a
promise), and what Northstar's organisations commit to. Each statement is shown
in the survivor's language from ``northstar/law/translations.toml`` with English
as the fallback; those translations carry their own ``needs_review`` mark, which
``review_entries`` hands to the staff review page next to the gettext catalogue.
"""

from __future__ import annotations

from dataclasses import dataclass

from northstar.law import translations
from northstar.law.position import survivor_statements
from northstar.law.texts import STATEMENTS

#: The order the groups are shown in, and the UI heading of each.
KINDS = (("law", "rights_law"), ("unknown", "rights_unknown"), ("commitment", "rights_promise"))


@dataclass(frozen=True)
class Shown:
    key: str
    kind: str
    text: str
    language: str  # the language the text is in ("en" where no translation exists yet)


def statements_for(jurisdiction: str, *, child: bool | None, language: str) -> list[Shown]:
    """Every statement for this jurisdiction, in ``language`` where translated."""
    out = []
    for s in survivor_statements(jurisdiction, child=child):
        own = translations.translate(s.key, language)
        out.append(Shown(s.key, s.kind, own or translations.text_for(s.key, None),
                         language if own else "en"))
    return out


def grouped(statements: list[Shown]) -> list[tuple[str, str, list[Shown]]]:
    """(kind, UI heading key, statements) for each kind that has any, in ``KINDS`` order."""
    return [(kind, heading, [s for s in statements if s.kind == kind])
            for kind, heading in KINDS if any(s.kind == kind for s in statements)]


def review_entries(language: str) -> list[dict]:
    """Legal-position translations in ``language`` still waiting for a native speaker."""
    return [{"msgid": STATEMENTS[key], "msgstr": entry.texts[language], "context": key,
             "where": ["northstar/law/translations.toml"]}
            for key, entry in sorted(translations.translations().items())
            if entry.needs_review and language in entry.texts]
