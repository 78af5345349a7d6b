"""Reference data for organisation administrators. No survivor data lives here:
the admin does not go through the access policy, so survivors are not registered."""

from django.contrib import admin

from northstar.core.models import AuditEntry, Membership, Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "jurisdiction", "code", "on_platform")
    list_filter = ("kind", "jurisdiction", "on_platform")
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "organisation", "role")
    list_filter = ("role",)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        membership = getattr(request.user, "membership", None)
        if request.user.is_superuser or membership is None:
            return qs if request.user.is_superuser else qs.none()
        return qs.filter(organisation=membership.organisation)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        """An org admin places people in their own organisation only."""
        membership = getattr(request.user, "membership", None)
        if db_field.name == "organisation" and membership and not request.user.is_superuser:
            kwargs["queryset"] = Organisation.objects.filter(pk=membership.organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody edits or deletes the audit log through the application."""

    list_display = ("at", "actor_label", "organisation", "action", "channel", "record_type",
                    "record_id", "survivor_ref")
    list_filter = ("action", "channel", "record_type")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        membership = getattr(request.user, "membership", None)
        return qs.filter(organisation=membership.organisation) if membership else qs.none()
