"""A whole visit in one request (``POST /api/v1/inspections/{id}/visit-record/``) and the rules it rests on: an
inspection completes once, with every item answered and every non-compliant item's finding; the code shown
offline keeps the phone's time; a visit sent after the coordinator cancelled it is a conflict, not lost."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from inspections import services
from inspections.models import Finding, FindingPhoto, Inspection, ItemCheck
from programs.models import AuditEntry, Grade

from .factories import ItemFactory, PlanEntryFactory, answered

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return cast


def jpeg(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A real (tiny) JPEG, as a phone's camera gives one."""
    buffer = io.BytesIO()
    Image.new("RGB", (16, 12), (200, 30, 30)).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def scheduled(cast, *, items=None, fire_items=None) -> Inspection:
    """An inspection of the cast's enterprise put in next week, not started: the market department's items
    (one new item unless given), joined by the fire department when ``fire_items`` are given."""
    month = timezone.localdate().replace(day=1)
    items = items if items is not None else [ItemFactory(department=cast.market)]
    PlanEntryFactory(
        department=cast.market, enterprise=cast.enterprise, items=items, month=month, actor=cast.market_officer
    )
    officers = [cast.market_officer]
    if fire_items:
        PlanEntryFactory(
            department=cast.fire, enterprise=cast.enterprise, items=fire_items, month=month, actor=cast.fire_officer
        )
        officers.append(cast.fire_officer)
    services.month_coordinate(region=cast.enterprise.region, month=month, actor=cast.coordinator)
    inspection = Inspection.objects.get(enterprise=cast.enterprise, month=month)
    return services.inspection_schedule(
        inspection=inspection,
        week_start=month - timedelta(days=month.weekday()),
        officers=officers,
        actor=cast.coordinator,
    )


def scheduled_hours_ago(inspection: Inspection, hours: int) -> None:
    """As if the coordinator had put the visit in its week ``hours`` ago."""
    AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Inspection),
        object_id=inspection.pk,
        field="status",
        new_value=Inspection.Status.SCHEDULED,
    ).update(created_at=timezone.now() - timedelta(hours=hours))


def completions(inspection: Inspection) -> int:
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Inspection),
        object_id=inspection.pk,
        field="status",
        new_value=Inspection.Status.COMPLETED,
    ).count()


def test_a_visit_sent_twice_with_one_key_completes_once_with_one_finding_and_one_photo(cast, api_as, monkeypatch):
    inspection = scheduled(cast, items=[ItemFactory(department=cast.market), ItemFactory(department=cast.market)])
    scheduled_hours_ago(inspection, 3)
    fine, broken = inspection.items.order_by("code")
    shown = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    deadline = timezone.localdate() + timedelta(days=15)
    body = {
        "code_shown_at": shown.isoformat(),
        "answers": json.dumps(
            [{"item": fine.pk, "result": "compliant"}, {"item": broken.pk, "result": "non_compliant"}]
        ),
        "findings": json.dumps(
            [
                {
                    "item": broken.pk,
                    "severity": "general",
                    "description": "电梯应急电话不畅通",
                    "deadline": deadline.isoformat(),
                    "photos": ["photo-0-0"],
                }
            ]
        ),
        "summary": "一般问题一项",
    }
    sent = []
    monkeypatch.setattr("programs.queue.publish", lambda name, *args, **kwargs: sent.append((name, args)))
    phone = api_as(cast.market_officer)

    answers = []
    for _ in range(2):
        request = {**body, "photo-0-0": jpeg()}
        answers.append(
            phone.post(
                f"/api/v1/inspections/{inspection.pk}/visit-record/",
                request,
                format="multipart",
                headers={"Idempotency-Key": "visit-1"},
            )
        )

    first, replay = answers
    assert first.status_code == 200, first.json()
    assert (first.json()["status"], first.json()["enterprise_grade"]) == ("completed", Grade.YELLOW)
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    assert replay.json() == first.json()
    assert completions(inspection) == 1
    assert Finding.objects.filter(inspection=inspection).count() == 1
    assert FindingPhoto.objects.filter(finding__inspection=inspection).count() == 1
    inspection.refresh_from_db()
    assert (inspection.code_shown_at, inspection.code_shown_by) == (shown, cast.market_officer)
    assert dict(ItemCheck.objects.filter(inspection=inspection).values_list("item_id", "result")) == {
        fine.pk: ItemCheck.Result.COMPLIANT,
        broken.pk: ItemCheck.Result.NON_COMPLIANT,
    }


def test_completing_enqueues_the_visit_documents(cast, monkeypatch, django_capture_on_commit_callbacks):
    inspection = scheduled(cast)
    sent = []
    monkeypatch.setattr("programs.queue.publish", lambda name, *args, **kwargs: sent.append((name, args)))
    item = inspection.items.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.visit_record(
            inspection=inspection,
            actor=cast.market_officer,
            answers=[{"item": item.pk, "result": "compliant"}],
            code_not_shown_reason="no_signal",
        )
    assert sent == [("inspections.visit_documents_issue", (inspection.pk,))]


def test_a_visit_the_coordinator_cancelled_meanwhile_is_a_conflict_named_cancelled(cast, api_as):
    inspection = scheduled(cast)
    services.inspection_cancel(inspection=inspection, actor=cast.coordinator, reason="企业停业")
    item = inspection.items.get()
    answer = api_as(cast.market_officer).post(
        f"/api/v1/inspections/{inspection.pk}/visit-record/",
        {"answers": [{"item": item.pk, "result": "compliant"}]},
        format="json",
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "cancelled"
    assert "企业停业" in answer.json()["error"]["message"]
    assert not ItemCheck.objects.filter(inspection=inspection).exists()


def test_a_visit_already_completed_is_a_conflict_named_already_completed(cast):
    inspection = scheduled(cast)
    item = inspection.items.get()
    services.visit_record(
        inspection=inspection,
        actor=cast.market_officer,
        answers=[{"item": item.pk, "result": "compliant"}],
        code_shown_at=timezone.now(),
    )
    with pytest.raises(ValidationError) as refused:
        services.visit_record(
            inspection=inspection, actor=cast.market_officer, answers=[{"item": item.pk, "result": "compliant"}]
        )
    assert refused.value.code == "already_completed"


def test_an_unanswered_item_refuses_completion_naming_it_and_records_nothing(cast, api_as):
    first = ItemFactory(department=cast.market, name="营业执照公示")
    second = ItemFactory(department=cast.market, name="电梯应急电话")
    inspection = scheduled(cast, items=[first, second])
    answer = api_as(cast.market_officer).post(
        f"/api/v1/inspections/{inspection.pk}/visit-record/",
        {"answers": [{"item": first.pk, "result": "compliant"}], "summary": "x", "code_not_shown_reason": "urgent"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["error"]["fields"]["checks"] == ["未回答的检查事项：电梯应急电话"]
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SCHEDULED
    assert not ItemCheck.objects.filter(inspection=inspection).exists()


def test_completion_is_refused_for_an_unanswered_item_and_a_non_compliant_item_without_finding(cast):
    first = ItemFactory(department=cast.market, name="营业执照公示")
    second = ItemFactory(department=cast.market, name="电梯应急电话")
    inspection = scheduled(cast, items=[first, second])
    inspection = services.inspection_show_code(inspection=inspection, actor=cast.market_officer)
    inspection = services.inspection_start(inspection=inspection, actor=cast.market_officer)
    with pytest.raises(ValidationError) as refused:
        services.inspection_complete(inspection=inspection, actor=cast.market_officer)
    assert refused.value.message_dict == {"checks": ["未回答的检查事项：营业执照公示、电梯应急电话"]}

    services.item_check_record(inspection=inspection, item=first, actor=cast.market_officer, result="not_checked")
    services.item_check_record(inspection=inspection, item=second, actor=cast.market_officer, result="non_compliant")
    with pytest.raises(ValidationError) as refused:
        services.inspection_complete(inspection=inspection, actor=cast.market_officer)
    assert list(refused.value.message_dict) == ["findings"] and "电梯应急电话" in refused.value.messages[0]

    # An answer may be changed while the visit is under way.
    services.item_check_record(inspection=inspection, item=second, actor=cast.market_officer, result="compliant")
    completed = services.inspection_complete(inspection=inspection, actor=cast.market_officer, summary="无问题")
    assert completed.status == Inspection.Status.COMPLETED


def test_an_item_with_a_finding_stays_not_compliant(cast):
    inspection = services.inspection_start(inspection=scheduled(cast), actor=cast.market_officer)
    item = inspection.items.get()
    services.finding_record(
        inspection=inspection,
        item=item,
        severity=Finding.Severity.GENERAL,
        description="x",
        deadline=timezone.localdate() + timedelta(days=5),
        actor=cast.market_officer,
    )
    with pytest.raises(ValidationError) as refused:
        services.item_check_record(inspection=inspection, item=item, actor=cast.market_officer, result="compliant")
    assert list(refused.value.message_dict) == ["result"]


def test_a_simple_item_of_another_department_is_answered_on_its_behalf_and_a_non_simple_one_refused(cast, api_as):
    simple = ItemFactory(department=cast.market, simple=True, name="营业执照公示")
    not_simple = ItemFactory(department=cast.market, simple=False, name="计量器具检定")
    own = ItemFactory(department=cast.fire, name="灭火器")
    inspection = scheduled(cast, items=[simple, not_simple], fire_items=[own])
    phone = api_as(cast.fire_officer)
    url = f"/api/v1/inspections/{inspection.pk}/visit-record/"

    refused = phone.post(
        url,
        {
            "answers": [
                {"item": own.pk, "result": "compliant"},
                {"item": simple.pk, "result": "compliant"},
                {"item": not_simple.pk, "result": "compliant"},
            ],
            "code_not_shown_reason": "omitted",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert list(refused.json()["error"]["fields"]) == ["answers[2].item"]
    assert not ItemCheck.objects.filter(inspection=inspection).exists()

    # The market officer answers its own item; the fire officer answers the simple one on the market's behalf.
    inspection = services.inspection_start(inspection=inspection, actor=cast.market_officer)
    services.item_check_record(inspection=inspection, item=not_simple, actor=cast.market_officer, result="compliant")
    done = phone.post(
        url,
        {
            "answers": [{"item": own.pk, "result": "compliant"}, {"item": simple.pk, "result": "compliant"}],
            "code_not_shown_reason": "omitted",
        },
        format="json",
    )
    assert done.status_code == 200, done.json()
    delegated = ItemCheck.objects.get(inspection=inspection, item=simple)
    assert (delegated.checked_by_department, delegated.on_behalf_of, delegated.officer) == (
        cast.fire,
        cast.market,
        cast.fire_officer,
    )
    assert ItemCheck.objects.get(inspection=inspection, item=own).on_behalf_of is None


def test_the_code_shown_offline_keeps_the_phones_time_and_a_future_one_is_refused(cast, api_as):
    inspection = scheduled(cast)
    scheduled_hours_ago(inspection, 3)
    item = inspection.items.get()
    phone = api_as(cast.market_officer)
    url = f"/api/v1/inspections/{inspection.pk}/visit-record/"
    answers = [{"item": item.pk, "result": "compliant"}]

    future = phone.post(
        url, {"code_shown_at": (timezone.now() + timedelta(hours=1)).isoformat(), "answers": answers}, format="json"
    )
    assert future.status_code == 400
    assert list(future.json()["error"]["fields"]) == ["code_shown_at"]
    too_early = phone.post(
        url, {"code_shown_at": (timezone.now() - timedelta(hours=5)).isoformat(), "answers": answers}, format="json"
    )
    assert list(too_early.json()["error"]["fields"]) == ["code_shown_at"]
    inspection.refresh_from_db()
    assert (inspection.status, inspection.code_shown_at) == (Inspection.Status.SCHEDULED, None)

    offline = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    done = phone.post(url, {"code_shown_at": offline.isoformat(), "answers": answers}, format="json")
    assert done.status_code == 200, done.json()
    inspection.refresh_from_db()
    assert inspection.code_shown_at == offline
    assert inspection.started_at > offline  # started when the visit reached the server


def test_a_visit_recorded_without_showing_the_code_leaves_it_not_shown_with_the_reason(cast, api_as):
    inspection = scheduled(cast)
    item = inspection.items.get()
    phone = api_as(cast.market_officer)
    url = f"/api/v1/inspections/{inspection.pk}/visit-record/"
    refused = phone.post(url, {"answers": [{"item": item.pk, "result": "compliant"}]}, format="json")
    assert refused.status_code == 400
    assert refused.json()["error"]["code"] == "code_not_shown_reason_required"
    assert list(refused.json()["error"]["fields"]) == ["code_not_shown_reason"]
    done = phone.post(
        url,
        {"answers": [{"item": item.pk, "result": "compliant"}], "code_not_shown_reason": "no_signal"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["code_shown_at"]) == ("completed", None)
    assert done.json()["code_not_shown_reason"] == "no_signal"
    assert done.json()["enterprise_grade"] == Grade.GREEN


def test_show_code_takes_the_phones_time_and_the_first_showing_wins(cast, api_as):
    inspection = scheduled(cast)
    scheduled_hours_ago(inspection, 3)
    phone = api_as(cast.market_officer)
    url = f"/api/v1/inspections/{inspection.pk}/show-code/"
    future = phone.post(url, {"shown_at": (timezone.now() + timedelta(hours=1)).isoformat()}, format="json")
    assert future.status_code == 400 and list(future.json()["error"]["fields"]) == ["code_shown_at"]
    offline = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    assert phone.post(url, {"shown_at": offline.isoformat()}, format="json").json()["code_shown_at"]
    again = phone.post(url, format="json")
    assert again.status_code == 200
    inspection.refresh_from_db()
    assert inspection.code_shown_at == offline


def test_bad_fields_are_named_by_their_place_in_the_request(cast, api_as):
    inspection = scheduled(cast)
    item = inspection.items.get()
    phone = api_as(cast.market_officer)
    url = f"/api/v1/inspections/{inspection.pk}/visit-record/"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    finding = {"item": item.pk, "severity": "general", "description": "x", "deadline": yesterday}
    late = phone.post(
        url,
        {
            "answers": [{"item": item.pk, "result": "non_compliant"}],
            "findings": [finding],
            "code_not_shown_reason": "device",
        },
        format="json",
    )
    assert late.status_code == 400
    assert list(late.json()["error"]["fields"]) == ["findings[0].deadline"]

    malformed = phone.post(url, {"findings": [{**finding, "deadline": "soon", "severity": "huge"}]}, format="json")
    assert set(malformed.json()["error"]["fields"]) == {"findings[0].deadline", "findings[0].severity"}

    no_part = phone.post(
        url,
        {"findings": json.dumps([{**finding, "deadline": timezone.localdate().isoformat(), "photos": ["photo-9"]}])},
        format="multipart",
    )
    assert list(no_part.json()["error"]["fields"]) == ["findings[0].photos"]

    not_json = phone.post(url, {"answers": "[{"}, format="multipart")
    assert list(not_json.json()["error"]["fields"]) == ["answers"]

    not_a_photo = phone.post(
        url,
        {
            "answers": json.dumps([{"item": item.pk, "result": "non_compliant"}]),
            "findings": json.dumps([{**finding, "deadline": timezone.localdate().isoformat(), "photos": ["p"]}]),
            "p": SimpleUploadedFile("p.jpg", b"<script>", content_type="image/jpeg"),
            "code_not_shown_reason": "off_site",
        },
        format="multipart",
    )
    assert list(not_a_photo.json()["error"]["fields"]) == ["findings[0].photos"]
    assert not Finding.objects.exists()


def test_the_reinspection_answer_carries_the_new_colour(cast, api_as):
    inspection = services.inspection_show_code(inspection=scheduled(cast), actor=cast.market_officer)
    inspection = services.inspection_start(inspection=inspection, actor=cast.market_officer)
    finding = services.finding_record(
        inspection=inspection,
        item=inspection.items.get(),
        severity=Finding.Severity.GENERAL,
        description="合同条款表述不清",
        deadline=timezone.localdate() + timedelta(days=10),
        actor=cast.market_officer,
    )
    services.inspection_complete(inspection=answered(inspection, cast.market_officer), actor=cast.market_officer)
    phone = api_as(cast.market_officer)
    answer = phone.post(f"/api/v1/findings/{finding.pk}/reinspect/", {"rectified": True}, format="json")
    assert answer.status_code == 200, answer.json()
    assert (answer.json()["status"], answer.json()["enterprise_grade"]) == ("rectified", Grade.GREEN)


def test_a_visit_is_recorded_by_an_officer_of_the_inspection_only(cast, api_as):
    inspection = scheduled(cast)
    item = inspection.items.get()
    answer = api_as(cast.fire_officer).post(
        f"/api/v1/inspections/{inspection.pk}/visit-record/",
        {"answers": [{"item": item.pk, "result": "compliant"}]},
        format="json",
    )
    assert answer.status_code == 404
    assert not ItemCheck.objects.exists()
