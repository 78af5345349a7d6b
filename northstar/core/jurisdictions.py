"""The jurisdictions Northstar serves (ISO 3166-1 alpha-2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Jurisdiction(models.TextChoices):
    KH = "KH", _("Cambodia")
    HK = "HK", _("Hong Kong")
    MM = "MM", _("Myanmar")
    PH = "PH", _("Philippines")
    TH = "TH", _("Thailand")
    VN = "VN", _("Vietnam")
    LA = "LA", _("Laos")
    ID = "ID", _("Indonesia")
    MY = "MY", _("Malaysia")
    SG = "SG", _("Singapore")
