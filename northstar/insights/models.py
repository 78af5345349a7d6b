from django.db import models  # noqa: F401

# Materialised per-organisation counts and their refresh job (issue 15 §4, insights-scale).
from northstar.insights.materialised import FigureCount  # noqa: E402, F401
