"""Reference data for platform operators (superusers; see ``admin_site``). No survivor
data lives here: the admin does not go through the access policy, so survivors are not
registered. Organisations' own admins use ``northstar.organisation`` instead."""

from django.contrib import admin

from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.models import AuditEntry, Membership, Organisation


class AuditedAdmin(admin.ModelAdmin):
    """An operator's change is an audited action like any other, naming the fields changed."""

    audit_type = ""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(Actor.for_user(request.user, "admin"), "update" if change else "create",
                     self.audit_type, obj.pk,
                     fields=[f for f in form.changed_data if "password" not in f],
                     note="changed by a platform operator in the admin")

    def delete_model(self, request, obj):
        pk = obj.pk
        super().delete_model(request, obj)
        audit.record(Actor.for_user(request.user, "admin"), "delete", self.audit_type, pk,
                     note=f"deleted by a platform operator in the admin: {obj}"[:300])

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    audit_type = "organisation"
    list_display = ("name", "kind", "jurisdiction", "code", "on_platform")
    list_filter = ("kind", "jurisdiction", "on_platform")
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(AuditedAdmin):
    audit_type = "membership"
    list_display = ("user", "organisation", "role")
    list_filter = ("role",)


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
