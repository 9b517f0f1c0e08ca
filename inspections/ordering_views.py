"""The enterprise's service-ordering pages (企业点单): its community's catalogue, an order for its workers, its
orders as the community accepts and delivers them, and the rating of what was delivered."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from programs.models import User

from . import complaint_selectors
from .services import ordering as ordering_services


class OrderForm(forms.Form):
    people = forms.IntegerField(label=gettext_lazy("How many people?"), min_value=1, max_value=100000)
    note = forms.CharField(
        label=gettext_lazy("Note for the community"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Rating"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)]
    )
    feedback = forms.CharField(label=gettext_lazy("Comment"), required=False, max_length=2000)


def _enterprise_user(request) -> User:
    if request.user.role != User.Role.ENTERPRISE or not request.user.enterprise_id:
        raise PermissionDenied(_("This area is for enterprise users."))
    return request.user


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _page(request, user, *, order_forms=None, rate_forms=None, status=200):
    offerings = complaint_selectors.offering_list(user=user).order_by("starts_on", "pk")
    orders = complaint_selectors.order_list(user=user).order_by("-created_at", "-pk")[:50]
    order_forms = order_forms or {}
    rate_forms = rate_forms or {}
    context = {
        "enterprise": user.enterprise,
        "offerings": [(o, order_forms.get(o.pk) or OrderForm(prefix=f"o{o.pk}")) for o in offerings],
        "orders": [(o, rate_forms.get(o.pk) or RateForm(prefix=f"r{o.pk}")) for o in orders],
    }
    return render(request, "inspections/ordering/catalogue.html", context, status=status)


@login_required
@require_http_methods(["GET"])
def catalogue(request):
    return _page(request, _enterprise_user(request))


@login_required
@require_http_methods(["POST"])
def order(request, pk):
    user = _enterprise_user(request)
    offering = get_object_or_404(complaint_selectors.offering_list(user=user), pk=pk)
    form = OrderForm(request.POST, prefix=f"o{offering.pk}")
    if form.is_valid():
        try:
            placed = ordering_services.order_place(offering=offering, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Ordered: %(service)s for %(people)s people. The community will accept it soon.")
                % {"service": offering.title, "people": placed.people},
            )
            return redirect("inspections:services")
    return _page(request, user, order_forms={offering.pk: form}, status=400)


@login_required
@require_http_methods(["POST"])
def rate(request, pk):
    user = _enterprise_user(request)
    placed = get_object_or_404(complaint_selectors.order_list(user=user), pk=pk)
    form = RateForm(request.POST, prefix=f"r{placed.pk}")
    if form.is_valid():
        try:
            ordering_services.order_rate(order=placed, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("inspections:services")
    return _page(request, user, rate_forms={placed.pk: form}, status=400)


@login_required
@require_http_methods(["POST"])
def cancel(request, pk):
    user = _enterprise_user(request)
    placed = get_object_or_404(complaint_selectors.order_list(user=user), pk=pk)
    try:
        ordering_services.order_cancel(order=placed, actor=user, reason=_("Cancelled by the enterprise."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your order is cancelled."))
    return redirect("inspections:services")
