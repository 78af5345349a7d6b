"""An organisation's choice to let its figures leave it (issue 15 §2).

Nothing but counts ever leaves: a funder or a government sees disclosure-controlled tables
computed from this organisation's own counts, and only while the choice stands. Each
choice is a row; stopping keeps the row (with when and by whom), so the history of who
could see what is kept, and every change is audited (``insights.sharing``)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from northstar.core.models import Organisation


class Sharing(models.Model):
    """``organisation`` shares its figures with ``funder`` (an organisation of kind
    funder), or, with no funder, contributes its counts to its jurisdiction's roll-up."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="figure_sharings")
    funder = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT,
                               related_name="figures_shared_with")
    started_at = models.DateTimeField(default=timezone.now)
    started_by_label = models.CharField(max_length=150, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    stopped_by_label = models.CharField(max_length=150, blank=True)

    class Meta:
        ordering = ["organisation", "started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "funder"], name="one_live_sharing_per_funder",
                condition=Q(stopped_at__isnull=True, funder__isnull=False)),
            models.UniqueConstraint(
                fields=["organisation"], name="one_live_jurisdiction_contribution",
                condition=Q(stopped_at__isnull=True, funder__isnull=True)),
        ]

    def __str__(self) -> str:
        to = self.funder.name if self.funder_id else "jurisdiction roll-up"
        return f"{self.organisation.name} → {to}"


# Materialised per-organisation counts and their refresh job (issue 15 §4, insights-scale).
from northstar.insights.materialised import FigureCount, FigureGrid  # noqa: E402, F401
