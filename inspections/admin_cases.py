"""The officers' admin of penalty cases (行政处罚案件): open a case (from a penalty finding or directly), serve
the advance notice, answer the enterprise's statements, submit, approve and decide (a second officer for the
general procedure), close, cancel, record an office visit or a service by other means, and record
reconsideration or litigation. Every action calls the same services as the API. Registered on import from
``inspections.admin``."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from programs.admin import AuditHistoryInline, RoleScopedAdmin, action_reason, service_action
from programs.roles import ENFORCEMENT

from .models import CaseDefence, CaseReview, Finding, PenaltyCase
from .services import case_receipt
from .services import cases as case_services
from .services.case_documents import CASE_DOCUMENT_KINDS, NOTICE, case_document, case_document_title

# --- Actions ---------------------------------------------------------------------------------------------------


def _notify(case, actor, request):
    case_services.case_notify(case=case, actor=actor)


def _submit(case, actor, request):
    case_services.case_submit(case=case, actor=actor)


def _decide(case, actor, request):
    case_services.case_decide(case=case, actor=actor)


def _return(case, actor, request):
    case_services.case_return(case=case, actor=actor, reason=action_reason(request))


def _close(case, actor, request):
    case_services.case_close(case=case, actor=actor)


def _cancel(case, actor, request):
    case_services.case_cancel(case=case, actor=actor, reason=action_reason(request))


def _office_visit(case, actor, request):
    case_services.case_record_office_visit(case=case, actor=actor, note=action_reason(request))


def _served_otherwise(case, actor, request):
    kind = NOTICE if case.status == PenaltyCase.Status.NOTIFIED else "penalty_decision"
    case_receipt.case_served_otherwise(case=case, actor=actor, kind=kind, note=action_reason(request))


# --- Forms and inlines ------------------------------------------------------------------------------------------


class CaseOpenForm(forms.ModelForm):
    """A new case: from a finding decided "penalty" (its enterprise, item and inspection follow), or directly
    for an enterprise and an item."""

    class Meta:
        model = PenaltyCase
        fields = ["finding", "enterprise", "item", "procedure", "penalty_kind", "fine_amount", "facts", "legal_basis"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("enterprise", "item", "facts", "legal_basis"):
            self.fields[name].required = False
        self.fields["finding"].queryset = Finding.objects.filter(
            decision=Finding.Decision.PENALTY, penalty_case__isnull=True
        ).select_related("enterprise", "item")
        self.fields["legal_basis"].help_text = _("Empty: the item's legal basis.")
        self.fields["facts"].help_text = _("Empty for a finding: its description.")

    def clean(self):
        data = super().clean()
        if not data.get("finding"):
            for name in ("enterprise", "item", "facts"):
                if not data.get(name):
                    self.add_error(name, ValidationError(_("Required without a finding."), code="required"))
        return data


class DefenceAnswerForm(forms.ModelForm):
    """An answer says whether the defence is accepted: "unknown" would reach the enterprise as a refusal."""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("answer") and cleaned.get("accepted") is None:
            self.add_error("accepted", ValidationError(_("Say whether the defence is accepted."), code="required"))
        return cleaned


class DefenceInline(admin.TabularInline):
    """The enterprise's statements, answered here (once each)."""

    model = CaseDefence
    form = DefenceAnswerForm
    extra = 0
    can_delete = False
    fields = ["submitted_at", "statement", "answer", "accepted", "answered_by", "answered_at"]
    readonly_fields = ["submitted_at", "statement", "answered_by", "answered_at"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return True  # the answer; the service checks who may give it


class ReviewInline(admin.TabularInline):
    """Reconsideration and litigation: add one when filed, set its outcome when known."""

    model = CaseReview
    extra = 0
    can_delete = False
    fields = ["kind", "filed_on", "body", "outcome", "outcome_on", "note"]

    def has_add_permission(self, request, obj=None):
        return obj is not None and obj.decided_at is not None

    def has_change_permission(self, request, obj=None):
        return True


@admin.register(PenaltyCase)
class PenaltyCaseAdmin(RoleScopedAdmin):
    view_roles = ENFORCEMENT
    edit_roles = ENFORCEMENT
    scope_paths = {"region": "enterprise__region", "department": "department_id", "enterprise": "enterprise_id"}
    list_display = [
        "number",
        "enterprise",
        "department",
        "item",
        "procedure",
        "penalty_kind",
        "fine_amount",
        "status",
        "zero_trip",
        "opened_at",
    ]
    list_filter = ["status", "procedure", "penalty_kind", "zero_trip", "department__kind", "reviews__kind"]
    search_fields = ["number", "enterprise__name", "enterprise__credit_code", "item__code", "item__name"]
    list_select_related = ["enterprise", "department", "item"]
    date_hierarchy = "opened_at"
    inlines = [DefenceInline, ReviewInline, AuditHistoryInline]
    actions = [
        service_action(_notify, _("Serve the advance notice"), _("%(count)d advance notices served.")),
        service_action(_submit, _("Submit for approval"), _("%(count)d cases submitted.")),
        service_action(_decide, _("Approve and decide"), _("%(count)d decisions issued.")),
        service_action(_return, _("Return to the handling officer"), _("%(count)d returned."), ask_reason=True),
        service_action(_close, _("Close"), _("%(count)d cases closed.")),
        service_action(_cancel, _("Cancel the case"), _("%(count)d cases cancelled."), ask_reason=True),
        service_action(
            _served_otherwise,
            _("Record a service by other means"),
            _("%(count)d services recorded."),
            ask_reason=True,
        ),
        service_action(
            _office_visit, _("Record an office visit"), _("%(count)d office visits recorded."), ask_reason=True
        ),
    ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = CaseOpenForm
        return super().get_form(request, obj, change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return list(CaseOpenForm.Meta.fields)
        return [
            "number",
            "status",
            "enterprise",
            "department",
            "item",
            "finding",
            "inspection",
            "procedure",
            "penalty_kind",
            "fine_amount",
            "legal_basis",
            "facts",
            "documents",
            "opened_by",
            "opened_at",
            "notice_served_at",
            "defence_deadline",
            "defence_waived_at",
            "submitted_by",
            "approved_by",
            "decided_at",
            "decision_served_at",
            "fulfilled_at",
            "closed_at",
            "cancel_reason",
            "zero_trip",
            "office_visit_note",
        ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    @admin.display(description=_("documents"))
    def documents(self, obj):
        rows = [
            (reverse("inspections:case-document", args=[obj.pk, kind]), case_document_title(kind), issued.number)
            for kind in CASE_DOCUMENT_KINDS
            if (issued := case_document(obj, kind)) is not None
        ]
        if not rows:
            return "—"
        return format_html_join(mark_safe("<br>"), '<a href="{}">{} {}</a>', rows)

    def save_model(self, request, obj, form, change):
        if change:
            return  # every field of an open case is read-only: its moves are the actions and the inlines
        data = form.cleaned_data
        penalty = {key: data[key] for key in ("procedure", "penalty_kind", "fine_amount")}
        if data.get("finding"):
            created = case_services.case_open_from_finding(
                finding=data["finding"],
                actor=request.user,
                facts=data.get("facts") or "",
                legal_basis=data.get("legal_basis") or "",
                **penalty,
            )
        else:
            created = case_services.case_open(
                enterprise=data["enterprise"],
                item=data["item"],
                actor=request.user,
                facts=data["facts"],
                legal_basis=data.get("legal_basis") or "",
                **penalty,
            )
        obj.pk = created.pk

    def save_formset(self, request, form, formset, change):
        """An answer or a review goes through its service; nothing of an inline is saved directly."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.is_valid():
                continue
            data, row = inline_form.cleaned_data, inline_form.instance
            if isinstance(row, CaseDefence):
                if data.get("answer"):
                    case_services.case_defence_answer(
                        defence=CaseDefence.objects.get(pk=row.pk),
                        actor=request.user,
                        answer=data["answer"],
                        accepted=data["accepted"],
                    )
            elif row.pk is None:
                case_services.review_record(
                    case=form.instance,
                    actor=request.user,
                    kind=data["kind"],
                    filed_on=data["filed_on"],
                    body=data.get("body") or "",
                    note=data.get("note") or "",
                )
            elif "outcome" in inline_form.changed_data:
                case_services.review_conclude(
                    review=CaseReview.objects.get(pk=row.pk),
                    actor=request.user,
                    outcome=data["outcome"],
                    outcome_on=data.get("outcome_on"),
                    note=data.get("note") or "",
                )
