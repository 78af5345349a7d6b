"""The legal-position package and the hours reader are pure: a lawyer's data, no Django."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["northstar.law.position", "northstar.law.translations",
                                    "northstar.compensation.rules.hours"])
def test_importing_it_loads_no_django(module):
    code = (f"import sys, {module} as m; m.load(); "
            "sys.exit(1 if any(n == 'django' or n.startswith('django.') for n in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
