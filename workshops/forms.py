"""The public registration form. It only checks and shapes input; the service decides."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from programs.models import Region
from programs.validators import mask_id_number, normalize_id_number, validate_id_number

PHONE = re.compile(r"^1\d{10}$")


class VillageField(forms.ModelChoiceField):
    """Many villages share a name (东海村): show the county and town too."""

    def label_from_instance(self, village):
        town = village.parent
        county = town.parent if town else None
        return "".join(r.name for r in (county, town, village) if r is not None)


class RegistrationForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=100)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=24,
        help_text=_("18 characters. Only your community and the workshop organiser can see it."),
    )
    phone = forms.CharField(label=_("Mobile phone"), max_length=20, help_text=_("We text you about your registration."))
    village = VillageField(label=_("Your village or community"), queryset=Region.objects.none())
    baseline_monthly_income = forms.DecimalField(
        label=_("Your monthly income now (yuan)"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=_("Optional: lets us measure how much the work adds."),
    )
    has_disability = forms.BooleanField(
        label=_("I am a disabled person and need an accessible position"), required=False
    )
    consent = forms.BooleanField(
        label=_(
            "I agree that my name, ID number, phone and the information above are used to handle this "
            "registration, and are seen only by my community and the workshop organiser."
        ),
        error_messages={"required": _("Please agree to the use of your personal data to register.")},
    )

    def __init__(self, *args, villages, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages

    def clean_id_number(self):
        value = normalize_id_number(self.cleaned_data["id_number"])
        validate_id_number(value)
        return value

    def clean_phone(self):
        value = "".join(self.cleaned_data["phone"].split())
        if not PHONE.match(value):
            raise ValidationError(_("A mobile number has 11 digits and starts with 1."))
        return value

    def add_service_error(self, error: ValidationError) -> None:
        """Put a service's refusal next to the field it names, or above the form."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)


class ResidentRegistrationForm(RegistrationForm):
    """The same form for a signed-in resident: who they are comes from their resident record, shown filled in
    and fixed (the community corrects a record); only the income now and the consent are asked."""

    IDENTITY = ("name", "id_number", "phone", "village", "has_disability")

    def __init__(self, *args, resident, **kwargs):
        village = Region.objects.filter(pk=resident.village_id).select_related("parent__parent")
        super().__init__(*args, villages=village, **kwargs)
        self.initial.update(
            name=resident.name,
            # Masked on the page: the resident knows their number, a look over the shoulder should not learn it.
            id_number=mask_id_number(resident.id_number),
            phone=resident.phone,
            village=resident.village_id,
            has_disability=resident.has_disability,
        )
        for name in self.IDENTITY:
            self.fields[name].disabled = True
            self.fields[name].required = False
            self.fields[name].help_text = ""

    def clean_id_number(self):
        return self.cleaned_data["id_number"]

    def clean_phone(self):
        return self.cleaned_data["phone"]
