"""The jurisdictions Northstar serves (ISO 3166-1 alpha-2)."""

from django.db import models


class Jurisdiction(models.TextChoices):
    KH = "KH", "Cambodia"
    HK = "HK", "Hong Kong"
    MM = "MM", "Myanmar"
    PH = "PH", "Philippines"
    TH = "TH", "Thailand"
    VN = "VN", "Vietnam"
    LA = "LA", "Laos"
    ID = "ID", "Indonesia"
    MY = "MY", "Malaysia"
    SG = "SG", "Singapore"
