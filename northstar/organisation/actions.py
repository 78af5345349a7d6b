"""Every change an org admin makes, each in one transaction with its audit entry.

Callers have found the row through ``selectors`` (so it is their organisation's);
these functions refuse what the policy refuses (changing one's own role or
deactivating oneself) and record the fields that changed — never a password.
"""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from northstar import policy
from northstar.core import audit
from northstar.core.actor import Actor
from northstar.core.errors import DomainError, Forbidden
from northstar.core.models import Membership, Organisation
from northstar.core.roles import Role
from northstar.referrals.models import ProviderProfile, Service


def _apply(obj, values: dict) -> list[str]:
    """Set ``values`` on ``obj``; the names of the fields whose value changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    return changed


def _check_administers(actor: Actor, organisation_id) -> None:
    if not policy.administers(actor, organisation_id):
        raise Forbidden("only this organisation's administrator may change it")


@transaction.atomic
def update_organisation(actor: Actor, organisation: Organisation, values: dict) -> list[str]:
    """The organisation's own profile: name, kind, contact, two-factor for everyone."""
    _check_administers(actor, organisation.pk)
    changed = _apply(organisation, values)
    if changed:
        organisation.save(update_fields=changed)
        audit.record(actor, "update", "organisation", organisation.pk, fields=changed)
    return changed


@transaction.atomic
def save_provider_profile(actor: Actor, profile: ProviderProfile, values: dict) -> list[str]:
    """What the directory shows about the organisation as a provider."""
    _check_administers(actor, profile.organisation_id)
    creating = profile.pk is None
    changed = _apply(profile, values)
    if changed or creating:
        profile.updated_at = timezone.now()
        profile.save()
        audit.record(actor, "create" if creating else "update", "provider_profile", profile.pk,
                     fields=changed)
    return changed


@transaction.atomic
def save_service(actor: Actor, service: Service, values: dict) -> list[str]:
    """Add or change one of the organisation's services (``active`` withdraws it; never deleted)."""
    _check_administers(actor, service.provider_id)
    creating = service.pk is None
    if Service.objects.filter(provider_id=service.provider_id, kind=values["kind"],
                              name__iexact=values["name"]).exclude(pk=service.pk).exists():
        raise DomainError("the organisation already lists a service of this kind and name",
                          "name")
    changed = _apply(service, values)
    if changed or creating:
        service.updated_at = timezone.now()
        service.save()
        audit.record(actor, "create" if creating else "update", "service", service.pk,
                     fields=changed)
    return changed


def one_time_password(user) -> str:
    """A random first password, checked by the same validators as any other."""
    password = secrets.token_urlsafe(12)
    validate_password(password, user)
    return password


@transaction.atomic
def create_member(actor: Actor, *, username: str, role: str, first_name: str = "",
                  last_name: str = "", email: str = "") -> tuple[Membership, str]:
    """A new user in the admin's own organisation, with a role and a one-time password.

    The password is returned once, to be shown once and handed over in person; it is
    never stored in clear nor written to the audit log.
    """
    organisation = actor.organisation
    _check_administers(actor, getattr(organisation, "pk", None))
    if role not in Role.values:
        raise DomainError(f"must be one of: {', '.join(Role.values)}", "role")
    users = get_user_model()
    if users.objects.filter(username__iexact=username).exists():
        raise DomainError("this username is taken; choose another", "username")
    user = users(username=username, first_name=first_name, last_name=last_name, email=email)
    password = one_time_password(user)
    user.set_password(password)
    user.save()
    membership = Membership.objects.create(user=user, organisation=organisation, role=role)
    audit.record(actor, "create", "membership", membership.pk,
                 fields=["username", "first_name", "last_name", "email", "role"],
                 note=f"new user {username} as {role}")
    return membership, password


@transaction.atomic
def change_role(actor: Actor, membership: Membership, role: str) -> bool:
    """Someone else's role in the organisation; an admin never changes their own."""
    if not policy.may_change_role(actor, membership):
        raise Forbidden("you cannot change your own role")
    if role not in Role.values:
        raise DomainError(f"must be one of: {', '.join(Role.values)}", "role")
    before = membership.role
    if before == role:
        return False
    membership.role = role
    membership.save(update_fields=["role"])
    audit.record(actor, "update", "membership", membership.pk, fields=["role"],
                 note=f"{membership.user.get_username()}: role {before} → {role}")
    return True


@transaction.atomic
def set_active(actor: Actor, membership: Membership, active: bool) -> bool:
    """Deactivate or reactivate someone (never delete: the audit log names them).
    Deactivating also revokes their API tokens."""
    if not policy.may_change_membership(actor, membership):
        raise Forbidden("you cannot deactivate yourself")
    user = membership.user
    if user.is_active == active:
        return False
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(actor, "update", "user", user.pk, fields=["is_active"],
                 note=f"{user.get_username()} {'reactivated' if active else 'deactivated'}")
    return True
