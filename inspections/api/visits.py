"""A whole visit in one request (``POST /inspections/{id}/visit-record/``): what the officer's phone recorded,
sent once the connection is back — JSON, or multipart with the findings' photos as file parts."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample
from rest_framework import serializers

from ..models import Finding, Inspection, ItemCheck
from ..services.inspections import CODE_NOT_SHOWN_REASONS

# The model's whole choice set (one enum in the schema, the same as the answers'); the service refuses
# `not_recorded`, which only the migration sets.
CODE_NOT_SHOWN_CHOICES = Inspection.CodeNotShownReason.choices
CODE_NOT_SHOWN_REASON_HELP = (
    "Why the code was not shown (亮码): required to complete a visit whose code was not shown; not kept when it "
    "was. One of: " + ", ".join(f"`{value}`" for value in CODE_NOT_SHOWN_REASONS) + ". `not_recorded` marks only "
    "visits completed before the reason was asked for and is refused (`code_not_shown_reason_invalid`)."
)
CODE_NOT_SHOWN_NOTE_HELP = "The explanation; required with `other`."


class CodeNotShownSerializer(serializers.Serializer):
    """The reason and its explanation, the same in every request that completes a visit."""

    code_not_shown_reason = serializers.ChoiceField(
        choices=CODE_NOT_SHOWN_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text=CODE_NOT_SHOWN_REASON_HELP,
    )
    code_not_shown_note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text=CODE_NOT_SHOWN_NOTE_HELP
    )


PHOTO_PARTS_HELP = (
    "The names of file parts of the same multipart request (for example `photo-0-0`), one per photo; "
    "JPEG, PNG, HEIC or PDF. Leave empty in a JSON request."
)


class VisitAnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(min_value=1, help_text="An item of the inspection.")
    result = serializers.ChoiceField(choices=ItemCheck.Result.choices)


class VisitFindingSerializer(serializers.Serializer):
    item = serializers.IntegerField(
        min_value=1, help_text="An item of the inspection; its answer becomes not compliant."
    )
    severity = serializers.ChoiceField(choices=Finding.Severity.choices)
    description = serializers.CharField(max_length=5000)
    deadline = serializers.DateField(help_text="The rectification deadline; today or later.")
    photos = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        default=list,
        max_length=20,
        help_text=PHOTO_PARTS_HELP,
    )


class VisitRecordSerializer(CodeNotShownSerializer):
    code_shown_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="When the phone showed the code (亮码), offline or not; leave out if the code was not shown.",
    )
    answers = VisitAnswerSerializer(many=True, required=False, default=list)
    findings = VisitFindingSerializer(many=True, required=False, default=list)
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class VisitRecordFormSerializer(CodeNotShownSerializer):
    """The multipart form of the same request (documentation only): ``answers`` and ``findings`` as JSON text,
    each photo as a file part named in its finding's ``photos``."""

    code_shown_at = serializers.DateTimeField(required=False)
    answers = serializers.CharField(required=False, help_text="JSON: a list of {item, result}.")
    findings = serializers.CharField(
        required=False, help_text="JSON: a list of {item, severity, description, deadline, photos: [part name]}."
    )
    summary = serializers.CharField(required=False, allow_blank=True)
    photo = serializers.FileField(required=False, help_text="A photo part; any name listed in a finding's photos.")


def field_errors(errors, prefix: str = "") -> dict[str, list[str]]:
    """A serializer's nested errors named by their place in the request: ``findings[0].deadline``."""
    if isinstance(errors, dict):
        flat = {}
        for key, value in errors.items():
            name = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
            if key == "non_field_errors" and prefix:
                name = prefix
            flat.update(field_errors(value, name))
        return flat
    if isinstance(errors, list) and any(isinstance(e, (dict, list)) for e in errors):
        flat = {}
        for n, value in enumerate(errors):
            if value:
                flat.update(field_errors(value, f"{prefix}[{n}]"))
        return flat
    messages = errors if isinstance(errors, list) else [errors]
    return {prefix or "non_field_errors": [str(m) for m in messages]}


def _form_data(request) -> dict:
    """A multipart request's fields as the JSON request would give them (``answers``/``findings`` parsed)."""
    data = {
        key: request.data.get(key)
        for key in ("code_shown_at", "summary", "code_not_shown_reason", "code_not_shown_note")
        if request.data.get(key) not in (None, "")
    }
    errors = {}
    for key in ("answers", "findings"):
        text = request.data.get(key)
        if text in (None, ""):
            continue
        try:
            data[key] = json.loads(text)
        except ValueError:
            errors[key] = [_("This is not valid JSON.")]
    if errors:
        raise serializers.ValidationError(errors)
    return data


def visit_input(request) -> dict:
    """The service's arguments from the request; each error named by its place in the request."""
    multipart = request.content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded"))
    data = _form_data(request) if multipart else request.data
    if not isinstance(data, dict):
        raise serializers.ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    checked = VisitRecordSerializer(data=data)
    if not checked.is_valid():
        raise serializers.ValidationError(field_errors(checked.errors))
    values = dict(checked.validated_data)
    values["answers"] = [dict(answer) for answer in values["answers"]]
    findings, errors = [], {}
    for n, finding in enumerate(values["findings"]):
        finding = dict(finding)
        photos = []
        for name in finding.get("photos") or []:
            upload = request.FILES.get(name) if multipart else None
            if upload is None:
                errors[f"findings[{n}].photos"] = [_("No file part named “%(name)s” in this request.") % {"name": name}]
            else:
                photos.append(upload)
        finding["photos"] = photos
        findings.append(finding)
    if errors:
        raise serializers.ValidationError(errors)
    values["findings"] = findings
    return values


VISIT_RECORD_DESCRIPTION = (
    "Record a whole visit and complete it, in one transaction: the code shown at `code_shown_at` (the phone's "
    "time when it was offline), the inspection started if it was only scheduled, every answer, every finding with "
    "its photos, then completed. A visit whose code was not shown (neither before nor in this request) needs "
    "`code_not_shown_reason` (`other` with `code_not_shown_note`); without it the answer is 400 "
    "`code_not_shown_reason_required` naming the field. Nothing is recorded if anything is refused. Send an "
    "`Idempotency-Key`: a replay gets the first answer. 409 `cancelled`: the coordinator cancelled the visit; "
    "409 `already_completed`. A bad field is named by its place, e.g. `findings[0].deadline`. Multipart: "
    "`answers` and `findings` are JSON text and each photo is a file part named in its finding's `photos`."
)
VISIT_RECORD_EXAMPLE = OpenApiExample(
    "JSON",
    request_only=True,
    media_type="application/json",
    value={
        "code_shown_at": "2026-06-03T09:12:00+08:00",
        "answers": [{"item": 12, "result": "compliant"}, {"item": 13, "result": "non_compliant"}],
        "findings": [
            {
                "item": 13,
                "severity": "general",
                "description": "电梯应急电话不畅通",
                "deadline": "2026-06-18",
                "photos": [],
            }
        ],
        "summary": "一般问题一项",
    },
)
