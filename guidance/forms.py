"""Forms of the public booking pages. They only parse input; the rules live in ``guidance.services``, whose
errors the views put back next to the named fields."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from programs.uploads import EVIDENCE, check_upload

from .models import Mode, Slot, Theme


class SlotChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, slot: Slot) -> str:
        start, end = timezone.localtime(slot.starts_at), timezone.localtime(slot.ends_at)
        return _("%(date)s %(start)s–%(end)s, %(mode)s, %(region)s, %(free)s free") % {
            "date": f"{start:%Y-%m-%d}",
            "start": f"{start:%H:%M}",
            "end": f"{end:%H:%M}",
            "mode": slot.get_mode_display(),
            "region": slot.region.name,
            "free": slot.free,
        }


def _slot_field(theme: Theme, free_slots) -> SlotChoiceField:
    field = SlotChoiceField(
        queryset=Slot.objects.filter(themes=theme).select_related("region"),
        widget=forms.RadioSelect,
        label=_("Time"),
        empty_label=None,
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

    def __init__(self, *args, theme: Theme, free_slots, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("submission_key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)
        self.theme = theme
        self.fields["slot"] = _slot_field(theme, free_slots)
        self.order_fields(["slot", "mode"])
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
