"""The one rule-file loader: TOML in, a validated pydantic model out, or a ``RuleDataError``.

Each engine declares its file as a pydantic schema built from ``Sourced`` and
``Rule`` (so every rule carries ``source`` and ``checked``); ``load`` reads the
file and turns any validation error into one message a lawyer can act on:
``interventions.toml: rule peer_therapy_needs_research: missing 'checked'``.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, ValidationError

from northstar.rules.errors import RuleDataError


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


#: Text that must say something (a source, an explanation, an id).
Text = Annotated[str, AfterValidator(_not_blank)]


def _a_date_not_a_time(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    return value


#: The day a person last checked an entry against its source.
Checked = Annotated[dt.date, AfterValidator(_a_date_not_a_time)]


class Strict(BaseModel):
    """No unknown keys, no silent type conversion: a typo in a rule file is an error."""

    model_config = ConfigDict(extra="forbid", strict=True)


class Sourced(Strict):
    """An entry that says where it comes from and when someone last checked it."""

    source: Text
    checked: Checked


class Rule(Sourced):
    """A rule: an id the results cite, and an explanation a survivor can be read."""

    id: Text
    explanation: Text


class RuleFile(Strict):
    """The head every rule file has."""

    version: Text
    source: Text
    checked: Checked


Schema = TypeVar("Schema", bound=BaseModel)


def read_toml(path: Path | str) -> dict:
    """The parsed TOML file; a syntax error is a ``RuleDataError`` naming the file."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise RuleDataError(f"{path.name}: not valid TOML: {exc}") from None


def load(path: Path | str, schema: type[Schema]) -> Schema:
    """Read ``path`` and validate it against ``schema``; any flaw is one ``RuleDataError``."""
    path = Path(path)
    raw = read_toml(path)
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        raise RuleDataError(describe(path.name, raw, exc)) from None


def describe(file: str, raw: Mapping, exc: ValidationError) -> str:
    """Pydantic's errors as ``file: rule <id>: <what is wrong with which field>``."""
    return "; ".join(_one(file, raw, err) for err in exc.errors())


def _one(file: str, raw: Mapping, err: dict) -> str:
    loc = list(err["loc"])
    subject, rest = _subject(raw, loc)
    field = ".".join(str(p) for p in rest)
    kind = err["type"]
    if kind == "missing":
        detail = f"missing {field!r}"
    elif kind == "extra_forbidden":
        detail = f"unknown key {field!r}"
    else:
        message = str(err["ctx"]["error"]) if kind == "value_error" else err["msg"]
        detail = f"{field!r}: {message}" if field else message
    return f"{file}: {subject}: {detail}" if subject else f"{file}: {detail}"


def _subject(raw: Any, loc: Sequence) -> tuple[str, list]:
    """The innermost entry on the error's path that has an ``id`` (or key), and the path below it."""
    subject, rest = "", list(loc)
    node = raw
    for i, part in enumerate(loc):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, Mapping) and isinstance(node.get("id"), str):
            subject, rest = f"rule {node['id']}", list(loc[i + 1 :])
        elif isinstance(node, Mapping) and isinstance(part, str) and i == 1:
            # A table of entries keyed by code, e.g. periods.TH or currencies.THB.
            subject, rest = f"{loc[0]}.{part}", list(loc[i + 1 :])
    return subject, rest
