"""Pages where an org admin administers their own organisation: profile, provider profile,
services and people. Plain forms (no JavaScript needed), one column on a phone.

Every lookup goes through ``selectors`` (another organisation's id answers 404) and every
change through ``actions`` (audited with the fields that changed)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from northstar import policy
from northstar.core.errors import DomainError, Forbidden
from northstar.insights import sharing as insights_sharing
from northstar.organisation import actions, forms, selectors
from northstar.referrals.models import Service


def _to_form(form, exc: DomainError) -> None:
    """A rule the action enforced, shown on the field it names."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def _status(request, form) -> int:
    return 422 if request.method == "POST" and form.errors else 200


@login_required
def home(request):
    organisation = selectors.administered(request.actor)
    return render(request, "organisation/home.html", {
        "organisation": organisation,
        "profile": selectors.provider_profile(request.actor),
        "service_count": selectors.services(request.actor).count(),
        "member_count": selectors.members(request.actor).count(),
    })


def _form_page(request, form, save, *, saved: str, then: str, title: str, back: str | None = None):
    """One form page: on a valid POST call ``save(cleaned_data)`` (an audited action), show
    a rule it refuses on the field it names (a refusal of access stays a 403), then go on."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.cleaned_data)
        except Forbidden:
            raise
        except DomainError as exc:
            _to_form(form, exc)
        else:
            messages.success(request, saved)
            return redirect(then)
    return render(request, "organisation/form.html", {
        "form": form, "title": title, **({"back": back} if back else {}),
    }, status=_status(request, form))


@login_required
def profile(request):
    organisation = selectors.administered(request.actor)
    initial = {f: getattr(organisation, f) for f in forms.OrganisationForm.base_fields}
    form = forms.OrganisationForm(request.POST or None, initial=initial,
                                  organisation=organisation)
    return _form_page(
        request, form, lambda data: actions.update_organisation(request.actor, organisation, data),
        saved=_("The organisation's profile is saved."), then="organisation:home",
        title=_("Organisation profile"))


@login_required
def provider(request):
    profile = selectors.provider_profile(request.actor)
    initial = {f: getattr(profile, f) for f in forms.ProviderProfileForm.base_fields}
    form = forms.ProviderProfileForm(request.POST or None, initial=initial)
    return _form_page(
        request, form, lambda data: actions.save_provider_profile(request.actor, profile, data),
        saved=_("The provider profile is saved."), then="organisation:home",
        title=_("Provider profile in the service directory"))


@login_required
def services(request):
    return render(request, "organisation/services.html", {
        "services": selectors.services(request.actor),
    })


def _service_page(request, service: Service, title: str):
    initial = ({f: getattr(service, f) for f in forms.ServiceForm.base_fields}
               if service.pk else None)
    form = forms.ServiceForm(request.POST or None, initial=initial)
    return _form_page(
        request, form, lambda data: actions.save_service(request.actor, service, data),
        saved=_("The service is saved."), then="organisation:services", title=title,
        back="organisation:services")


@login_required
def service_new(request):
    organisation = selectors.administered(request.actor)
    return _service_page(request, Service(provider=organisation), _("New service"))


@login_required
def service_edit(request, our_service_id: int):
    service = selectors.service_for(request.actor, our_service_id)
    return _service_page(request, service, service.name)


@login_required
def people(request):
    return render(request, "organisation/people.html", {
        "members": selectors.members(request.actor),
    })


@never_cache
@login_required
def person_new(request):
    selectors.administered(request.actor)
    form = forms.NewMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership, password = actions.create_member(request.actor, **form.cleaned_data)
        except Forbidden:
            raise
        except DomainError as exc:
            _to_form(form, exc)
        else:
            # Shown once, on this response only (never cached, never stored in clear).
            return render(request, "organisation/person_created.html", {
                "membership": membership, "password": password})
    return render(request, "organisation/form.html", {
        "form": form, "title": _("New person"), "back": "organisation:people",
    }, status=_status(request, form))


@login_required
def person(request, member_id: int):
    """One person: change their role, deactivate or reactivate them (never oneself)."""
    membership = selectors.member_for(request.actor, member_id)
    may_change = policy.may_change_membership(request.actor, membership)
    form = forms.RoleForm(request.POST if request.POST.get("do") == "role" else None,
                          initial={"role": membership.role})
    if request.method == "POST":
        do = request.POST.get("do")
        if do == "role":
            if form.is_valid():
                actions.change_role(request.actor, membership, form.cleaned_data["role"])
                messages.success(request, _("The role is changed."))
                return redirect("organisation:person", member_id=membership.pk)
        elif do in ("deactivate", "reactivate"):
            actions.set_active(request.actor, membership, do == "reactivate")
            messages.success(request, _("Deactivated.") if do == "deactivate"
                             else _("Reactivated."))
            return redirect("organisation:person", member_id=membership.pk)
        else:
            raise DomainError("choose role, deactivate or reactivate", "do")
    return render(request, "organisation/person.html", {
        "membership": membership, "form": form, "may_change": may_change,
    }, status=_status(request, form))


@login_required
def figure_sharing(request):
    """Who sees the organisation's figures: its country's roll-up and named funders (an
    org admin's choice, audited: ``insights.sharing``)."""
    organisation = selectors.administered(request.actor)
    now = insights_sharing.current(organisation)
    form = forms.FigureSharingForm(
        request.POST or None, funders=policy.funders_to_share_with().exclude(pk=organisation.pk),
        initial={"contributes": now["contributes"], "funders": sorted(now["funders"])})
    return _form_page(
        request, form,
        lambda data: insights_sharing.set_sharing(request.actor, contributes=data["contributes"],
                                         funder_ids=[f.pk for f in data["funders"]]),
        saved=_("Who sees the organisation's figures is saved."), then="organisation:home",
        title=_("Who sees our figures"))
