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
    FUNDER = "funder", _("Funder (figures of the organisations that share with it)")
    GOVERNMENT = "government", _("Government (its jurisdiction's roll-up of figures)")


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
#: Roles that see figures and nothing else: never a record, a name or a reference.
FIGURES_ONLY_ROLES = frozenset({Role.RESEARCHER, Role.FUNDER, Role.GOVERNMENT})
#: Roles outside the case-working organisations that read figures others chose to share
#: with them (a funder: the organisations that share with it; a government user: the
#: roll-up of the organisations of its jurisdiction that contribute).
EXTERNAL_FIGURES_ROLES = frozenset({Role.FUNDER, Role.GOVERNMENT})


def works_with_records(role: str | None) -> bool:
    return role in CASE_ROLES


def oversees(role: str | None) -> bool:
    return role in OVERSIGHT_ROLES
