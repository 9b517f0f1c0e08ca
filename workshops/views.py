"""Public pages under /workshops/: open positions near home, and the registration form. A signed-in resident
finds their village chosen, the form filled in from their record, and their own registrations with what
happens next."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from programs.models import Region

from . import selectors, services
from .forms import RegistrationForm, ResidentRegistrationForm
from .models import Category, Registration, Resident, Workshop
from .views_jobs import offers_for

# What happens next, as the resident reads it beside each status.
NEXT_STEPS = {
    Registration.Status.SUBMITTED: gettext_lazy(
        "Next: your community visits you at home to talk it over, then the workshop decides. We will text you."
    ),
    Registration.Status.TO_VERIFY: gettext_lazy(
        "Next: your community visits you at home to talk it over, then the workshop decides. We will text you."
    ),
    Registration.Status.RECOMMENDED: gettext_lazy(
        "Your community recommends you. Next: a home visit to talk it over, then the workshop decides."
    ),
    Registration.Status.HOME_VISIT: gettext_lazy(
        "The home visit is done. Next: the workshop decides; we will text you."
    ),
    Registration.Status.ACCEPTED: gettext_lazy(
        "You are accepted. Next: the workshop tells you when to start; you may call its manager."
    ),
    Registration.Status.EMPLOYED: gettext_lazy("You work here. Your community records your monthly income with you."),
    Registration.Status.REJECTED: gettext_lazy(
        "Not accepted this time. Look at other positions near you, or ask your community for advice."
    ),
    Registration.Status.WITHDRAWN: gettext_lazy("Withdrawn. You may register again while the position is open."),
    Registration.Status.EXPIRED: gettext_lazy(
        "It expired without a decision. You may register again while the position is open."
    ),
}


def _resident_of(request) -> Resident | None:
    """The signed-in user's own resident record, if their account is linked to one."""
    if not request.user.is_authenticated:
        return None
    return Resident.objects.filter(user=request.user).select_related("village__parent__parent").first()


def _shown(registration: Registration) -> Registration:
    """The status as the registrant reads it: one to verify reads as submitted (whether an ID number is on record
    is never told), with the next step."""
    status = registration.status
    if status == Registration.Status.TO_VERIFY:
        status = Registration.Status.SUBMITTED
    registration.shown_status = Registration.Status(status).label
    registration.next_step = NEXT_STEPS[registration.status]
    registration.confirmation_token = services.registration_token(registration)
    return registration


def _own_registrations(user):
    """The resident's own registrations, newest first. One "to verify" was made by someone else giving the
    resident's ID number under another name: it is the community's to check, not the resident's to read."""
    return (
        selectors.registration_list(user=user)
        .exclude(status=Registration.Status.TO_VERIFY)
        .select_related("position__workshop__village__parent")
        .order_by("-created_at", "-id")
    )


def _villages_near(position):
    """The villages of the workshop's city: a 15-minute trip may cross a county line."""
    city_prefix = position.workshop.village.code[: Region.PREFIX_LENGTH[Region.Level.CITY]]
    return (
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=city_prefix)
        .select_related("parent__parent")
        .order_by("code")
    )


def position_list(request):
    """Open positions; with a village chosen, those in its 15-minute circle, nearest first."""
    positions = selectors.open_positions()
    category = request.GET.get("category", "")
    if category in Category.values:
        positions = positions.filter(category=category)
    if request.GET.get("accessible"):
        positions = positions.filter(accessible=True)
    resident = _resident_of(request)
    village = None
    village_id = request.GET.get("village", "")
    if village_id.isdigit():
        village = Region.objects.filter(pk=village_id, level=Region.Level.VILLAGE).first()
    elif resident is not None and "village" not in request.GET:
        village = resident.village  # a resident's own village, until they choose another (or "anywhere")
    if village is not None:
        circle = selectors.travel_minutes_from(village)
        rows = list(positions.filter(workshop__village_id__in=circle))
        for position in rows:
            position.travel_minutes = circle[position.workshop.village_id]
            position.same_village = position.workshop.village_id == village.pk
        rows.sort(key=lambda p: (p.travel_minutes, -selectors.monthly_pay(p), p.pk))
    else:
        rows = positions.order_by("workshop__village__code", "-created_at", "pk")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    villages = list(_villages_with_workshops_nearby())
    if resident is not None and resident.village not in villages:
        villages.insert(0, resident.village)
    mine = []
    if resident is not None:
        mine = [_shown(r) for r in _own_registrations(request.user).filter(status__in=Registration.ACTIVE)[:3]]
    return render(
        request,
        "workshops/position_list.html",
        {
            "page": page,
            "categories": Category.choices,
            "category": category,
            "villages": villages,
            "village": village,
            "accessible": bool(request.GET.get("accessible")),
            "resident": resident,
            "mine": mine,
            "offers": offers_for(request.user) if resident is not None else [],
        },
    )


def _villages_with_workshops_nearby():
    """Every village of a city that has an open workshop: a villager picks their own, workshop or not."""
    cities = {
        code[: Region.PREFIX_LENGTH[Region.Level.CITY]]
        for code in Workshop.objects.filter(status=Workshop.Status.OPEN).values_list("village__code", flat=True)
    }
    if not cities:
        return Region.objects.none()
    in_cities = Q()
    for prefix in sorted(cities):
        in_cities |= Q(code__startswith=prefix)
    return (
        Region.objects.filter(in_cities, level=Region.Level.VILLAGE).select_related("parent__parent").order_by("code")
    )


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=settings.PUBLIC_FORM_RATE, method="POST", block=True)
def position_detail(request, pk):
    """A position and its registration form. A double submit finds the registration the first one made
    and shows the same confirmation: one registration, however often the button is pressed."""
    position = get_object_or_404(selectors.open_positions(), pk=pk)
    resident = _resident_of(request)
    if resident is not None:
        form = ResidentRegistrationForm(request.POST or None, resident=resident)
    else:
        form = RegistrationForm(request.POST or None, villages=_villages_near(position))
    if request.method == "POST" and form.is_valid():
        try:
            registration = _submit(request, position, resident, form.cleaned_data)
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect("workshops:registered", token=services.registration_token(registration))
    context = {"position": position, "form": form, "resident": resident}
    if resident is not None:
        context["travel_minutes"] = selectors.travel_minutes_from(resident.village).get(position.workshop.village_id)
        context["same_village"] = position.workshop.village_id == resident.village_id
        context["circle_minutes"] = settings.WORKSHOPS_CIRCLE_MINUTES
        existing = _own_registrations(request.user).filter(position=position, status__in=Registration.ACTIVE)
        context["existing"] = next((_shown(r) for r in existing[:1]), None)
    return render(request, "workshops/position_detail.html", context)


def _submit(request, position, resident: Resident | None, data: dict) -> Registration:
    income = data["baseline_monthly_income"] or 0
    if resident is not None:
        # Who registers is the account's resident; asking again finds the active registration.
        registration, _created = services.registration_submit(
            resident=resident,
            position=position,
            channel=Registration.Channel.SELF,
            actor=request.user,
            baseline_monthly_income=income,
            consent=data["consent"],
        )
        return registration
    # The same answer whether or not the ID number is on record (no oracle for strangers).
    return services.public_registration_submit(
        position=position,
        name=data["name"],
        id_number=data["id_number"],
        phone=data["phone"],
        village=data["village"],
        has_disability=data["has_disability"],
        baseline_monthly_income=income,
        consent=data["consent"],
    )


def registered(request, token):
    """The confirmation: the readable reference, the status and the next step, no personal data (the link may
    be shared). The address is signed: trying references opens nothing."""
    try:
        registration = services.registration_from_token(token)
    except Registration.DoesNotExist as exc:
        raise Http404(_("No registration has this confirmation link.")) from exc
    own = request.user.is_authenticated and registration.resident.user_id == request.user.pk
    return render(request, "workshops/registered.html", {"registration": _shown(registration), "own": own})


@login_required
def my_registrations(request):
    """A signed-in resident's own registrations: what, where, the reference, the status and the next step."""
    resident = _resident_of(request)
    if resident is None:
        raise PermissionDenied(_("This page is for residents whose account is linked to their resident record."))
    registrations = [_shown(r) for r in _own_registrations(request.user)]
    return render(request, "workshops/mine.html", {"resident": resident, "registrations": registrations})
