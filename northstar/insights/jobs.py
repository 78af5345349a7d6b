"""Insights' job kinds (``core/jobs.py`` finds this module when the app registry is ready)."""

from northstar.insights import report  # noqa: F401  registers insights.report_pdf
from northstar.insights.htcds import (
    export,  # noqa: F401  registers insights.htcds_export
    work,  # noqa: F401,E402  registers the release and import
)
