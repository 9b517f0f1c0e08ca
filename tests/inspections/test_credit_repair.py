"""Credit repair (信用修复): an application is refused before the penalty kind's minimum disclosure period and
approved after it; refusals give a reason; only the penalised enterprise applies and only the deciding department
reviews; the enterprise's page, the API and the indicator."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone, translation

from inspections.models import PenaltyCase, RepairApplication
from inspections.repair_selectors import credit_repair_indicators
from inspections.services import cases as case_services
from inspections.services import repair as services
from inspections.services.repair import RepairState
from programs.audit import TransitionError
from programs.models import AuditEntry, Notification
from tests.factories import EnterpriseFactory, enterprise_user, officer
from tests.inspections.case_factories import direct_case
from tests.inspections.repair_helpers import apply, fulfilled_case, proof, rules

pytestmark = pytest.mark.django_db


def test_an_application_before_the_minimum_period_is_refused_and_after_it_approved(cast):
    rules()
    case = fulfilled_case(cast, decided_days_ago=30)
    repair = services.repair_state(case)
    assert repair.state == RepairState.WAITING
    assert repair.eligible_on == timezone.localdate(case.decided_at) + timedelta(days=90)
    with pytest.raises(TransitionError) as refused:
        apply(cast, case)
    assert refused.value.code == "too_early"
    assert not RepairApplication.objects.exists()

    PenaltyCase.objects.filter(pk=case.pk).update(decided_at=timezone.now() - timedelta(days=91))
    case.refresh_from_db()
    assert services.repair_state(case).state == RepairState.OPEN
    application = apply(cast, case)
    assert application.status == RepairApplication.Status.SUBMITTED
    assert (application.enterprise, application.department) == (cast.enterprise, cast.market)
    assert application.evidence.count() == 2
    assert application.review_due - application.submitted_at == timedelta(days=5)
    assert Notification.objects.filter(
        dedupe_key=f"inspections:repair:{application.pk}:submitted:{cast.market_officer.pk}"
    ).exists()
    assert services.repair_state(case).state == RepairState.SUBMITTED

    approved = services.repair_approve(application=application, actor=cast.market_officer)
    assert (approved.status, approved.decided_by) == (RepairApplication.Status.APPROVED, cast.market_officer)
    assert services.repair_state(case).state == RepairState.REPAIRED
    told = Notification.objects.filter(dedupe_key__startswith=f"inspections:repair:{application.pk}:approved")
    assert told.filter(recipient=cast.enterprise_user).exists()
    entry = AuditEntry.objects.get(object_id=application.pk, field="status", new_value="approved")
    assert entry.action == "repair.approve" and entry.actor == cast.market_officer
    with pytest.raises(TransitionError) as again:
        apply(cast, case)
    assert again.value.code == "already_applied"


def test_a_refusal_gives_its_reason_and_the_enterprise_may_apply_again(cast):
    rules()
    case = fulfilled_case(cast, decided_days_ago=120)
    application = apply(cast, case)
    with pytest.raises(TransitionError) as no_reason:
        services.repair_refuse(application=application, actor=cast.market_officer, reason=" ")
    assert "reason" in no_reason.value.message_dict
    refused = services.repair_refuse(application=application, actor=cast.market_officer, reason="整改照片不清晰")
    assert (refused.status, refused.refusal_reason) == (RepairApplication.Status.REFUSED, "整改照片不清晰")
    notice = Notification.objects.get(
        dedupe_key=f"inspections:repair:{application.pk}:refused:user-{cast.enterprise_user.pk}"
    )
    assert "整改照片不清晰" in notice.body
    assert services.repair_state(case).state == RepairState.OPEN
    assert apply(cast, case).status == RepairApplication.Status.SUBMITTED


def test_the_minimum_period_follows_the_kind_of_penalty(cast):
    rules()
    warning = PenaltyCase(penalty_kind="warning", fine_amount=Decimal("0"))
    small = PenaltyCase(penalty_kind="fine", fine_amount=Decimal("2000"))
    larger = PenaltyCase(penalty_kind="fine", fine_amount=Decimal("150000"))
    assert [services.repair_rule_for(case).min_disclosure_days for case in (warning, small, larger)] == [90, 180, 365]


def test_a_penalty_not_fulfilled_cannot_be_repaired_yet(cast):
    rules()
    case = direct_case(cast)
    assert services.repair_state(case).state == RepairState.NONE  # not decided
    case = case_services.case_decide(case=case, actor=cast.market_officer)
    PenaltyCase.objects.filter(pk=case.pk).update(decided_at=timezone.now() - timedelta(days=200))
    case.refresh_from_db()
    assert services.repair_state(case).state == RepairState.NOT_FULFILLED
    with pytest.raises(TransitionError) as refused:
        apply(cast, case)
    assert refused.value.code == "not_fulfilled"


def test_an_application_needs_its_statement_commitment_and_evidence(cast):
    rules()
    case = fulfilled_case(cast, decided_days_ago=100)
    with pytest.raises(ValidationError) as refused:
        apply(cast, case, statement="", commitment=False, evidence=[])
    assert set(refused.value.error_dict) == {"statement", "commitment", "evidence"}
    with pytest.raises(ValidationError) as wrong_type:
        apply(cast, case, evidence=[("payment", SimpleUploadedFile("x.pdf", b"MZ\x90\x00", "application/pdf"))])
    assert wrong_type.value.error_dict["evidence"][0].code == "file_type"


def test_only_the_penalised_enterprise_applies_and_only_its_department_reviews(cast):
    rules()
    case = fulfilled_case(cast, decided_days_ago=100)
    stranger = enterprise_user(EnterpriseFactory(region=cast.village))
    with pytest.raises(PermissionDenied):
        services.repair_apply(
            case=case, actor=stranger, statement="x", commitment=True, evidence=[("payment", proof())]
        )
    application = apply(cast, case)
    for outsider in (cast.fire_officer, cast.coordinator, cast.enterprise_user):
        with pytest.raises(PermissionDenied):
            services.repair_approve(application=application, actor=outsider)
    assert services.repair_approve(application=application, actor=officer(cast.market)).status == "approved"


def test_a_double_submit_saves_one_application(cast):
    rules()
    case = fulfilled_case(cast, decided_days_ago=100)
    first = apply(cast, case, submission_key="k" * 32)
    assert apply(cast, case, submission_key="k" * 32) == first
    assert RepairApplication.objects.count() == 1


def test_the_enterprise_applies_on_its_page_and_sees_the_status(client, cast):
    rules()
    waiting = fulfilled_case(cast, decided_days_ago=10)
    client.force_login(cast.enterprise_user)
    page = client.get(f"/inspections/mine/cases/{waiting.pk}/repair/")
    eligible = (timezone.localdate(waiting.decided_at) + timedelta(days=90)).isoformat()
    assert page.status_code == 200 and eligible in page.text and 'name="statement"' not in page.text
    case = fulfilled_case(cast, decided_days_ago=100)
    url = f"/inspections/mine/cases/{case.pk}/repair/"
    page = client.get(url)
    assert 'name="statement"' in page.text
    key = page.context["form"].initial["submission_key"]
    answer = client.post(
        url,
        {"statement": "已整改", "commitment": "on", "submission_key": key, "payment": proof()},
        follow=True,
    )
    assert answer.status_code == 200
    assert RepairApplication.objects.get(case=case).status == "submitted"
    assert 'data-state="submitted"' in answer.text
    client.force_login(enterprise_user(EnterpriseFactory(region=cast.village)))
    assert client.get(url).status_code == 404


def test_the_api_takes_the_application_with_its_files_and_the_officer_decides(api_as, client, cast):
    rules()
    case = fulfilled_case(cast, decided_days_ago=100)
    enterprise = api_as(cast.enterprise_user)
    statuses = enterprise.get("/api/v1/case-repairs/").json()["results"]
    assert [(row["id"], row["repair_state"]) for row in statuses] == [(case.pk, "open")]
    answer = enterprise.post(
        "/api/v1/repair-applications/",
        {"case": case.pk, "statement": "已整改", "commitment": "true", "payment": proof()},
        format="multipart",
    )
    assert answer.status_code == 201, answer.json()
    application = answer.json()
    assert [row["kind"] for row in application["evidence"]] == ["payment"]
    client.force_login(cast.market_officer)  # the file opens for whoever sees the application, in a session
    assert client.get(application["evidence"][0]["url"]).status_code == 200
    client.force_login(cast.fire_officer)
    assert client.get(application["evidence"][0]["url"]).status_code == 404
    assert enterprise.post(f"/api/v1/repair-applications/{application['id']}/approve/").status_code == 403
    fire = api_as(cast.fire_officer)
    assert fire.get(f"/api/v1/repair-applications/{application['id']}/").status_code == 404
    market = api_as(cast.market_officer)
    refused = market.post(f"/api/v1/repair-applications/{application['id']}/refuse/", {"reason": ""}, format="json")
    assert refused.status_code == 400 and "reason" in refused.json()["error"]["fields"]
    approved = market.post(f"/api/v1/repair-applications/{application['id']}/approve/", {}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    too_early = enterprise.post(
        "/api/v1/repair-applications/",
        {
            "case": fulfilled_case(cast, decided_days_ago=5).pk,
            "statement": "x",
            "commitment": "true",
            "payment": proof(),
        },
        format="multipart",
    )
    assert (too_early.status_code, too_early.json()["error"]["code"]) == (409, "too_early")  # a conflict of state


def test_the_indicator_counts_the_enterprises_repaired(cast):
    rules()
    today = timezone.localdate()
    first, second = fulfilled_case(cast, decided_days_ago=100), fulfilled_case(cast, decided_days_ago=100)
    for case in (first, second):
        services.repair_approve(application=apply(cast, case), actor=cast.market_officer)
    waiting = apply(cast, fulfilled_case(cast, decided_days_ago=100))
    RepairApplication.objects.filter(pk=waiting.pk).update(review_due=timezone.now() - timedelta(hours=1))
    figures = credit_repair_indicators(user=cast.coordinator, start=today.replace(month=1, day=1), end=today)
    assert figures == {
        "applications": 3,
        "approved": 2,
        "refused": 0,
        "enterprises_repaired": 1,
        "pending": 1,
        "overdue": 1,
    }
    assert credit_repair_indicators(user=cast.fire_officer, start=today, end=today)["applications"] == 0


def test_the_admin_approves_and_refuses_with_a_reason_through_the_services(client, cast):
    rules()
    first = apply(cast, fulfilled_case(cast, decided_days_ago=100))
    second = apply(cast, fulfilled_case(cast, decided_days_ago=100))
    url = "/admin/inspections/repairapplication/"
    client.force_login(cast.fire_officer)
    assert client.get(url).context["cl"].result_count == 0  # another department's applications
    client.force_login(cast.market_officer)
    assert client.get(url).context["cl"].result_count == 2
    client.post(url, {"action": "action_approve", "_selected_action": [first.pk]})
    asked = client.post(url, {"action": "action_refuse", "_selected_action": [second.pk]})
    assert asked.status_code == 200 and 'name="reason"' in asked.text
    client.post(url, {"action": "action_refuse", "_selected_action": [second.pk], "apply": "1", "reason": "材料不全"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status, second.refusal_reason) == ("approved", "refused", "材料不全")
    page = client.get(f"{url}{second.pk}/change/")
    assert page.status_code == 200 and "材料不全" in page.text


def test_the_badge_for_a_list_of_cases_says_where_repair_stands(cast):
    rules()
    waiting, open_case = fulfilled_case(cast, decided_days_ago=10), fulfilled_case(cast, decided_days_ago=100)
    with translation.override("zh-hans"):
        badge = render_to_string("inspections/cases/_case_repair_badge.html", {"case": waiting})
        assert "起可申请信用修复" in badge and 'data-state="waiting"' in badge
        badge = render_to_string("inspections/cases/_case_repair_badge.html", {"case": open_case})
        assert f"/inspections/mine/cases/{open_case.pk}/repair/" in badge
