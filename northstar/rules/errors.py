"""The two ways rule data or an engine's input can be wrong."""

from __future__ import annotations


class RuleDataError(ValueError):
    """A rule file that cannot be trusted; the message names the file, the rule and the field."""


class InvalidInput(ValueError):
    """Input an engine cannot read; ``field`` names the offending entry (the API's 422)."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
