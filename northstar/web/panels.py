"""Kept so apps that have not moved yet still import; the registry is ``northstar.ui.panels``.

Domain apps must import ``northstar.ui.panels`` (``northstar.web`` is the page
layer above them); nothing in ``web`` itself imports this module.
"""

from northstar.ui.panels import (  # noqa: F401 - re-exported for apps not yet moved
    Alert,
    Panel,
    alerts_for,
    case_panels,
    register_alert_source,
    register_case_panel,
    register_survivor_panel,
    render_panels,
    survivor_panels,
)
