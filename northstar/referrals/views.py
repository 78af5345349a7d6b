"""Directory and referral pages. Thin: ask the policy/selectors, call an action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from northstar import policy
from northstar.core import keyset
from northstar.core.errors import DomainError, NotFound
from northstar.core.prepared import planned_each_run
from northstar.referrals import actions, selectors
from northstar.referrals.forms import ImportForm, ReferralForm, ServiceSearchForm, StepForm
from northstar.survivors.selectors import survivor_seen
from northstar.ui.paging import query_without


def _staff(request):
    """Referral pages are for staff who work with records; anyone else finds nothing here."""
    if not policy.works_with_records(request.actor):
        raise NotFound()
    return request.actor


@login_required
def services(request):
    form = ServiceSearchForm(request.GET or None)
    found = []
    if form.is_valid():
        d = form.cleaned_data
        found = selectors.search_services(
            need=d["need"], jurisdiction=d["jurisdiction"], area=d["area"],
            language=d["language"], serves=d["serves"],
            trauma_informed=True if d["trauma_informed"] else None, no_curfew=d["no_curfew"])
    elif not request.GET:
        found = selectors.search_services()
    page = Paginator(found, 25).get_page(request.GET.get("page"))
    refer_for = None
    if request.GET.get("survivor"):
        refer_for = policy.changeable_survivors(request.actor).filter(
            pk=_int_or_none(request.GET["survivor"])).first()
    return render(request, "referrals/services.html", {
        "form": form, "page": page, "count": page.paginator.count, "refer_for": refer_for,
        "may_import": policy.may_manage_directory(request.actor)})


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
def services_import(request):
    if not policy.may_manage_directory(request.actor):
        raise NotFound()
    form = ImportForm(request.POST or None, request.FILES or None)
    errors, counts = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > 2_000_000:
            form.add_error("file", _("The file is larger than 2 MB."))
        else:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file is not UTF-8 text."))
            else:
                try:
                    counts = actions.import_services(request.actor, text=text)
                except actions.ImportRejected as exc:
                    errors = exc.extra["errors"]
                    form.add_error("file", exc.message)
    status = 422 if errors or (request.method == "POST" and form.errors) else 200
    return render(request, "referrals/import.html",
                  {"form": form, "errors": errors, "counts": counts}, status=status)


@login_required
def referral_list(request):
    actor = _staff(request)
    direction = request.GET.get("direction", "")
    qs = selectors.visible_referrals(actor, direction=direction)
    # No OFFSET, no count; planned for this organisation on every run, as the API's list
    # (``Pages(each_run=True)``): the good plan depends on the organisation's size.
    with planned_each_run():
        found = keyset.page(qs, size=25, cursor=request.GET.get("cursor"))
    items = found.rows
    granting = selectors.referrals_seen(actor, items)  # one query, not one per row
    rows = [(r, r.pk in granting) for r in items]
    return render(request, "referrals/list.html", {
        "rows": rows, "direction": direction, "next_cursor": found.next,
        "paged": bool(request.GET.get("cursor")), "qs": query_without(request, "cursor", "page")})


@login_required
def referral_new(request):
    actor = _staff(request)
    survivor = policy.survivor_for(actor, request.GET.get("survivor"))
    if policy.survivor_fields(actor, survivor) is not policy.ALL_FIELDS:
        raise NotFound()
    case = None
    if request.GET.get("case"):
        case = policy.case_for(actor, request.GET["case"])
    if request.method == "GET":
        survivor_seen(actor, survivor)
    initial = {"service": request.GET.get("service")} if request.GET.get("service") else None
    form = ReferralForm(request.POST or None, organisation=actor.organisation, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        recipient = d["recipient"] or (d["service"].provider if d["service"] else None)
        try:
            policy.survivor_for(actor, survivor.pk, change=True)
            if recipient is None:
                raise DomainError(_("choose a service or a recipient organisation"), "recipient_id")
            referral = actions.create_referral(
                actor, survivor=survivor, recipient=recipient, service=d["service"],
                case=case, urgency=d["urgency"], needs=d["needs"],
                shared_fields=d["shared_fields"], message=d["message"])
        except DomainError as exc:
            field = {"recipient_id": "recipient", "service_id": "service"}.get(exc.field, exc.field)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Referral sent."))
            return redirect("referrals:detail", referral_id=referral.pk)
    status = 422 if form.errors else 200
    return render(request, "referrals/new.html", {"form": form, "survivor": survivor,
                                                  "case": case}, status=status)


@login_required
def referral_detail(request, referral_id: int):
    actor = _staff(request)
    referral = selectors.referral_for(actor, referral_id)
    sees = referral.pk in selectors.referrals_seen(actor, [referral])
    message = actions.reveal_message(actor, referral) if sees and request.GET.get("message") else None
    return render(request, "referrals/detail.html", {
        "r": referral, "sees": sees, "message": message,
        "reasons": actions.reveal_reasons(actor, referral),
        "side": actions.side_of(actor, referral),
        "steps": actions.allowed_steps(actor, referral), "form": StepForm(),
        "history": referral.steps.all()})


@login_required
@require_POST
def referral_step(request, referral_id: int, step: str):
    actor = _staff(request)
    referral = selectors.referral_for(actor, referral_id)
    form = StepForm(request.POST)
    note = form.data.get("reason", "")
    try:
        actions.take_step(actor, referral, step=step, note=note)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Referral updated."))
    return redirect("referrals:detail", referral_id=referral.pk)


@login_required
def referral_letter(request, referral_id: int):
    actor = _staff(request)
    referral = selectors.referral_for(actor, referral_id)
    try:
        pdf = actions.referral_letter(actor, referral,
                                      language=request.GET.get("language") or None)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("referrals:detail", referral_id=referral.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="referral-{referral.pk}.pdf"'
    response["Cache-Control"] = "no-store"
    return response
