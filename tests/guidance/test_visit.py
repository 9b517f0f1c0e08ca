"""The visit: advice and risks per checklist item, the recommendation letter, rectification with evidence;
never a penalty, never a grade change."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guidance import services
from guidance.models import Booking, Risk
from programs.models import AuditEntry, Enterprise
from programs.services import audit_record
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, enterprise_user, officer, region_tree

from .factories import BookingFactory, SlotFactory, ThemeFactory, claimed, visit_started

pytestmark = pytest.mark.django_db


def held_visit(enterprise, *, inspector=None):
    theme = ThemeFactory()
    slot = SlotFactory(themes=[theme])
    booking = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=enterprise.credit_code))
    inspector = inspector or officer(department=theme.departments.get())
    services.booking_confirm(booking=booking, actor=coordinator(), officers=[inspector])
    return visit_started(booking), inspector


def test_risks_found_in_a_guidance_visit_never_change_the_grade_or_its_history():
    enterprise = EnterpriseFactory(grade="green", grade_changed_at=timezone.now() - timedelta(days=40))
    audit_record(obj=enterprise, field="grade", old="yellow", new="green", actor=None, reason="rectified")
    before = list(AuditEntry.objects.filter(field="grade").values_list("pk", "old_value", "new_value"))
    booking, inspector = held_visit(enterprise)
    item = booking.theme.items.get()
    services.risk_record(booking=booking, actor=inspector, item=item, description="灭火器过期，疏散通道堆放杂物")
    services.risk_record(booking=booking, actor=inspector, description="燃气报警器未安装")
    services.booking_complete(booking=booking, actor=inspector, summary="两处隐患")
    services.letter_issue(booking=Booking.objects.get(pk=booking.pk), actor=inspector)
    enterprise.refresh_from_db()
    assert enterprise.grade == "green"
    assert enterprise.grade_changed_at < timezone.now() - timedelta(days=39)
    assert list(AuditEntry.objects.filter(field="grade").values_list("pk", "old_value", "new_value")) == before
    assert Risk.objects.filter(booking=booking).count() == 2


def test_advice_and_risks_make_the_recommendation_letter_the_enterprise_reads_and_prints(api_as, client):
    enterprise = EnterpriseFactory()
    booking, inspector = held_visit(enterprise)
    item = booking.theme.items.get()
    services.advice_record(booking=booking, actor=inspector, item=item, text="油烟净化器应装在排烟管道起点")
    services.risk_record(
        booking=booking,
        actor=inspector,
        item=item,
        description="排烟口正对居民窗户",
        suggestion="改向屋顶排放",
        deadline=timezone.localdate() + timedelta(days=14),
    )
    owner = api_as(enterprise_user(enterprise))
    assert owner.get(f"/api/v1/guidance/bookings/{booking.pk}/letter/").status_code == 404  # not issued yet
    staff = api_as(inspector)
    assert staff.post(f"/api/v1/guidance/bookings/{booking.pk}/complete/", {"summary": "现场指导"}).status_code == 200
    issued = staff.post(f"/api/v1/guidance/bookings/{booking.pk}/letter/")
    assert issued.status_code == 200, issued.content
    letter = owner.get(f"/api/v1/guidance/bookings/{booking.pk}/letter/").json()
    assert letter["number"] == f"{booking.reference}-JY"
    assert letter["advice"] == [{"item": item.name, "text": "油烟净化器应装在排烟管道起点"}]
    assert letter["risks"][0]["suggestion"] == "改向屋顶排放"
    client.force_login(enterprise_user(enterprise))
    page = client.get(letter["print_url"])
    assert page.status_code == 200
    assert "排烟口正对居民窗户" in page.text and "@media print" not in page.text  # print rules live in site.css
    assert staff.post(f"/api/v1/guidance/bookings/{booking.pk}/letter/").json()["number"] == letter["number"]
    assert AuditEntry.objects.filter(object_id=booking.pk, field="letter").count() == 1


def test_the_enterprise_closes_a_risk_with_evidence_and_staff_confirm_it(api_as):
    enterprise = EnterpriseFactory()
    booking, inspector = held_visit(enterprise)
    risk = services.risk_record(booking=booking, actor=inspector, description="灭火器过期")
    owner = api_as(enterprise_user(enterprise))
    photo = SimpleUploadedFile("extinguisher.jpg", b"\xff\xd8\xff fake jpeg", content_type="image/jpeg")
    response = owner.post(
        f"/api/v1/guidance/risks/{risk.pk}/evidence/", {"note": "已更换新灭火器", "file": photo}, format="multipart"
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    staff = api_as(inspector)
    rejected = staff.post(f"/api/v1/guidance/risks/{risk.pk}/reject/", {"reason": ""})
    assert rejected.status_code == 400
    assert staff.post(f"/api/v1/guidance/risks/{risk.pk}/confirm/").json()["status"] == "rectified"
    risk.refresh_from_db()
    assert risk.rectified_at is not None and risk.evidence_file.name.endswith(".jpg")
    assert list(
        AuditEntry.objects.filter(object_id=risk.pk, content_type__model="risk")
        .order_by("created_at", "id")
        .values_list("new_value", flat=True)
    ) == ["open", "submitted", "rectified"]
    # The booking's answer after an action carries the risk with its evidence link (it was a server error).
    completed = staff.post(f"/api/v1/guidance/bookings/{booking.pk}/complete/", {"summary": "已整改"})
    assert completed.status_code == 200, completed.content
    (listed,) = completed.json()["risks"]
    assert listed["evidence_file"].startswith("http://testserver/") and listed["status"] == "rectified"


def test_another_enterprise_cannot_submit_evidence_for_a_risk_not_its_own(api_as):
    booking, inspector = held_visit(EnterpriseFactory())
    risk = services.risk_record(booking=booking, actor=inspector, description="灭火器过期")
    stranger = api_as(enterprise_user(EnterpriseFactory()))
    assert stranger.post(f"/api/v1/guidance/risks/{risk.pk}/evidence/", {"note": "done"}).status_code == 404
    with pytest.raises(ValidationError):
        services.risk_submit_evidence(risk=risk, actor=enterprise_user(EnterpriseFactory()), note="done")
    risk.refresh_from_db()
    assert risk.status == "open"


def test_a_visit_cannot_be_completed_before_it_starts_nor_a_requested_one_hold_risks():
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme]))
    with pytest.raises(ValidationError):
        services.risk_record(booking=booking, actor=coordinator(), description="x")
    services.booking_confirm(booking=booking, actor=coordinator())
    with pytest.raises(ValidationError):
        services.booking_complete(booking=Booking.objects.get(pk=booking.pk), actor=coordinator())


def test_staff_moves_are_audited_with_who_and_why(api_as):
    boss = coordinator()
    booking = BookingFactory()
    client = api_as(boss)
    assert client.post(f"/api/v1/guidance/bookings/{booking.pk}/confirm/", {}).status_code == 200
    no_reason = client.post(f"/api/v1/guidance/bookings/{booking.pk}/cancel/", {"reason": ""})
    assert no_reason.status_code == 400
    assert client.post(f"/api/v1/guidance/bookings/{booking.pk}/cancel/", {"reason": "台风停工"}).status_code == 200
    history = AuditEntry.objects.filter(object_id=booking.pk, content_type__model="booking").order_by("id")
    assert [(e.new_value, e.actor) for e in history] == [("requested", None), ("confirmed", boss), ("cancelled", boss)]
    assert history.last().reason == "台风停工"
    again = client.post(f"/api/v1/guidance/bookings/{booking.pk}/confirm/", {})
    assert again.status_code == 409


def test_confirming_assigns_the_theme_departments_of_the_booking_county_and_chosen_officers(api_as):
    theme = ThemeFactory()
    booking = BookingFactory(slot=SlotFactory(themes=[theme]))
    inspector = officer(department=theme.departments.get())
    response = api_as(coordinator()).post(
        f"/api/v1/guidance/bookings/{booking.pk}/confirm/", {"officers": [inspector.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "confirmed"
    assert body["departments"] == [theme.departments.get().name]
    assert body["officers"] == [inspector.username]


def test_a_completed_visit_asks_for_feedback_once(client, settings):
    settings.GUIDANCE_SURVEY_DELAY_HOURS = 2
    enterprise = EnterpriseFactory()
    booking, inspector = held_visit(enterprise)
    services.booking_complete(booking=booking, actor=inspector)
    from programs.models import Notification

    survey = Notification.objects.get(dedupe_key=f"guidance:booking:{booking.pk}:survey:email")
    assert survey.due_at > timezone.now() + timedelta(hours=1, minutes=59)
    url = services.booking_feedback_url(booking).split("8000", 1)[1]
    assert url in survey.body
    assert client.post(url, {"satisfaction": 5, "comment": "少走了弯路"}).status_code == 302
    assert "Thank you" in client.get(url).text or "谢谢" in client.get(url).text
    with pytest.raises(ValidationError):
        services.feedback_submit(booking=booking, satisfaction=1, actor=None)
    assert Booking.objects.get(pk=booking.pk).satisfaction == 5
    assert Enterprise.objects.get(pk=enterprise.pk).grade == "gray"


def test_officers_and_departments_of_another_county_cannot_be_assigned(api_as):
    booking = BookingFactory()
    beilun = region_tree("330206", "北仑区")["county"]
    stranger = officer(department=DepartmentFactory(region=beilun))
    client = api_as(coordinator())
    response = client.post(
        f"/api/v1/guidance/bookings/{booking.pk}/confirm/",
        {"officers": [stranger.pk], "departments": [stranger.department_id]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"officers", "departments"}
    assert Booking.objects.get(pk=booking.pk).status == "requested"
