"""Directory reference data in the admin (platform operators only). Referrals are survivor
data: not here. An organisation's admin edits its own services in ``northstar.organisation``."""

from django.contrib import admin

from northstar.core.admin import AuditedAdmin
from northstar.referrals.models import ProviderProfile, Service


@admin.register(Service)
class ServiceAdmin(AuditedAdmin):
    audit_type = "service"
    list_display = ("name", "kind", "provider", "trauma_informed", "curfew", "waiting_days",
                    "active")
    list_filter = ("kind", "trauma_informed", "curfew", "active")
    search_fields = ("name", "provider__name", "contact")


@admin.register(ProviderProfile)
class ProviderProfileAdmin(AuditedAdmin):
    audit_type = "provider_profile"
    list_display = ("organisation", "contact_name", "contact_phone", "updated_at")
    search_fields = ("organisation__name", "contact_name")
