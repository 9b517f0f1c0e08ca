"""Public pages under /workshops/: open positions near home, and the registration form."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from programs.models import Region

from . import selectors, services
from .forms import RegistrationForm
from .models import Category, Registration, Workshop


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
    village = None
    village_id = request.GET.get("village", "")
    if village_id.isdigit():
        village = Region.objects.filter(pk=village_id, level=Region.Level.VILLAGE).first()
    if village is not None:
        circle = selectors.travel_minutes_from(village)
        rows = list(positions.filter(workshop__village_id__in=circle))
        for position in rows:
            position.travel_minutes = circle[position.workshop.village_id]
        rows.sort(key=lambda p: (p.travel_minutes, -selectors.monthly_pay(p), p.pk))
    else:
        rows = positions.order_by("workshop__village__code", "-created_at", "pk")
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "workshops/position_list.html",
        {
            "page": page,
            "categories": Category.choices,
            "category": category,
            "villages": _villages_with_workshops_nearby(),
            "village": village,
            "accessible": bool(request.GET.get("accessible")),
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
    form = RegistrationForm(request.POST or None, villages=_villages_near(position))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            # The same answer whether or not the ID number is on record (no oracle for strangers).
            registration = services.public_registration_submit(
                position=position,
                name=data["name"],
                id_number=data["id_number"],
                phone=data["phone"],
                village=data["village"],
                has_disability=data["has_disability"],
                baseline_monthly_income=data["baseline_monthly_income"] or 0,
                consent=data["consent"],
            )
        except ValidationError as error:
            form.add_service_error(error)
        else:
            return redirect("workshops:registered", reference=registration.reference)
    return render(request, "workshops/position_detail.html", {"position": position, "form": form})


def registered(request, reference):
    """The confirmation: the reference and the status, no personal data (the link may be shared)."""
    registration = get_object_or_404(
        Registration.objects.select_related("position__workshop__village"), reference=reference
    )
    # A registration to verify reads as submitted: the page must not tell whether the ID number was on record.
    status = registration.get_status_display()
    if registration.status == Registration.Status.TO_VERIFY:
        status = Registration.Status.SUBMITTED.label
    return render(request, "workshops/registered.html", {"registration": registration, "status": status})
