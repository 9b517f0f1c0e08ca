"""Penalty cases (行政处罚案件), handled with zero trips (轻案零跑): opened from a penalty finding or directly,
simple and general procedure, the advance notice served and received online, the defence within its period,
the answer, the approval by a second officer, the decision, fulfilment and closing; reconsideration records.
Guidance stays apart: nothing of a guidance visit opens a case."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from guidance import models as guidance_models
from inspections.case_selectors import case_figures
from inspections.models import CaseReview, Finding, Fine, PenaltyCase
from inspections.services import case_receipt
from inspections.services import cases as svc
from inspections.services.case_documents import DECISION, NOTICE, case_document, case_documents_issue
from programs.models import AuditEntry, Notification
from tests.factories import officer
from tests.inspections.case_factories import direct_case, penalty_case, penalty_finding, second_officer
from tests.inspections.factories import ItemFactory

pytestmark = pytest.mark.django_db
Status = PenaltyCase.Status
WARNING, FINE = PenaltyCase.PenaltyKind.WARNING, PenaltyCase.PenaltyKind.FINE
SIMPLE, GENERAL = PenaltyCase.Procedure.SIMPLE, PenaltyCase.Procedure.GENERAL


def codes(exc_info) -> set[str]:
    error = exc_info.value
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


def statuses(case) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_id=case.pk, field="status", content_type__model="penaltycase")
        .order_by("pk")
        .values_list("new_value", flat=True)
    )


# --- Opening -------------------------------------------------------------------------------------------------


def test_case_opened_from_a_penalty_finding_carries_its_basis_facts_and_evidence(cast):
    finding = penalty_finding(cast)
    case = svc.case_open_from_finding(
        finding=finding, actor=cast.market_officer, procedure=GENERAL, penalty_kind=FINE, fine_amount="5000"
    )
    assert case.number == f"CF{timezone.localdate():%Y}-{case.pk:06d}"
    assert case.finding == finding and case.inspection == finding.inspection
    assert case.enterprise == cast.enterprise and case.department == cast.market and case.item == finding.item
    assert case.legal_basis == finding.item.legal_basis and case.facts == finding.description
    assert case.fine_amount == Decimal("5000.00") and case.status == Status.OPENED and case.zero_trip
    assert AuditEntry.objects.filter(object_id=case.pk, field="created", content_type__model="penaltycase").exists()
    with pytest.raises(ValidationError) as again:
        svc.case_open_from_finding(finding=finding, actor=cast.market_officer, procedure=GENERAL, penalty_kind=WARNING)
    assert codes(again) == {"case_exists"}


def test_a_finding_not_decided_penalty_opens_no_case(cast):
    finding = penalty_finding(cast)
    finding.__class__.objects.filter(pk=finding.pk).update(decision="no_penalty")
    with pytest.raises(ValidationError) as refused:
        svc.case_open_from_finding(finding=finding, actor=cast.market_officer, procedure=SIMPLE, penalty_kind=WARNING)
    assert codes(refused) == {"finding_not_penalty"}


def test_an_officer_opens_a_case_directly_only_for_an_item_of_its_department(cast):
    item = ItemFactory(department=cast.market, legal_basis="《食品安全法》第一百二十六条")
    case = svc.case_open(
        enterprise=cast.enterprise,
        item=item,
        actor=cast.market_officer,
        procedure=SIMPLE,
        penalty_kind=WARNING,
        facts="未公示食品经营许可证",
    )
    assert case.finding is None and case.legal_basis == item.legal_basis and case.department == cast.market
    with pytest.raises(PermissionDenied):
        svc.case_open(
            enterprise=cast.enterprise,
            item=item,
            actor=cast.fire_officer,
            procedure=SIMPLE,
            penalty_kind=WARNING,
            facts="x",
        )


@pytest.mark.parametrize(
    ("procedure", "kind", "amount", "code"),
    [
        (SIMPLE, FINE, "3000.01", "simple_fine_too_high"),
        (GENERAL, FINE, "0", "fine_amount_required"),
        (SIMPLE, WARNING, "50", "warning_has_no_amount"),
        ("oral", WARNING, "0", "invalid"),
    ],
)
def test_the_penalty_must_fit_the_procedure(cast, procedure, kind, amount, code):
    item = ItemFactory(department=cast.market)
    with pytest.raises(ValidationError) as refused:
        svc.case_open(
            enterprise=cast.enterprise,
            item=item,
            actor=cast.market_officer,
            procedure=procedure,
            penalty_kind=kind,
            fine_amount=amount,
            facts="事实",
        )
    assert code in codes(refused)


def test_guidance_cannot_open_a_case(cast):
    """Only an inspections Finding opens a case; no guidance model has a path to a case, nor a case to it."""
    risk = guidance_models.Risk()
    with pytest.raises(ValidationError) as refused:
        svc.case_open_from_finding(finding=risk, actor=cast.market_officer, procedure=SIMPLE, penalty_kind=WARNING)
    assert codes(refused) == {"not_a_finding"}
    # The case points at nothing of guidance, and nothing of guidance points at a case or a finding.
    for field in PenaltyCase._meta.get_fields():
        if field.related_model is not None:
            assert field.related_model._meta.app_label != "guidance", field
    for model in (PenaltyCase, Finding):
        for field in model._meta.get_fields():
            if field.auto_created and not field.concrete:
                assert field.related_model._meta.app_label != "guidance", (model, field)


# --- Simple procedure ----------------------------------------------------------------------------------------


def test_simple_procedure_warning_decided_on_the_spot_fulfilled_when_served(cast, django_capture_on_commit_callbacks):
    case = penalty_case(cast, procedure=SIMPLE)
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_decide(case=case, actor=cast.market_officer)
    assert case.status == Status.DECIDED and case.approved_by is None
    assert case_document(case, DECISION) is not None and case_document(case, NOTICE) is None
    case = case_receipt.case_receipt_confirm(case=case, actor=cast.enterprise_user, kind=DECISION)
    assert case.status == Status.FULFILLED and case.decision_served_at == case.fulfilled_at
    case = svc.case_close(case=case, actor=cast.market_officer)
    assert statuses(case) == [Status.DECIDED, Status.FULFILLED, Status.CLOSED]


def test_a_served_fine_decision_opens_the_fine_and_is_fulfilled_when_paid(cast, django_capture_on_commit_callbacks):
    case = penalty_case(cast, procedure=SIMPLE, penalty_kind=FINE, fine_amount=Decimal("200"))
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_decide(case=case, actor=cast.market_officer)
    case = case_receipt.case_receipt_confirm(case=case, actor=cast.enterprise_user, kind=DECISION)
    assert case.status == Status.DECIDED and Fine.objects.get(case=case).amount == Decimal("200.00")
    case = svc.case_fulfil(case)
    assert case.status == Status.FULFILLED
    assert svc.case_fulfil(case).fulfilled_at == case.fulfilled_at  # again: nothing changes


# --- General procedure: the zero-trip journey ----------------------------------------------------------------


def test_general_procedure_zero_trips_from_notice_to_closing(cast, django_capture_on_commit_callbacks):
    cast.enterprise.contact_phone, cast.enterprise.contact_email = "13800000000", "boss@example.cn"
    cast.enterprise.save()
    user, approver = cast.enterprise_user, second_officer(cast)
    case = penalty_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_notify(case=case, actor=cast.market_officer)
    notice = case_document(case, NOTICE)
    assert notice is not None and notice.number == f"GZS-{case.number}"
    told = Notification.objects.filter(dedupe_key__startswith=f"inspections:case:{case.pk}:{NOTICE}")
    assert {n.channel for n in told} >= {"sms", "email", "in_app"}
    assert all(f"/inspections/mine/cases/{case.pk}/" in n.body for n in told)

    # Not yet received: no defence, no decision.
    with pytest.raises(ValidationError) as early:
        svc.case_defence_submit(case=case, actor=user, statement="我们已整改")
    assert codes(early) == {"defence_period_over"}
    received_at = timezone.now()
    case = case_receipt.case_receipt_confirm(case=case, actor=user, kind=NOTICE, at=received_at)
    assert case.notice_served_at == received_at
    assert case.defence_deadline == timezone.localdate(received_at) + timedelta(days=svc.DEFENCE_DAYS)
    again = case_receipt.case_receipt_confirm(case=case, actor=user, kind=NOTICE)
    assert again.notice_served_at == received_at  # the first confirmation stands

    defence = svc.case_defence_submit(case=case, actor=user, statement="首次违法，已当场整改，请求从轻")
    late = timezone.now() + timedelta(days=svc.DEFENCE_DAYS + 1)
    with pytest.raises(ValidationError) as after:
        svc.case_defence_submit(case=case, actor=user, statement="补充意见", at=late)
    assert codes(after) == {"defence_period_over"}
    with pytest.raises(ValidationError) as unanswered:
        svc.case_submit(case=case, actor=cast.market_officer)
    assert codes(unanswered) == {"defence_unanswered"}
    with pytest.raises(ValidationError) as undecided:  # "unknown" would reach the enterprise as a refusal
        svc.case_defence_answer(defence=defence, actor=cast.market_officer, answer="整改情况属实", accepted=None)
    assert codes(undecided) == {"required"}
    svc.case_defence_answer(defence=defence, actor=cast.market_officer, answer="整改情况属实，予以警告", accepted=True)

    case = svc.case_submit(case=case, actor=cast.market_officer)
    with pytest.raises(PermissionDenied):
        svc.case_decide(case=case, actor=cast.market_officer)  # the opener does not approve
    with pytest.raises(PermissionDenied):
        svc.case_decide(case=case, actor=cast.fire_officer)  # nor another department
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_decide(case=case, actor=approver)
    assert case.approved_by == approver and case.decided_by == approver
    assert case_document(case, DECISION).number == f"JDS-{case.number}"

    case = case_receipt.case_receipt_confirm(case=case, actor=user, kind=DECISION)
    assert case.status == Status.FULFILLED and case.decision_served_at is not None
    case = svc.case_close(case=case, actor=cast.market_officer)
    assert case.status == Status.CLOSED and case.zero_trip
    assert statuses(case) == [
        Status.NOTIFIED,
        Status.AWAITING_APPROVAL,
        Status.DECIDED,
        Status.FULFILLED,
        Status.CLOSED,
    ]
    today = timezone.localdate()
    assert case_figures(PenaltyCase.objects.all(), start=today, end=today)["zero_trip"] == 1


def test_the_decision_waits_for_the_defence_period_unless_waived(cast, django_capture_on_commit_callbacks):
    case = penalty_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_notify(case=case, actor=cast.market_officer)
    with pytest.raises(ValidationError) as not_served:
        svc.case_submit(case=case, actor=cast.market_officer)
    assert codes(not_served) == {"notice_not_served"}
    case = case_receipt.case_receipt_confirm(case=case, actor=cast.enterprise_user, kind=NOTICE)
    with pytest.raises(ValidationError) as running:
        svc.case_submit(case=case, actor=cast.market_officer)
    assert codes(running) == {"defence_period_open"}
    svc.case_defence_waive(case=case, actor=cast.enterprise_user)
    assert svc.case_submit(case=case, actor=cast.market_officer).status == Status.AWAITING_APPROVAL


def test_receipt_and_defence_are_the_enterprises_own(cast, django_capture_on_commit_callbacks):
    case = penalty_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        svc.case_notify(case=case, actor=cast.market_officer)
    stranger = officer(cast.market)
    for actor in (stranger, cast.coordinator):
        with pytest.raises(PermissionDenied):
            case_receipt.case_receipt_confirm(case=case, actor=actor, kind=NOTICE)


def test_an_office_visit_makes_the_case_not_zero_trip(cast):
    case = penalty_case(cast)
    case = svc.case_record_office_visit(case=case, actor=cast.market_officer, note="到窗口提交营业执照复印件")
    assert not case.zero_trip
    assert AuditEntry.objects.filter(object_id=case.pk, field="zero_trip", new_value="False").exists()
    figures = case_figures(PenaltyCase.objects.all(), start=timezone.localdate(), end=timezone.localdate())
    assert figures["opened"] == 1 and figures["zero_trip"] == 0 and figures["zero_trip_share"] == 0.0


def test_cancel_needs_a_reason_and_a_decided_case_cannot_be_cancelled(cast, django_capture_on_commit_callbacks):
    case = penalty_case(cast, procedure=SIMPLE)
    with pytest.raises(ValidationError):
        svc.case_cancel(case=case, actor=cast.market_officer, reason=" ")
    other = direct_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        other = svc.case_decide(case=other, actor=cast.market_officer)
    with pytest.raises(ValidationError) as refused:
        svc.case_cancel(case=other, actor=cast.market_officer, reason="撤销")
    assert codes(refused) == {"illegal_transition"}
    assert svc.case_cancel(case=case, actor=cast.market_officer, reason="事实不清").status == Status.CANCELLED


# --- Documents and the verify page ---------------------------------------------------------------------------


def test_documents_are_issued_once_and_served_as_stored(cast, client, django_capture_on_commit_callbacks):
    case = penalty_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        svc.case_notify(case=case, actor=cast.market_officer)
    client.force_login(cast.enterprise_user)
    url = f"/inspections/cases/{case.pk}/documents/{NOTICE}/"
    first = client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    first_bytes = b"".join(first.streaming_content) if first.streaming else first.content
    second = client.get(url)
    assert (b"".join(second.streaming_content) if second.streaming else second.content) == first_bytes
    PenaltyCase.objects.filter(pk=case.pk).update(facts="改过的事实", fine_amount=0)
    assert len(case_documents_issue(case=case)) == 1  # nothing issued again
    third = client.get(url)
    assert (b"".join(third.streaming_content) if third.streaming else third.content) == first_bytes
    client.force_login(cast.fire_officer)
    assert client.get(url).status_code == 404


def test_the_verify_page_shows_validity_department_and_case_number_only(cast, client):
    case = penalty_case(cast)
    html = client.get(f"/verify/case/{case.verify_code}/").content.decode()
    assert case.number in html and cast.market.name in html
    assert cast.enterprise.name not in html and case.facts not in html and "警告" not in html
    assert "badge green" in html
    assert "badge red" in client.get("/verify/case/nosuchcode/").content.decode()
    svc.case_cancel(case=case, actor=cast.market_officer, reason="撤销立案")
    assert "badge red" in client.get(f"/verify/case/{case.verify_code}/").content.decode()


# --- Reconsideration and litigation --------------------------------------------------------------------------


def test_reconsideration_is_recorded_against_a_decided_case_and_counted(cast, django_capture_on_commit_callbacks):
    case = penalty_case(cast, procedure=SIMPLE)
    with pytest.raises(ValidationError) as undecided:
        svc.review_record(case=case, actor=cast.market_officer, kind="reconsideration", filed_on=timezone.localdate())
    assert codes(undecided) == {"not_decided"}
    with django_capture_on_commit_callbacks(execute=True):
        case = svc.case_decide(case=case, actor=cast.market_officer)
    review = svc.review_record(
        case=case,
        actor=cast.market_officer,
        kind=CaseReview.Kind.RECONSIDERATION,
        filed_on=timezone.localdate(),
        body="区人民政府",
    )
    review = svc.review_conclude(
        review=review, actor=cast.market_officer, outcome=CaseReview.Outcome.UPHELD, outcome_on=timezone.localdate()
    )
    assert review.outcome == CaseReview.Outcome.UPHELD
    with pytest.raises(ValidationError):
        svc.review_conclude(
            review=review,
            actor=cast.market_officer,
            outcome=CaseReview.Outcome.REVOKED,
            outcome_on=timezone.localdate(),
        )
    figures = case_figures(PenaltyCase.objects.all(), start=timezone.localdate(), end=timezone.localdate())
    assert figures["reconsidered"] == 1 and figures["litigated"] == 0


# --- The admin ---------------------------------------------------------------------------------------------------


def test_the_admin_shows_a_case_with_its_documents_and_opens_one_from_a_finding(
    cast, client, django_capture_on_commit_callbacks
):
    case = penalty_case(cast)
    with django_capture_on_commit_callbacks(execute=True):
        svc.case_notify(case=case, actor=cast.market_officer)
    client.force_login(cast.market_officer)
    page = client.get(f"/admin/inspections/penaltycase/{case.pk}/change/")
    assert page.status_code == 200 and f"GZS-{case.number}" in page.content.decode()
    assert client.get("/admin/inspections/penaltycase/add/").status_code == 200
    item = ItemFactory(department=cast.market)
    added = client.post(
        "/admin/inspections/penaltycase/add/",
        {
            "enterprise": cast.enterprise.pk,
            "item": item.pk,
            "procedure": SIMPLE,
            "penalty_kind": FINE,
            "fine_amount": "200",
            "facts": "未按规定明码标价",
            "legal_basis": "",
        },
    )
    assert added.status_code == 302, [line for line in added.content.decode().splitlines() if "errorlist" in line]
    created = PenaltyCase.objects.get(item=item)
    assert created.opened_by == cast.market_officer and created.legal_basis == item.legal_basis
    client.force_login(cast.fire_officer)
    assert client.get(f"/admin/inspections/penaltycase/{case.pk}/change/").status_code in (302, 404)
