"""The HTCDS rule files (``rules/mapping.toml``, ``rules/release.toml``) in the row shape
``manage.py rules`` lists: one row per entry with its source and checked date. Pure (no
Django): ``load()`` validates the file as it is on disk now (uncached)."""

from __future__ import annotations

from northstar.insights.htcds import mapping as mapping_module
from northstar.insights.htcds import release as release_module
from northstar.rules.loader import load


def _row(rule_set: str, version, rid: str, explanation: str, entry) -> dict:
    return {"rule_set": rule_set, "rule_set_version": str(version), "id": rid,
            "explanation": explanation, "source": entry.source,
            "checked": entry.checked.isoformat()}


class Mapping:
    """What the HTCDS export puts in which column, and what it withholds."""

    @staticmethod
    def load():
        data = load(mapping_module.MAPPING_FILE, mapping_module.MappingFile)
        mapping_module._check(data)
        return data

    @staticmethod
    def list_rules() -> list[dict]:
        data = Mapping.load()
        name, v = "htcds_mapping", data.version
        rows = [_row(name, v, "consent", f"{data.consent.purpose}: {data.consent.explanation}",
                     data.consent),
                _row(name, v, "export.columns", f"{len(data.export.columns)} columns",
                     data.export)]
        rows += [_row(name, v, f"extension.{e.field}", e.explanation, e) for e in data.extension]
        rows += [_row(name, v, f"withheld.{w.fields[0]}", f"{', '.join(w.fields)}: {w.reason}",
                      w) for w in data.withheld]
        rows += [_row(name, v, f"map.{m.id}", f"{m.northstar} → {m.field} "
                      f"({len(m.values)} values)", m) for m in data.map]
        return rows


class Release:
    """The k-anonymous release: k, the suppression limit, the quasi-identifiers."""

    @staticmethod
    def load():
        data = load(release_module.RULES_FILE, release_module.ReleaseFile)
        release_module._check(data)
        return data

    @staticmethod
    def list_rules() -> list[dict]:
        data = Release.load()
        name, v = "htcds_release", data.version
        r = data.release
        rows = [_row(name, v, "release", f"k = {r.k}, at most {100 * r.max_suppression:.0f} % "
                     f"suppressed: {r.explanation}", r),
                _row(name, v, "carry", ", ".join(data.carry.columns), data.carry)]
        rows += [_row(name, v, f"quasi_identifier.{q.id}",
                      f"{q.column} → {q.output}, levels: "
                      f"{' / '.join(level.name for level in q.levels)}. {q.explanation}", q)
                 for q in data.quasi_identifier]
        return rows
