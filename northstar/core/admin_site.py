"""The Django admin is for platform operators (superusers) only.

An organisation's admin administers their own organisation from the pages in
``northstar.organisation``, where every change is scoped and audited. The admin
site does not go through the access policy, so letting anyone but an operator in
would let them rename and re-point other organisations (issue 12 §1).
"""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class OperatorAdminSite(AdminSite):
    site_header = "Northstar platform operators"

    def has_permission(self, request):
        user = request.user
        return bool(user.is_active and user.is_superuser)


class OperatorAdminConfig(AdminConfig):
    default_site = "northstar.core.admin_site.OperatorAdminSite"
