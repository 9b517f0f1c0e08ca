"""Showing the code (亮码) is the officer's own act, recorded with its time; starting a visit does not show it; a
visit completed without it records why (``code_not_shown_reason``, ``other`` explained in
``code_not_shown_note``); the code-shown rate is the visits carried out with the code shown ÷ the visits carried
out (completed), from 0 to 100 %; the visits completed before the reason was asked for are migrated as
``not_recorded``."""

import importlib
import json
from datetime import date, datetime, time, timedelta

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections import selectors, services
from inspections.models import Inspection
from programs.models import AuditEntry
from tests.factories import EnterpriseFactory
from tests.pdf import pdf_text

from .factories import InspectionFactory, PlanEntryFactory, answered

pytestmark = pytest.mark.django_db

Reason = Inspection.CodeNotShownReason


def scheduled(cast, enterprise=None) -> Inspection:
    """A visit of the cast's market department put in this month's first week, not started, code not shown."""
    enterprise = enterprise or cast.enterprise
    month = timezone.localdate().replace(day=1)
    PlanEntryFactory(department=cast.market, enterprise=enterprise, month=month, actor=cast.market_officer)
    services.month_coordinate(region=enterprise.region, month=month, actor=cast.coordinator)
    inspection = Inspection.objects.get(enterprise=enterprise, month=month)
    return services.inspection_schedule(
        inspection=inspection,
        week_start=month - timedelta(days=month.weekday()),
        officers=[cast.market_officer],
        actor=cast.coordinator,
    )


def started(cast, enterprise=None) -> Inspection:
    """Started without showing the code, every item answered compliant."""
    inspection = services.inspection_start(inspection=scheduled(cast, enterprise), actor=cast.market_officer)
    return answered(inspection, cast.market_officer)


def code_shown_audits(inspection: Inspection) -> int:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Inspection), object_id=inspection.pk, field="code_shown"
    ).count()


def rate(cast) -> dict:
    today = timezone.localdate()
    return selectors.inspection_indicators(user=cast.coordinator, start=today.replace(day=1), end=today)["inspections"]


# --- The service ----------------------------------------------------------------------------------------------


def test_starting_a_visit_does_not_show_the_code(cast):
    inspection = services.inspection_start(inspection=scheduled(cast), actor=cast.market_officer)
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.IN_PROGRESS
    assert (inspection.code_shown_at, inspection.code_shown_by) == (None, None)
    assert code_shown_audits(inspection) == 0


def test_showing_the_code_is_its_own_act_with_its_time_and_officer(cast):
    inspection = scheduled(cast)
    before = timezone.now()
    shown = services.inspection_show_code(inspection=inspection, actor=cast.market_officer)
    assert before <= shown.code_shown_at <= timezone.now()
    assert shown.code_shown_by == cast.market_officer
    assert shown.status == Inspection.Status.SCHEDULED  # showing does not start the visit
    assert code_shown_audits(inspection) == 1


def test_completing_without_the_code_shown_needs_the_reason_named_on_its_field(cast):
    inspection = started(cast)
    with pytest.raises(ValidationError) as refused:
        services.inspection_complete(inspection=inspection, actor=cast.market_officer)
    assert list(refused.value.error_dict) == ["code_not_shown_reason"]
    assert refused.value.error_dict["code_not_shown_reason"][0].code == "code_not_shown_reason_required"
    inspection.refresh_from_db()
    assert (inspection.status, inspection.code_not_shown_reason) == (Inspection.Status.IN_PROGRESS, "")


def test_other_needs_its_explanation_and_not_recorded_cannot_be_given(cast):
    inspection = started(cast)
    with pytest.raises(ValidationError) as unexplained:
        services.inspection_complete(
            inspection=inspection,
            actor=cast.market_officer,
            code_not_shown_reason=Reason.OTHER,
            code_not_shown_note=" ",
        )
    assert unexplained.value.error_dict["code_not_shown_note"][0].code == "code_not_shown_note_required"
    for invented in (Reason.NOT_RECORDED, "forgot"):
        with pytest.raises(ValidationError) as refused:
            services.inspection_complete(
                inspection=inspection, actor=cast.market_officer, code_not_shown_reason=invented
            )
        assert refused.value.error_dict["code_not_shown_reason"][0].code == "code_not_shown_reason_invalid"
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.IN_PROGRESS


def test_a_visit_completed_without_the_code_keeps_why_and_audits_it(cast):
    inspection = started(cast)
    done = services.inspection_complete(
        inspection=inspection,
        actor=cast.market_officer,
        code_not_shown_reason=Reason.OTHER,
        code_not_shown_note="  企业负责人外出，值班人员不会扫码  ",
    )
    done.refresh_from_db()
    assert done.status == Inspection.Status.COMPLETED and done.code_shown_at is None
    assert (done.code_not_shown_reason, done.code_not_shown_note) == (Reason.OTHER, "企业负责人外出，值班人员不会扫码")
    audit = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Inspection),
        object_id=inspection.pk,
        field="status",
        new_value=Inspection.Status.COMPLETED,
    )
    assert audit.data == {"code_not_shown_reason": "other", "code_not_shown_note": "企业负责人外出，值班人员不会扫码"}


def test_a_visit_whose_code_was_shown_needs_no_reason_and_keeps_none(cast):
    inspection = InspectionFactory(cast=cast)  # the factory's officer shows the code, then starts
    answered(inspection, cast.market_officer)
    done = services.inspection_complete(
        inspection=inspection, actor=cast.market_officer, code_not_shown_reason=Reason.NO_SIGNAL
    )
    done.refresh_from_db()
    assert done.code_shown_at is not None and done.code_shown_at < done.completed_at
    assert (done.code_not_shown_reason, done.code_not_shown_note) == ("", "")


def test_the_code_cannot_be_shown_once_the_visit_is_completed(cast):
    inspection = services.inspection_complete(
        inspection=started(cast), actor=cast.market_officer, code_not_shown_reason=Reason.DEVICE
    )
    with pytest.raises(ValidationError) as refused:
        services.inspection_show_code(inspection=inspection, actor=cast.market_officer)
    assert refused.value.code == "illegal_transition"
    inspection.refresh_from_db()
    assert inspection.code_shown_at is None


# --- The whole visit in one request -------------------------------------------------------------------------


def test_visit_record_without_the_code_needs_the_reason_and_records_nothing_without_it(cast):
    inspection = scheduled(cast)
    answers = [{"item": item.pk, "result": "compliant"} for item in inspection.items.all()]
    with pytest.raises(ValidationError) as refused:
        services.visit_record(inspection=inspection, actor=cast.market_officer, answers=answers)
    assert list(refused.value.error_dict) == ["code_not_shown_reason"]
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SCHEDULED and not inspection.checks.exists()

    done = services.visit_record(
        inspection=inspection, actor=cast.market_officer, answers=answers, code_not_shown_reason=Reason.URGENT
    )
    assert (done.status, done.code_shown_at, done.code_not_shown_reason) == ("completed", None, Reason.URGENT)


def test_visit_record_with_the_code_shown_before_or_in_the_request_needs_no_reason(cast):
    shown_before = scheduled(cast)
    services.inspection_show_code(inspection=shown_before, actor=cast.market_officer)
    answers = [{"item": item.pk, "result": "compliant"} for item in shown_before.items.all()]
    done = services.visit_record(inspection=shown_before, actor=cast.market_officer, answers=answers)
    assert done.code_shown_at is not None and done.code_not_shown_reason == ""

    in_request = scheduled(cast, EnterpriseFactory(region=cast.enterprise.region))
    answers = [{"item": item.pk, "result": "compliant"} for item in in_request.items.all()]
    done = services.visit_record(
        inspection=in_request, actor=cast.market_officer, answers=answers, code_shown_at=timezone.now()
    )
    assert done.code_shown_at is not None and done.code_not_shown_reason == ""


# --- The API ------------------------------------------------------------------------------------------------


def test_the_api_shows_the_code_and_completes_with_the_reason_only_when_not_shown(cast, api_as):
    phone = api_as(cast.market_officer)
    not_shown = scheduled(cast)
    answer = phone.post(f"/api/v1/inspections/{not_shown.pk}/start/")
    assert answer.status_code == 200 and answer.json()["code_shown_at"] is None
    not_shown.refresh_from_db()
    answered(not_shown, cast.market_officer)

    refused = phone.post(f"/api/v1/inspections/{not_shown.pk}/complete/", {"summary": "无问题"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "code_not_shown_reason_required"
    assert list(refused.json()["error"]["fields"]) == ["code_not_shown_reason"]
    invented = phone.post(
        f"/api/v1/inspections/{not_shown.pk}/complete/", {"code_not_shown_reason": "not_recorded"}, format="json"
    )
    assert invented.status_code == 400 and list(invented.json()["error"]["fields"]) == ["code_not_shown_reason"]
    done = phone.post(
        f"/api/v1/inspections/{not_shown.pk}/complete/",
        {"code_not_shown_reason": "nobody_present", "code_not_shown_note": "大门紧锁"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["code_not_shown_reason"], done.json()["code_not_shown_note"]) == (
        "completed",
        "nobody_present",
        "大门紧锁",
    )

    shown = scheduled(cast, EnterpriseFactory(region=cast.enterprise.region))
    code = phone.post(f"/api/v1/inspections/{shown.pk}/show-code/", {}, format="json")
    assert code.status_code == 200 and code.json()["code_shown_at"]
    assert phone.post(f"/api/v1/inspections/{shown.pk}/start/").status_code == 200
    shown.refresh_from_db()
    answered(shown, cast.market_officer)
    done = phone.post(f"/api/v1/inspections/{shown.pk}/complete/", {}, format="json")
    assert done.status_code == 200, done.json()
    assert (done.json()["code_shown_at"], done.json()["code_not_shown_reason"]) == (code.json()["code_shown_at"], "")


def test_the_visit_record_endpoint_names_the_missing_reason(cast, api_as):
    inspection = scheduled(cast)
    url = f"/api/v1/inspections/{inspection.pk}/visit-record/"
    answers = [{"item": item.pk, "result": "compliant"} for item in inspection.items.all()]
    phone = api_as(cast.market_officer)
    refused = phone.post(url, {"answers": answers, "code_not_shown_reason": "other"}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "code_not_shown_note_required"
    assert list(refused.json()["error"]["fields"]) == ["code_not_shown_note"]
    # The phone's multipart form, as the field area's outbox sends it.
    done = phone.post(
        url,
        {"answers": json.dumps(answers), "code_not_shown_reason": "other", "code_not_shown_note": "执法记录仪代替"},
        format="multipart",
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["code_not_shown_reason"], done.json()["code_not_shown_note"]) == ("other", "执法记录仪代替")


def test_the_schema_documents_the_reason_on_every_completion(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    components = schema["components"]["schemas"]
    for path, media in (
        ("/api/v1/inspections/{id}/complete/", "application/json"),
        ("/api/v1/inspections/{id}/visit-record/", "application/json"),
        ("/api/v1/inspections/{id}/visit-record/", "multipart/form-data"),
    ):
        operation = schema["paths"][path]["post"]
        assert "code_not_shown_reason" in operation["description"]
        name = operation["requestBody"]["content"][media]["schema"]["$ref"].rsplit("/", 1)[-1]
        properties = components[name]["properties"]
        assert {"code_not_shown_reason", "code_not_shown_note"} <= set(properties), (path, media)
        reason = properties["code_not_shown_reason"]
        [enum] = [components[ref["$ref"].rsplit("/", 1)[-1]]["enum"] for ref in reason["oneOf"][:1]]
        assert set(enum) == set(Reason.values)
        assert "code_not_shown_reason_invalid" in reason["description"]  # not_recorded: refused
    inspection = components["Inspection"]["properties"]
    assert {"code_shown_at", "code_not_shown_reason", "code_not_shown_note"} <= set(inspection)


# --- The rate -----------------------------------------------------------------------------------------------


def test_the_rate_goes_from_0_to_100_percent_counting_only_visits_carried_out(cast):
    enterprises = [cast.enterprise, *EnterpriseFactory.create_batch(3, region=cast.enterprise.region)]
    assert rate(cast)["code_shown_rate"] is None  # nothing carried out: no rate, not 0 %
    for enterprise, reason in zip(enterprises[:2], (Reason.NO_SIGNAL, Reason.OFF_SITE), strict=True):
        services.inspection_complete(
            inspection=started(cast, enterprise), actor=cast.market_officer, code_not_shown_reason=reason
        )
    under_way = started(cast, enterprises[2])  # in progress, code not shown yet: not counted
    figures = rate(cast)
    assert (figures["carried_out"], figures["code_shown"], figures["code_not_shown"]) == (2, 0, 2)
    assert figures["code_shown_rate"] == 0.0
    assert figures["code_not_shown_by_reason"] == {
        "no_signal": 1,
        "device": 0,
        "nobody_present": 0,
        "off_site": 1,
        "urgent": 0,
        "omitted": 0,
        "other": 0,
        "not_recorded": 0,
    }

    services.inspection_show_code(inspection=under_way, actor=cast.market_officer)
    services.inspection_complete(inspection=under_way, actor=cast.market_officer)
    shown = InspectionFactory(cast=cast, enterprise=enterprises[3])
    services.inspection_complete(inspection=answered(shown, cast.market_officer), actor=cast.market_officer)
    figures = rate(cast)
    assert (figures["carried_out"], figures["code_shown"], figures["code_shown_rate"]) == (4, 2, 50.0)

    Inspection.objects.filter(code_shown_at__isnull=True).update(
        code_shown_at=timezone.now(), code_shown_by=cast.market_officer, code_not_shown_reason=""
    )
    figures = rate(cast)
    assert (figures["code_shown_rate"], figures["code_not_shown"]) == (100.0, 0)
    assert figures["started"] == figures["completed"] == figures["carried_out"] == 4


def test_the_ningbo_code_shown_rate_of_99_74_percent(cast, api_as):
    """“宁波强化‘检查必亮码’，依托‘浙政钉·掌上执法’出示电子执法证、展示行政行为码，实行有计划必赋码、逢检查必亮码，
    自2024年6月推广以来，宁波开展亮码检查10.36万户次，亮码检查率达99.74%。” (seed 000, 宁波：聚焦规范涉企行政检查
    “最优解”). Built at a small scale by construction: 780 inspections carried out in 2024, 778 with the code
    shown and 2 without (one with no signal, one urgent): 778 ÷ 780 = 99.7436 … → 99.74 %. Visits under way or
    cancelled are not carried out and change nothing."""
    enterprises = EnterpriseFactory.create_batch(6, region=cast.village)
    shown_at = timezone.make_aware(datetime.combine(date(2024, 6, 3), time(9, 30)))

    def visit(n: int, status: str, *, shown: bool, reason: str = "") -> Inspection:
        done = status == Inspection.Status.COMPLETED
        return Inspection(
            enterprise=enterprises[n % 6],
            region_code=cast.village.code,  # bulk_create skips the save() that stores it
            month=date(2024, 6 + n % 7, 1),
            lead_department=cast.market,
            status=status,
            started_at=shown_at if status != Inspection.Status.CANCELLED else None,
            completed_at=shown_at + timedelta(hours=1) if done else None,
            code_shown_at=shown_at if shown else None,
            code_shown_by=cast.market_officer if shown else None,
            code_not_shown_reason=reason,
            cancel_reason="企业已注销" if status == Inspection.Status.CANCELLED else "",
        )

    Completed, InProgress, Cancelled = (
        Inspection.Status.COMPLETED,
        Inspection.Status.IN_PROGRESS,
        Inspection.Status.CANCELLED,
    )
    rows = [visit(n, Completed, shown=True) for n in range(778)]
    rows += [visit(778, Completed, shown=False, reason=Reason.NO_SIGNAL)]
    rows += [visit(779, Completed, shown=False, reason=Reason.URGENT)]
    rows += [visit(n, InProgress, shown=n % 2 == 0) for n in range(5)]
    rows += [visit(n, Cancelled, shown=False) for n in range(3)]
    Inspection.objects.bulk_create(rows)

    answer = api_as(cast.coordinator).get(
        "/api/v1/indicators/inspections/", {"start": "2024-01-01", "end": "2024-12-31"}
    )
    assert answer.status_code == 200, answer.json()
    figures = answer.json()["inspections"]
    assert (figures["carried_out"], figures["code_shown"], figures["code_not_shown"]) == (780, 778, 2)
    assert figures["code_shown_rate"] == 99.74
    assert figures["code_not_shown_by_reason"]["no_signal"] == figures["code_not_shown_by_reason"]["urgent"] == 1
    assert figures["started"] == 785  # the 5 under way are started, not carried out


# --- The migration ------------------------------------------------------------------------------------------


def test_the_migration_marks_only_visits_completed_without_the_code_as_not_recorded(cast):
    """inspections/migrations/0008_inspection_code_not_shown.py's data step, on visits as they were before it."""
    completed_unshown = services.inspection_complete(
        inspection=started(cast), actor=cast.market_officer, code_not_shown_reason=Reason.NO_SIGNAL
    )
    completed_shown = InspectionFactory(cast=cast, enterprise=EnterpriseFactory(region=cast.enterprise.region))
    services.inspection_complete(inspection=answered(completed_shown, cast.market_officer), actor=cast.market_officer)
    under_way = started(cast, EnterpriseFactory(region=cast.enterprise.region))
    Inspection.objects.update(code_not_shown_reason="")  # before the field existed, nothing was recorded

    migration = importlib.import_module("inspections.migrations.0008_inspection_code_not_shown")
    migration.mark_not_recorded(apps, None)
    migration.mark_not_recorded(apps, None)  # twice: the same

    reasons = dict(Inspection.objects.values_list("pk", "code_not_shown_reason"))
    assert reasons == {completed_unshown.pk: Reason.NOT_RECORDED, completed_shown.pk: "", under_way.pk: ""}
    assert Inspection.objects.get(pk=completed_shown.pk).code_shown_at is not None  # kept as recorded
    migration.unmark_not_recorded(apps, None)
    assert set(Inspection.objects.values_list("code_not_shown_reason", flat=True)) == {""}


def test_an_unanswered_item_and_the_missing_reason_are_refused_together(cast):
    inspection = services.inspection_start(inspection=scheduled(cast), actor=cast.market_officer)  # unanswered
    with pytest.raises(ValidationError) as refused:
        services.inspection_complete(inspection=inspection, actor=cast.market_officer)
    assert set(refused.value.error_dict) == {"checks", "code_not_shown_reason"}


def test_the_admin_lists_and_filters_inspections_by_the_reason(cast, client):
    without = services.inspection_complete(
        inspection=started(cast), actor=cast.market_officer, code_not_shown_reason=Reason.NO_SIGNAL
    )
    other = EnterpriseFactory(region=cast.enterprise.region, name="另一家企业")
    shown = InspectionFactory(cast=cast, enterprise=other)
    client.force_login(cast.coordinator)
    listed = client.get("/admin/inspections/inspection/", {"code_not_shown_reason__exact": "no_signal"})
    assert listed.status_code == 200
    page = listed.content.decode()
    assert without.enterprise.name in page and other.name not in page
    assert "现场无网络信号" in page  # the reason's column and filter, in Chinese
    assert shown.enterprise.name in client.get("/admin/inspections/inspection/").content.decode()


def test_the_issued_record_says_why_the_code_was_not_shown(cast, client):
    """The record the enterprise downloads carries the reason (and the officer's note, as text) in place of the
    time the code was shown."""
    inspection = started(cast)
    services.inspection_complete(
        inspection=inspection,
        actor=cast.market_officer,
        code_not_shown_reason=Reason.OTHER,
        code_not_shown_note="<b>值班人员</b>不会扫码",
    )
    [record] = services.visit_documents_issue(inspection=inspection)  # no finding: no notice
    with record.file.open("rb") as pdf:
        text = pdf_text(pdf.read())
    assert "未亮码" in text and "其他" in text and "<b>值班人员</b>不会扫码" in text
    assert "亮码时间" not in text
