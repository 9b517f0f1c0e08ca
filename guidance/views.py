"""The public booking pages at /guidance/: choose a theme, book a slot, and manage the booking through the
signed link sent by email and SMS. Plain HTML forms: they work without JavaScript and on a phone."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from programs.documents import document_response
from programs.models import User

from . import selectors, services
from .forms import BookingForm, CancelForm, EvidenceForm, FeedbackForm, RescheduleForm
from .models import Booking, Risk


def _public_form_rate(group, request) -> str:
    """Read when the request comes, so that the setting (and a test) decides, not the import."""
    return settings.PUBLIC_FORM_RATE


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's errors next to the fields they name (the rest at the top of the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def theme_index(request):
    return render(request, "guidance/theme_index.html", {"themes": selectors.theme_list()})


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def book(request, code):
    theme = get_object_or_404(selectors.theme_list(), code=code)
    free_slots = selectors.slot_free_list(theme=theme, mode=request.GET.get("mode") or None)
    form = BookingForm(request.POST or None, theme=theme, free_slots=free_slots)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        slot = data["slot"]
        try:
            booking = services.booking_create(
                theme=theme,
                slot=slot,
                mode=data["mode"] or slot.mode,
                business_name=data["business_name"],
                credit_code=data["credit_code"],
                not_registered=data["not_registered"],
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                contact_email=data["contact_email"],
                address=data["address"],
                needs=data["needs"],
                consent=data["consent"],
                actor=request.user if request.user.is_authenticated else None,
                submission_key=data["submission_key"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect(reverse("guidance:manage", args=[services.booking_token(booking)]) + "?booked=1")
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "guidance/book.html", {"theme": theme, "form": form, "free_slots": free_slots}, status=status
    )


def _booking_or_404(token: str, salt: str = services.MANAGE_SALT) -> Booking:
    try:
        return services.booking_from_token(token, salt=salt)
    except signing.BadSignature as exc:
        raise Http404(_("This link is not valid.")) from exc


def _closed(request, booking):
    return render(request, "guidance/closed.html", {"booking": booking}, status=410)


def manage(request, token):
    booking = _booking_or_404(token)
    booking = selectors.booking_detail(booking=booking)
    context = {"booking": booking, "token": token, "booked": request.GET.get("booked") == "1"}
    if booking.is_open:
        free = selectors.slot_free_list(theme=booking.theme).exclude(pk=booking.slot_id)
        context["reschedule_form"] = RescheduleForm(theme=booking.theme, free_slots=free)
        context["cancel_form"] = CancelForm()
    return render(request, "guidance/manage.html", context)


@require_http_methods(["POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def manage_reschedule(request, token):
    booking = _booking_or_404(token)
    if not booking.is_open:
        return _closed(request, booking)
    free = selectors.slot_free_list(theme=booking.theme).exclude(pk=booking.slot_id)
    form = RescheduleForm(request.POST, theme=booking.theme, free_slots=free)
    if form.is_valid():
        try:
            services.booking_reschedule(
                booking=booking, slot=form.cleaned_data["slot"], actor=None, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("guidance:manage", token=token)
    detail = selectors.booking_detail(booking=booking)
    context = {"booking": detail, "token": token, "reschedule_form": form, "cancel_form": CancelForm()}
    return render(request, "guidance/manage.html", context, status=400)


@require_http_methods(["POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def manage_cancel(request, token):
    booking = _booking_or_404(token)
    if not booking.is_open:
        return _closed(request, booking)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.booking_cancel(booking=booking, actor=None, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("guidance:manage", token=token)
    free = selectors.slot_free_list(theme=booking.theme).exclude(pk=booking.slot_id)
    context = {
        "booking": selectors.booking_detail(booking=booking),
        "token": token,
        "reschedule_form": RescheduleForm(theme=booking.theme, free_slots=free),
        "cancel_form": form,
    }
    return render(request, "guidance/manage.html", context, status=400)


@require_http_methods(["POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def manage_evidence(request, token, risk_id):
    """Rectification evidence for one risk of the visit, through the booking's signed link."""
    booking = _booking_or_404(token)
    risk = get_object_or_404(Risk, pk=risk_id, booking=booking)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.risk_submit_evidence_by_link(
                risk=risk,
                booking=booking,
                note=form.cleaned_data["evidence_note"],
                file=form.cleaned_data["evidence_file"],
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("guidance:manage", token=token)
    context = {"booking": selectors.booking_detail(booking=booking), "token": token, "evidence_errors": {risk.pk: form}}
    return render(request, "guidance/manage.html", context, status=400)


def manage_ical(request, token):
    booking = _booking_or_404(token)
    response = HttpResponse(services.booking_ical(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="visit.ics"'
    return response


def _letter(request, booking, pdf_url):
    """The letter to read on screen, with the issued PDF (every version) to download: the PDF is the letter."""
    if not booking.letter_issued_at:
        raise Http404(_("The recommendation letter has not been issued yet."))
    context = {
        "booking": selectors.booking_detail(booking=booking),
        "versions": list(selectors.letter_versions(booking=booking)),
        "pdf_url": pdf_url,
    }
    return render(request, "guidance/letter.html", context)


def _letter_pdf(request, booking):
    """The issued letter as stored: the version in force, or ``?version=N``; never rendered here."""
    version = request.GET.get("version", "")
    if version and not version.isdigit():
        raise Http404
    document = selectors.letter_document(booking=booking, version=int(version) if version else None)
    if document is None:
        raise Http404(_("The recommendation letter has not been issued yet."))
    return document_response(document, request)


def manage_letter(request, token):
    return _letter(request, _booking_or_404(token), reverse("guidance:manage-letter-pdf", args=[token]))


def manage_letter_pdf(request, token):
    return _letter_pdf(request, _booking_or_404(token))


def _own_booking(request, pk) -> Booking:
    return get_object_or_404(selectors.booking_list(user=request.user), pk=pk)


@login_required
def letter(request, pk):
    return _letter(request, _own_booking(request, pk), reverse("guidance:letter-pdf", args=[pk]))


@login_required
def letter_pdf(request, pk):
    return _letter_pdf(request, _own_booking(request, pk))


@login_required
def my_bookings(request):
    """An enterprise user signed in sees every booking of its enterprise, with its manage link."""
    if request.user.role != User.Role.ENTERPRISE:
        raise Http404
    bookings = list(selectors.booking_list(user=request.user).order_by("-slot__starts_at", "-id"))
    for booking in bookings:
        booking.manage_token = services.booking_token(booking)
    return render(request, "guidance/mine.html", {"bookings": bookings})


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def feedback(request, token):
    booking = _booking_or_404(token, salt=services.FEEDBACK_SALT)
    if booking.feedback_at:
        return render(request, "guidance/feedback.html", {"booking": booking, "thanks": True})
    form = FeedbackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.feedback_submit(
                booking=booking,
                satisfaction=form.cleaned_data["satisfaction"],
                comment=form.cleaned_data["comment"],
                actor=request.user if request.user.is_authenticated else None,
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("guidance:feedback", token=token)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "guidance/feedback.html", {"booking": booking, "form": form}, status=status)
