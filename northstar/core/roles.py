"""Roles and what each may do. Kept to a handful of capabilities on purpose:
a case-management system with 150 permission constants is one nobody audits."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    LEGAL_OFFICER = "legal_officer", _("Legal officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    RESEARCHER = "researcher", _("Researcher (aggregate figures only)")
    COUNCIL_COORDINATOR = "council_coordinator", _("Advisory council coordinator")


#: Roles that work with individual survivor records.
CASE_ROLES = frozenset({Role.CASEWORKER, Role.LEGAL_OFFICER, Role.SUPERVISOR})
#: Roles that may read the organisation's audit log and override a Do No Harm block.
OVERSIGHT_ROLES = frozenset({Role.SUPERVISOR})
#: Roles that manage reference data (organisations, services, users) in the admin.
ADMIN_ROLES = frozenset({Role.ORG_ADMIN})
#: Roles that coordinate the survivors' advisory council: they see who chose to take part in
#: advocacy (by reference only, with their consent), never a case record.
ADVOCACY_ROLES = frozenset({Role.COUNCIL_COORDINATOR})
#: Roles that may see aggregate, privacy-safe figures.
AGGREGATE_ROLES = frozenset({Role.RESEARCHER, Role.SUPERVISOR, Role.ORG_ADMIN})


def works_with_records(role: str | None) -> bool:
    return role in CASE_ROLES


def oversees(role: str | None) -> bool:
    return role in OVERSIGHT_ROLES
