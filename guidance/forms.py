"""Forms of the public booking pages. They only parse input; the rules live in ``guidance.services``, whose
errors the views put back next to the named fields."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.uploads import EVIDENCE, check_upload

from . import selectors, services
from .formatting import visit_period
from .models import Booking, Mode, Slot, Theme


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, slot: Slot) -> str:
        if slot.free <= 0:
            return _("%(when)s, %(mode)s, full: join the waitlist") % {
                "when": visit_period(slot.starts_at, slot.ends_at),
                "mode": slot.get_mode_display(),
            }
        return _("%(when)s, %(mode)s, %(free)s free") % {
            "when": visit_period(slot.starts_at, slot.ends_at),
            "mode": slot.get_mode_display(),
            "free": slot.free,
        }


def _slot_field(theme: Theme, free_slots) -> SlotChoiceField:
    field = SlotChoiceField(
        queryset=Slot.objects.filter(themes=theme).select_related("region"),
        widget=forms.RadioSelect,
        label=_("Time"),
        empty_label=None,
        required=False,
        error_messages={"invalid_choice": _("This slot is no longer open; please choose another.")},
    )
    field.choices = [(slot.pk, field.label_from_instance(slot)) for slot in free_slots]
    return field


class BookingForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=[("", _("As the chosen time offers")), *Mode.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    not_registered = forms.BooleanField(
        label=_("Not registered yet (for example, about to open a restaurant)"), required=False
    )
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    business_name = forms.CharField(label=_("Business name"), max_length=200, required=False)
    contact_name = forms.CharField(label=_("Contact person"), max_length=100, required=False)
    contact_phone = forms.CharField(
        label=_("Phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    contact_email = forms.CharField(
        label=_("Email (for the confirmation and the calendar file)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput,
    )
    address = forms.CharField(label=_("Address of the business"), max_length=300, required=False)
    needs = forms.CharField(
        label=_("What would you like advice on?"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    consent = forms.BooleanField(
        label=_("I agree that the offices use these details to arrange and follow up the visit."), required=False
    )
    submission_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, theme: Theme, free_slots, districts=(), **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.theme = theme
        self.fields["district"] = forms.ChoiceField(
            label=_("District of the business"),
            choices=[("", _("Choose the district")), *((str(d.pk), d.name) for d in districts)],
            required=False,
            help_text=_("The times below are those of the offices of this district."),
        )
        self.fields["slot"] = _slot_field(theme, free_slots)
        self.order_fields(["district", "slot", "mode"])
        offered = [("", _("As the chosen time offers")), *((m, Mode(m).label) for m in theme.modes)]
        self.fields["mode"].choices = offered

    def clean_submission_key(self):
        key = self.cleaned_data["submission_key"]
        if not key.isalnum():
            raise ValidationError(_("The form has expired; please send it again."))
        return key


class RescheduleForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)

    def __init__(self, *args, theme: Theme, free_slots, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slot"] = _slot_field(theme, free_slots)
        self.fields["slot"].required = True
        self.fields["slot"].error_messages["required"] = _("Choose a time.")
        self.order_fields(["slot", "reason"])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you cancelling?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedbackForm(forms.Form):
    satisfaction = forms.TypedChoiceField(
        label=_("How satisfied are you with the visit?"),
        coerce=int,
        choices=[
            (5, _("5 – very satisfied")),
            (4, _("4 – satisfied")),
            (3, _("3 – neutral")),
            (2, _("2 – dissatisfied")),
            (1, _("1 – very dissatisfied")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Anything to add?"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class EvidenceForm(forms.Form):
    evidence_note = forms.CharField(
        label=_("What was done"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
    evidence_file = forms.FileField(label=_("Photo or document"), required=False)

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            check_upload(upload, kinds=EVIDENCE)
        return upload


BOOKING_ARGS = (
    "business_name",
    "credit_code",
    "not_registered",
    "contact_name",
    "contact_phone",
    "contact_email",
    "address",
    "needs",
    "consent",
)


def booking_arguments(form) -> dict:
    """The service's arguments from a booking form, valid or not: a field that did not parse counts as empty,
    so the service names every other problem on the same try."""
    data = form.cleaned_data
    args = {
        name: data.get(name) or ("" if name not in ("not_registered", "consent") else False) for name in BOOKING_ARGS
    }
    slot = data.get("slot")
    args.update(slot=slot, mode=data.get("mode") or (slot.mode if slot else ""))
    return args


def all_booking_errors(form, *, theme, actor, channel=None) -> None:
    """Every problem of the form at once: the form's own, and those the service finds in the rest."""
    extra = {} if channel is None else {"channel": channel}
    errors, _values = services.booking_check(theme=theme, actor=actor, **booking_arguments(form), **extra)
    for field, found in errors.items():
        if field in form.fields and field not in form.errors:
            form.add_error(field, found)
        elif field not in form.fields:
            form.add_error(None, found)


class PhoneSlotField(forms.ModelChoiceField):
    def label_from_instance(self, slot: Slot) -> str:
        return _("%(district)s · %(when)s, %(mode)s, %(free)s free") % {
            "district": slot.region.name,
            "when": visit_period(slot.starts_at, slot.ends_at),
            "mode": slot.get_mode_display(),
            "free": slot.free,
        }


class PhoneBookingForm(forms.Form):
    """A staff member books for a caller on the phone: the public form's fields, the free times of their own
    area to choose from, and the caller's spoken consent."""

    theme = forms.ModelChoiceField(label=_("Theme"), queryset=Theme.objects.none())
    slot = PhoneSlotField(label=_("Time"), queryset=Slot.objects.none(), required=False)
    not_registered = forms.BooleanField(label=_("Not registered yet"), required=False)
    credit_code = forms.CharField(label=_("Unified social credit code"), max_length=30, required=False)
    business_name = forms.CharField(label=_("Business name"), max_length=200, required=False)
    address = forms.CharField(label=_("Address of the business"), max_length=300, required=False)
    contact_name = forms.CharField(label=_("Caller's name"), max_length=100, required=False)
    contact_phone = forms.CharField(label=_("Caller's phone"), max_length=20, required=False)
    contact_email = forms.CharField(label=_("Caller's email"), max_length=254, required=False)
    needs = forms.CharField(label=_("What the caller needs"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    mode = forms.CharField(required=False, widget=forms.HiddenInput)
    consent = forms.BooleanField(
        label=_("The caller agreed that the offices use these details to arrange and follow up the visit."),
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = selectors.theme_list()
        self.fields["slot"].queryset = selectors.slot_free_list().filter(
            region__code__startswith=user.region.prefix if user.region_id and not user.is_superuser else ""
        )

    def booking(self, *, actor) -> Booking | None:
        """Book for the caller, with every problem on the form at once; None when the form shows errors."""
        self.is_valid()
        theme = self.cleaned_data.get("theme")
        if theme is None:
            return None
        all_booking_errors(self, theme=theme, actor=actor, channel=Booking.Channel.PHONE)
        if self.errors:
            return None
        try:
            return services.booking_create(
                theme=theme, actor=actor, channel=Booking.Channel.PHONE, **booking_arguments(self)
            )
        except ValidationError as exc:
            for field, found in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                self.add_error(field if field in self.fields else None, found)
            return None


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user) -> str:
        name = user.get_full_name() or user.username
        return f"{name}（{user.department.name}）" if user.department_id else name


class SessionForm(forms.Form):
    """A session held for a booking, as an officer records it in the admin: the first one on a confirmed
    booking (it completes the booking), a follow-up on a completed one. The rules are ``session_record``'s."""

    mode = forms.ChoiceField(label=_("Mode"), choices=Mode.choices, widget=forms.RadioSelect)
    held_at = forms.DateTimeField(
        label=_("Held at"),
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    officers = OfficerChoiceField(label=_("Officers"), queryset=None, widget=forms.CheckboxSelectMultiple)
    summary = forms.CharField(label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 4}), required=False)

    def __init__(self, *args, booking: Booking, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.booking = booking
        first = booking.status == Booking.Status.CONFIRMED
        officers = selectors.session_officer_choices(booking=booking)
        self.fields["officers"].queryset = officers
        mine = [user.pk] if officers.filter(pk=user.pk).exists() else []
        self.initial.setdefault("mode", booking.mode)
        now = timezone.now()
        starts = booking.slot.starts_at if booking.slot_id else None
        # The slot's start for a first session under way; now (never a time to come, which is refused).
        held_at = starts if first and starts is not None and starts <= now else now
        self.initial.setdefault("held_at", timezone.localtime(held_at).replace(second=0, microsecond=0))
        if first and starts is not None:
            self.fields["held_at"].help_text = _(
                "A session can be recorded from %(start)s, the start of the booked time."
            ) % {"start": f"{timezone.localtime(starts):%Y-%m-%d %H:%M}"}
        if first:
            assigned = list(booking.officers.values_list("pk", flat=True))
            self.initial.setdefault("officers", assigned + [pk for pk in mine if pk not in assigned])
        else:
            self.initial.setdefault("officers", mine)
