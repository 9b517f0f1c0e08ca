"""The REST API: the officer's mobile flow, enterprise users confined to their own records, constant query
counts, and the indicator endpoints."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from inspections import services
from inspections.models import Finding, Inspection, PlanEntry
from tests.factories import EnterpriseFactory, enterprise_user, region_tree

from .factories import InspectionFactory, ItemFactory, PlanEntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(cast, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return cast


def test_an_officer_plans_and_submits_through_the_api(cast, api_as):
    client = api_as(cast.market_officer)
    item = ItemFactory(department=cast.market)
    month = timezone.localdate().replace(day=1)
    created = client.post(
        "/api/v1/plan-entries/", {"enterprise": cast.enterprise.pk, "items": [item.pk], "month": month.isoformat()}
    )
    assert created.status_code == 201, created.json()
    assert (created.json()["status"], created.json()["department"]) == ("draft", cast.market.pk)
    submitted = client.post(f"/api/v1/plan-entries/{created.json()['id']}/submit/")
    assert submitted.json()["status"] == "submitted"
    again = client.post(f"/api/v1/plan-entries/{created.json()['id']}/submit/")
    assert again.status_code == 409


def test_the_coordinator_queues_a_month_and_follows_its_progress(cast, api_as, django_capture_on_commit_callbacks):
    month = timezone.localdate().replace(day=1)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, month=month, actor=cast.market_officer)
    client = api_as(cast.coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post("/api/v1/coordinations/", {"region": "330212000000", "month": month.isoformat()})
    assert answer.status_code == 202
    progress = client.get(f"/api/v1/coordinations/{answer.json()['id']}/").json()
    assert (progress["status"], progress["progress"], progress["executed"]) == ("done", 100, 1)
    assert (
        api_as(cast.market_officer)
        .post("/api/v1/coordinations/", {"region": "330212000000", "month": month.isoformat()})
        .status_code
        == 403
    )


def test_the_officer_mobile_flow_from_schedule_to_reinspection(cast, api_as):
    month = timezone.localdate().replace(day=1)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, month=month, actor=cast.market_officer)
    services.month_coordinate(region=cast.enterprise.region, month=month, actor=cast.coordinator)
    inspection = Inspection.objects.get()
    phone = api_as(cast.market_officer)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())

    scheduled = phone.post(
        f"/api/v1/inspections/{inspection.pk}/schedule/",
        {"week_start": monday.isoformat(), "visit_date": today.isoformat(), "officers": [cast.market_officer.pk]},
    )
    assert scheduled.status_code == 200, scheduled.json()
    assert scheduled.json()["code"] and scheduled.json()["verify_url"].endswith("/")
    assert [row["id"] for row in phone.get("/api/v1/inspections/?when=today").json()["results"]] == [inspection.pk]
    assert [row["id"] for row in phone.get("/api/v1/inspections/?when=week&mine=true").json()["results"]] == [
        inspection.pk
    ]

    shown = phone.post(f"/api/v1/inspections/{inspection.pk}/show-code/", {}, format="json")
    assert shown.status_code == 200 and shown.json()["code_shown_at"]
    started = phone.post(f"/api/v1/inspections/{inspection.pk}/start/")
    assert started.json()["status"] == "in_progress"
    assert started.json()["code_shown_at"] == shown.json()["code_shown_at"]
    item = inspection.items.get()
    finding = phone.post(
        f"/api/v1/inspections/{inspection.pk}/findings/",
        {
            "item": item.pk,
            "severity": "general",
            "description": "合同条款表述不清",
            "deadline": (today + timedelta(days=10)).isoformat(),
            "photos": [SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0jpeg", content_type="image/jpeg")],
        },
        format="multipart",
    )
    assert finding.status_code == 201, finding.json()
    assert len(finding.json()["photos"]) == 1
    completed = phone.post(f"/api/v1/inspections/{inspection.pk}/complete/", {"summary": "一般问题一项"})
    assert completed.json()["status"] == "completed"

    boss = api_as(enterprise_user(cast.enterprise))
    uploaded = boss.post(
        f"/api/v1/findings/{finding.json()['id']}/evidence/",
        {"note": "已修改合同文本", "file": SimpleUploadedFile("c.pdf", b"%PDF-1.4", content_type="application/pdf")},
        format="multipart",
    )
    assert uploaded.status_code == 200, uploaded.json()
    assert uploaded.json()["status"] == "evidence_submitted"
    assert boss.post(f"/api/v1/findings/{finding.json()['id']}/reinspect/", {"rectified": True}).status_code == 403

    verified = phone.post(f"/api/v1/findings/{finding.json()['id']}/reinspect/", {"rectified": True})
    assert verified.json()["status"] == "rectified"
    history = boss.get(f"/api/v1/grade-changes/?enterprise={cast.enterprise.pk}").json()["results"]
    assert [(h["old_grade"], h["new_grade"]) for h in history] == [("yellow", "green"), ("gray", "yellow")]


def test_an_illegal_move_through_the_api_is_a_409(cast, api_as):
    inspection = InspectionFactory(cast=cast)
    answer = api_as(cast.market_officer).post(f"/api/v1/inspections/{inspection.pk}/start/")
    assert answer.status_code == 409
    assert answer.json()["error"]["code"]


def test_an_enterprise_user_sees_only_its_own_inspections_and_findings(cast, api_as):
    mine = InspectionFactory(cast=cast)
    other_enterprise = EnterpriseFactory(region=cast.enterprise.region)
    theirs = InspectionFactory(cast=cast, enterprise=other_enterprise)
    for inspection in (mine, theirs):
        services.finding_record(
            inspection=inspection,
            item=inspection.items.first(),
            severity=Finding.Severity.MAJOR,
            description="x",
            deadline=timezone.localdate() + timedelta(days=5),
            actor=cast.market_officer,
        )
    boss = api_as(enterprise_user(cast.enterprise))
    assert [row["id"] for row in boss.get("/api/v1/inspections/").json()["results"]] == [mine.pk]
    assert boss.get(f"/api/v1/inspections/{theirs.pk}/").status_code == 404
    assert {row["enterprise"] for row in boss.get("/api/v1/findings/").json()["results"]} == {cast.enterprise.pk}
    their_finding = Finding.objects.get(enterprise=other_enterprise)
    assert boss.get(f"/api/v1/findings/{their_finding.pk}/").status_code == 404
    assert boss.post(f"/api/v1/findings/{their_finding.pk}/evidence/", {"note": "x"}).status_code == 404
    assert {row["enterprise"] for row in boss.get("/api/v1/grade-changes/").json()["results"]} == {cast.enterprise.pk}
    assert boss.get("/api/v1/plan-entries/").status_code == 403
    assert boss.get("/api/v1/indicators/inspections/").status_code == 403


def test_another_department_s_officer_does_not_see_the_inspection(cast, api_as):
    inspection = InspectionFactory(cast=cast)
    assert api_as(cast.fire_officer).get(f"/api/v1/inspections/{inspection.pk}/").status_code == 404
    assert api_as(cast.coordinator).get(f"/api/v1/inspections/{inspection.pk}/").status_code == 200


def _make_inspections(cast, n):
    for _ in range(n):
        enterprise = EnterpriseFactory(region=cast.enterprise.region)
        inspection = InspectionFactory(cast=cast, enterprise=enterprise)
        services.finding_record(
            inspection=inspection,
            item=inspection.items.first(),
            severity=Finding.Severity.GENERAL,
            description="x",
            deadline=timezone.localdate() + timedelta(days=5),
            actor=cast.market_officer,
            photos=[SimpleUploadedFile("a.jpg", b"\xff\xd8\xff\xe0", content_type="image/jpeg")],
        )


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/inspections/",
        "/api/v1/findings/",
        "/api/v1/plan-entries/",
        "/api/v1/grade-changes/",
        "/api/v1/due-enterprises/",
        "/api/v1/inspection-items/",
    ],
)
def test_list_endpoints_keep_a_constant_query_count(cast, api_as, django_assert_max_num_queries, url):
    _make_inspections(cast, 6)
    client = api_as(cast.coordinator)
    with django_assert_max_num_queries(12) as small:
        assert client.get(f"{url}?page_size=2").status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        answer = client.get(f"{url}?page_size=6")
    assert answer.status_code == 200
    assert len(answer.json()["results"]) == 6


def test_indicator_endpoints_answer_for_a_region_and_period(cast, api_as):
    month = timezone.localdate().replace(day=1)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, month=month, actor=cast.market_officer)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, month=month, actor=cast.market_officer)
    services.month_coordinate(region=cast.enterprise.region, month=month, actor=cast.coordinator)
    client = api_as(cast.coordinator)
    county = region_tree()["county"]  # regions are asked for by id, like every indicator endpoint's
    query = f"?start={month.isoformat()}&end={timezone.localdate().isoformat()}&region={county.pk}"
    plans = client.get(f"/api/v1/indicators/inspections/{query}").json()["plan_entries"]
    assert (plans["submitted"], plans["executed"], plans["cut"]) == (2, 1, 1)
    assert (plans["coordination_rate"], plans["reduction_rate"]) == (50.0, 50.0)
    grade_figures = client.get(f"/api/v1/indicators/grades/{query}").json()
    assert grade_figures["enterprises"]["gray"] == 1
    elsewhere = region_tree("330902", "定海区")["county"]
    assert client.get(f"/api/v1/indicators/grades/?region={elsewhere.pk}").status_code == 400
    unknown = client.get("/api/v1/indicators/grades/?region=999999")
    assert unknown.status_code == 400  # an unknown region id is a bad parameter, named
    assert "region" in unknown.json()["error"]["fields"]
    assert client.get("/api/v1/indicators/inspections/?start=2024-02-01&end=2024-01-01").status_code == 400
    assert PlanEntry.objects.count() == 2
