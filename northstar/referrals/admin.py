"""Directory reference data in the admin (org admins). Referrals are survivor data: not here."""

from django.contrib import admin

from northstar.referrals.models import ProviderProfile, Service


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "provider", "trauma_informed", "curfew", "waiting_days",
                    "active")
    list_filter = ("kind", "trauma_informed", "curfew", "active")
    search_fields = ("name", "provider__name", "contact")
    autocomplete_fields = ()


@admin.register(ProviderProfile)
class ProviderProfileAdmin(admin.ModelAdmin):
    list_display = ("organisation", "contact_name", "contact_phone", "updated_at")
    search_fields = ("organisation__name", "contact_name")
