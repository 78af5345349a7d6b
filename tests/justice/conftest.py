"""Fixtures shared by the justice tests."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone


@pytest.fixture
def today() -> dt.date:
    """The date where the server is (``timezone.localdate()``, Bangkok) as the test starts.

    A module-level date was fixed at import: a suite running past midnight in Bangkok
    (17:00 UTC) then dated "today's" events yesterday and "tomorrow's" hearing today.
    """
    return timezone.localdate()
