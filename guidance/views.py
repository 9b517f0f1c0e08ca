"""The public booking pages at /guidance/: choose a theme, book a slot, and manage the booking through the
signed link sent by email and SMS. Plain HTML forms: they work without JavaScript and on a phone."""

from django.conf import settings
from django.contrib import messages
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
from .formatting import visit_period
from .forms import (
    BookingForm,
    CancelForm,
    EvidenceForm,
    FeedbackForm,
    RescheduleForm,
    all_booking_errors,
    booking_arguments,
)
from .models import Booking, Risk, Slot


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


def _district(request, districts, address: str = ""):
    """The district whose times the form shows: the one picked, else the one the address names, else the
    signed-in enterprise's, else the only one there is."""
    by_id = {str(d.pk): d for d in districts}
    picked = request.POST.get("district") if request.method == "POST" else request.GET.get("district")
    if picked in by_id:
        return by_id[picked]
    named = selectors.district_named_in(address, districts)
    if named is not None:
        return named
    enterprise = getattr(request.user, "enterprise", None) if request.user.is_authenticated else None
    if enterprise is not None and enterprise.region_id:
        own = [d for d in districts if enterprise.region.code.startswith(d.prefix)]
        if own:
            return own[0]
    return districts[0] if len(districts) == 1 else None


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def book(request, code):
    theme = get_object_or_404(selectors.theme_list(), code=code)
    actor = request.user if request.user.is_authenticated else None
    districts = selectors.theme_districts(theme=theme)
    district = _district(request, districts, request.POST.get("address", ""))
    mode = request.GET.get("mode") or None
    slots = selectors.slot_open_list(theme=theme, mode=mode, region=district) if district else Slot.objects.none()
    showing = request.method == "POST" and "show_district" in request.POST  # only the picker changed
    data = request.POST if request.method == "POST" else None
    form = BookingForm(
        data,
        theme=theme,
        free_slots=slots,
        districts=districts,
        initial={"district": str(district.pk) if district else ""},
    )
    if request.method == "POST" and not showing:
        form.is_valid()
        all_booking_errors(form, theme=theme, actor=actor)
        if not form.errors:
            arguments = booking_arguments(form)
            try:
                if arguments["slot"].free <= 0:
                    entry = services.waitlist_join(theme=theme, actor=actor, **arguments)
                    return redirect(reverse("guidance:waitlist", args=[services.waitlist_token(entry)]) + "?joined=1")
                booking = services.booking_create(
                    theme=theme, actor=actor, submission_key=form.cleaned_data["submission_key"], **arguments
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                return redirect(reverse("guidance:manage", args=[services.booking_token(booking)]) + "?booked=1")
    if showing:
        form.errors.clear()  # the page is shown again for the district picked, nothing was sent yet
    if district is not None and form.is_bound:  # the picker shows the district whose times are listed
        form.data = form.data.copy()
        form.data["district"] = str(district.pk)
    status = 400 if form.is_bound and form.errors else 200
    context = {"theme": theme, "form": form, "free_slots": slots, "district": district, "districts": districts}
    return render(request, "guidance/book.html", context, status=status)


def _booking_or_404(token: str, salt: str = services.MANAGE_SALT) -> Booking:
    try:
        return services.booking_from_token(token, salt=salt)
    except signing.BadSignature as exc:
        raise Http404(_("This link is not valid.")) from exc


def _closed(request, booking):
    return render(request, "guidance/closed.html", {"booking": booking}, status=410)


def _other_times(booking):
    """The times a booking may move to: its theme's free slots in the same district."""
    district = selectors.district_of(booking.region)
    return selectors.slot_free_list(theme=booking.theme, region=district).exclude(pk=booking.slot_id)


def _manage_page(request, booking, token, *, reschedule_form=None, cancel_form=None, status=200):
    booking = selectors.booking_detail(booking=booking)
    context = {
        "booking": booking,
        "token": token,
        "booked": request.GET.get("booked") == "1",
        "office": selectors.office_for(booking.region),
        "when": visit_period(booking.slot.starts_at, booking.slot.ends_at, year=True),
    }
    if booking.is_open:
        context["reschedule_form"] = reschedule_form or RescheduleForm(
            theme=booking.theme, free_slots=_other_times(booking)
        )
        context["cancel_form"] = cancel_form or CancelForm()
    return render(request, "guidance/manage.html", context, status=status)


def manage(request, token):
    return _manage_page(request, _booking_or_404(token), token)


def _confirm_page(request, booking, token, *, step: str, form, new_slot=None):
    """The second step of a change made through the link: what will happen, to confirm or go back."""
    context = {
        "booking": booking,
        "token": token,
        "step": step,
        "form": form,
        "when": visit_period(booking.slot.starts_at, booking.slot.ends_at, year=True),
        "new_when": visit_period(new_slot.starts_at, new_slot.ends_at, year=True) if new_slot else "",
    }
    return render(request, "guidance/manage_confirm.html", context)


@require_http_methods(["POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def manage_reschedule(request, token):
    booking = _booking_or_404(token)
    if not booking.is_open:
        return _closed(request, booking)
    form = RescheduleForm(request.POST, theme=booking.theme, free_slots=_other_times(booking))
    if form.is_valid():
        slot = form.cleaned_data["slot"]
        try:
            if request.POST.get("confirmed") != "1":
                services.booking_check_changeable(booking=booking, actor=None)
                return _confirm_page(request, booking, token, step="reschedule", form=form, new_slot=slot)
            moved = services.booking_reschedule(
                booking=booking, slot=slot, actor=None, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your visit is moved to %(when)s. We have sent you the new time.")
                % {"when": visit_period(moved.slot.starts_at, moved.slot.ends_at, year=True)},
            )
            return redirect("guidance:manage", token=token)
    return _manage_page(request, booking, token, reschedule_form=form, status=400)


@require_http_methods(["POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def manage_cancel(request, token):
    booking = _booking_or_404(token)
    if not booking.is_open:
        return _closed(request, booking)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            if request.POST.get("confirmed") != "1":
                services.booking_check_changeable(booking=booking, actor=None)
                return _confirm_page(request, booking, token, step="cancel", form=form)
            services.booking_cancel(booking=booking, actor=None, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your booking %(ref)s is cancelled. We have sent you a confirmation.") % {"ref": booking.reference},
            )
            return redirect("guidance:manage", token=token)
    return _manage_page(request, booking, token, cancel_form=form, status=400)


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
    if booking.status == Booking.Status.CANCELLED:
        return _closed(request, booking)  # a cancelled visit has no calendar entry to offer
    response = HttpResponse(services.booking_ical(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="visit.ics"'
    return response


def _session_or_404(request, booking):
    """The session whose letter is asked for (``?session=<id>``), by default the booking's first."""
    session = selectors.session_of(booking=booking, session_id=request.GET.get("session"))
    if session is None:
        raise Http404(_("The recommendation letter has not been issued yet."))
    return session


def _letter(request, booking, pdf_url):
    """A session's letter to read on screen, with the issued PDF (every version) to download: the PDF is the
    letter."""
    session = _session_or_404(request, booking)
    if not session.letter_issued_at:
        raise Http404(_("The recommendation letter has not been issued yet."))
    pdf_url += "?" if session.kind == session.Kind.FIRST else f"?session={session.pk}&"
    context = {
        "booking": selectors.booking_detail(booking=booking),
        "session": session,
        "versions": list(selectors.letter_versions(booking=booking, session=session)),
        "pdf_url": pdf_url,
    }
    return render(request, "guidance/letter.html", context)


def _letter_pdf(request, booking):
    """The issued letter as stored: the version in force, or ``?version=N``; never rendered here."""
    version = request.GET.get("version", "")
    if version and not version.isdigit():
        raise Http404
    session = _session_or_404(request, booking)
    document = selectors.letter_document(booking=booking, session=session, version=int(version) if version else None)
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


def _entry_or_404(token: str):
    try:
        return services.waitlist_from_token(token)
    except signing.BadSignature as exc:
        raise Http404(_("This link is not valid.")) from exc


def waitlist(request, token):
    """A business's place on a full slot's waitlist: its position, or the place offered to take."""
    entry = _entry_or_404(token)
    context = {
        "entry": entry,
        "token": token,
        "joined": request.GET.get("joined") == "1",
        "position": services.waitlist_position(entry) if entry.status == entry.Status.WAITING else None,
        "when": visit_period(entry.slot.starts_at, entry.slot.ends_at, year=True),
        "office": selectors.office_for(entry.slot.region),
    }
    return render(request, "guidance/waitlist.html", context)


@require_http_methods(["POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def waitlist_accept(request, token):
    entry = _entry_or_404(token)
    try:
        booking = services.waitlist_accept(entry=entry, actor=request.user if request.user.is_authenticated else None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("guidance:waitlist", token=token)
    return redirect(reverse("guidance:manage", args=[services.booking_token(booking)]) + "?booked=1")


@require_http_methods(["POST"])
@ratelimit(key="ip", rate=_public_form_rate, method="POST", block=True)
def waitlist_leave(request, token):
    entry = _entry_or_404(token)
    try:
        services.waitlist_leave(entry=entry, actor=request.user if request.user.is_authenticated else None)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("You have left the waitlist."))
    return redirect("guidance:waitlist", token=token)
