"""Forms of the inspections pages. They validate input only; the services hold the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from programs.uploads import EVIDENCE, check_upload

from .codes import CODE_LENGTH, normalize_code


class VerifyForm(forms.Form):
    code = forms.CharField(
        label=_("Inspection code"),
        max_length=40,
        help_text=_("The code the officer shows, e.g. ABCD-EFGH-JKMN-PQRS-TUVW."),
    )

    def clean_code(self):
        code = normalize_code(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH:
            raise forms.ValidationError(_("An inspection code has %(n)s letters and digits.") % {"n": CODE_LENGTH})
        return code


class EvidenceForm(forms.Form):
    note = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 4}))
    file = forms.FileField(
        label=_("Photo or document"),
        required=False,
        help_text=_("JPG, PNG, HEIC or PDF."),
    )
    submission_key = forms.CharField(widget=forms.HiddenInput)

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload:
            check_upload(upload, kinds=EVIDENCE)
        return upload
