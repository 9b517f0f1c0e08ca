"""Issue 19, point 2: a guidance booking has one or more sessions (online or on site, each with its time,
officers, advice, risks and outcome); a follow-up session after rectification is a second session of the same
booking; the indicators count bookings accepted and sessions held apart; letters and risks belong to the
session that found them."""

import importlib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from guidance import selectors, services
from guidance.forms import SessionForm
from guidance.models import Advice, Booking, Mode, Risk, Session
from guidance.selectors import guidance_indicators
from programs.audit import TransitionError
from programs.documents import document_bytes
from programs.models import AuditEntry, IssuedDocument, Notification
from tests.factories import DepartmentFactory, EnterpriseFactory, coordinator, enterprise_user, officer
from tests.pdf import pdf_text

from .factories import BookingFactory, SlotFactory, ThemeFactory, claimed, visit_started

pytestmark = pytest.mark.django_db


def _confirmed(*, mode=Mode.ONSITE, theme=None):
    """A registered enterprise's booking, confirmed with an officer of the theme's department, under way."""
    enterprise = EnterpriseFactory()
    theme = theme or ThemeFactory(title="开办餐饮")
    slot = SlotFactory(themes=[theme], mode=mode)
    booking = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=enterprise.credit_code))
    inspector = officer(department=theme.departments.get())
    services.booking_confirm(booking=booking, actor=coordinator(), officers=[inspector])
    return visit_started(booking), inspector, enterprise


def _held(**kwargs):
    """The booking's first session recorded, with one risk found in it."""
    booking, inspector, enterprise = _confirmed(**kwargs)
    services.risk_record(booking=booking, actor=inspector, description="排烟口正对居民窗户")
    first = services.session_record(booking=booking, actor=inspector, summary="现场查看后厨")
    booking.refresh_from_db()
    return booking, first, inspector, enterprise


def test_recording_the_first_session_completes_the_booking_and_takes_in_what_was_recorded_meanwhile():
    booking, inspector, _enterprise = _confirmed()
    services.advice_record(booking=booking, actor=inspector, text="油烟净化器应装在排烟管道起点")
    risk = services.risk_record(booking=booking, actor=inspector, description="灭火器过期")
    assert risk.session is None  # the first session is under way: not recorded yet

    first = services.session_record(booking=booking, actor=inspector, summary="现场查看后厨")

    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED and booking.completed_at is not None
    assert (first.kind, first.mode, first.held_at) == (Session.Kind.FIRST, Mode.ONSITE, booking.slot.starts_at)
    assert list(first.officers.all()) == [inspector]
    assert set(first.departments.all()) == set(booking.departments.all())
    assert first.summary == booking.summary == "现场查看后厨"
    assert list(Risk.objects.filter(booking=booking).values_list("session", flat=True)) == [first.pk]
    assert list(Advice.objects.filter(booking=booking).values_list("session", flat=True)) == [first.pk]
    # The same audit row and the same satisfaction survey as completing the booking always made.
    assert AuditEntry.objects.filter(object_id=booking.pk, action="booking.complete", new_value="completed").exists()
    assert Notification.objects.filter(dedupe_key__startswith=f"guidance:booking:{booking.pk}:survey").exists()
    with pytest.raises(IntegrityError), transaction.atomic():  # one first session per booking, whatever races
        Session.objects.create(booking=booking, kind=Session.Kind.FIRST, mode=Mode.ONLINE, held_at=timezone.now())


def test_the_first_session_records_the_mode_time_and_officers_given_and_refuses_a_time_to_come():
    booking, inspector, _enterprise = _confirmed(mode=Mode.ONSITE)
    later = timezone.now() + timedelta(hours=1)
    with pytest.raises(ValidationError) as caught:
        services.session_record(booking=booking, actor=inspector, held_at=later)
    assert caught.value.error_dict["held_at"][0].code == "future"
    held_at = timezone.now() - timedelta(minutes=30)
    first = services.session_record(booking=booking, actor=inspector, mode=Mode.ONLINE, held_at=held_at)
    assert (first.mode, first.held_at) == (Mode.ONLINE, held_at)


def test_a_follow_up_session_after_rectification_is_a_second_session_of_the_same_booking():
    booking, first, inspector, _enterprise = _held()
    [risk] = Risk.objects.filter(booking=booking)
    services.risk_submit_evidence(risk=risk, actor=inspector, note="已改向屋顶排放")
    services.risk_confirm(risk=risk, actor=inspector)
    colleague = officer(department=inspector.department)

    follow_up = services.session_record(
        booking=booking, actor=inspector, officers=[inspector, colleague], mode=Mode.ONSITE, summary="整改到位"
    )

    assert follow_up.kind == Session.Kind.FOLLOW_UP and follow_up.booking_id == booking.pk
    assert set(follow_up.officers.all()) == {inspector, colleague}
    assert list(follow_up.departments.all()) == [inspector.department]
    assert list(selectors.session_list(booking=booking)) == [first, follow_up]
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED  # it stays completed; nothing else of it changes
    entry = AuditEntry.objects.get(object_id=booking.pk, action="booking.session")
    assert (entry.old_value, entry.new_value, entry.data["session"]) == ("1", "2", follow_up.pk)
    assert Notification.objects.filter(dedupe_key__startswith=f"guidance:booking:{booking.pk}:session-").exists()
    # By default the officer recording it held it, now.
    third = services.session_record(booking=booking, actor=colleague)
    assert list(third.officers.all()) == [colleague] and third.mode == booking.mode


def test_a_follow_up_is_held_by_officers_of_the_bookings_departments_in_scope_after_the_first():
    booking, first, inspector, _enterprise = _held()
    stranger = officer(department=DepartmentFactory(region=booking.region))  # the county's, another department

    with pytest.raises(ValidationError) as caught:
        services.session_record(booking=booking, actor=inspector, officers=[stranger])
    assert caught.value.error_dict["officers"][0].code == "other_department"
    with pytest.raises(ValidationError) as caught:  # the stranger's department does not see the booking
        services.session_record(booking=booking, actor=stranger)
    assert caught.value.code == "out_of_scope"
    with pytest.raises(ValidationError) as caught:
        services.session_record(booking=booking, actor=inspector, held_at=first.held_at - timedelta(minutes=1))
    assert caught.value.error_dict["held_at"][0].code == "before_first"
    assert booking.sessions.count() == 1


def test_a_cancelled_or_requested_booking_takes_no_session():
    boss = coordinator()
    cancelled = services.booking_cancel(booking=BookingFactory(), actor=boss, reason="企业取消")
    with pytest.raises(TransitionError) as caught:
        services.session_record(booking=cancelled, actor=boss)
    assert caught.value.code == "closed"
    requested = visit_started(BookingFactory())
    with pytest.raises(TransitionError) as caught:
        services.session_record(booking=requested, actor=boss)
    assert caught.value.code == "closed"
    assert not Session.objects.exists()


def test_risks_and_advice_belong_to_the_session_that_found_them():
    booking, first, inspector, _enterprise = _held()
    follow_up = services.session_record(booking=booking, actor=inspector)

    later = services.risk_record(booking=booking, actor=inspector, description="疏散通道堆放杂物")
    named = services.risk_record(booking=booking, actor=inspector, description="补记首次发现的隐患", session=first)
    advice = services.advice_record(booking=booking, actor=inspector, text="通道保持畅通")

    assert (later.session, named.session, advice.session) == (follow_up, first, follow_up)
    assert [r.description for r in follow_up.risks.all()] == ["疏散通道堆放杂物"]
    assert {r.description for r in first.risks.all()} == {"排烟口正对居民窗户", "补记首次发现的隐患"}
    _other, other_first, _o, _e = _held()
    with pytest.raises(ValidationError) as caught:
        services.risk_record(booking=booking, actor=inspector, description="x", session=other_first)
    assert caught.value.error_dict["session"][0].code == "other_booking"


def test_each_session_has_its_own_letter_with_its_own_risks(client):
    booking, first, inspector, enterprise = _held()
    services.letter_issue(booking=booking, actor=inspector)
    first.refresh_from_db()
    assert first.letter_number == f"{booking.reference}-JY"
    # The first session's letter freezes its records, not the follow-up's.
    follow_up = services.session_record(booking=booking, actor=inspector, summary="回访复核")
    services.risk_record(booking=booking, actor=inspector, description="疏散通道堆放杂物")
    with pytest.raises(ValidationError) as caught:
        services.risk_record(booking=booking, actor=inspector, description="迟到的隐患", session=first)
    assert caught.value.error_dict["description"][0].code == "letter_issued"

    services.letter_issue(booking=booking, actor=inspector, session=follow_up)

    follow_up.refresh_from_db()
    assert follow_up.letter_number == f"{booking.reference}-JY2"
    booking.refresh_from_db()
    assert booking.letter_number == f"{booking.reference}-JY"  # the booking keeps its first session's
    second = pdf_text(document_bytes(selectors.letter_document(booking=booking, session=follow_up)))
    assert "疏散通道堆放杂物" in second and "排烟口正对居民窗户" not in second and "回访复核" in second
    original = pdf_text(document_bytes(selectors.letter_document(booking=booking)))
    assert "排烟口正对居民窗户" in original and "疏散通道堆放杂物" not in original
    client.force_login(enterprise_user(enterprise))
    page = client.get(f"/guidance/letters/{booking.pk}/", {"session": follow_up.pk})
    assert page.status_code == 200 and f"{booking.reference}-JY2" in page.text
    pdf = client.get(f"/guidance/letters/{booking.pk}/pdf/", {"session": follow_up.pk})
    assert pdf.status_code == 200 and "疏散通道堆放杂物" in pdf_text(pdf.content)
    assert client.get(f"/guidance/letters/{booking.pk}/", {"session": "x"}).status_code == 404


def test_the_api_lists_a_bookings_sessions_and_records_a_follow_up(api_as):
    booking, _first, inspector, enterprise = _held()
    url = f"/api/v1/guidance/bookings/{booking.pk}/sessions/"

    answer = api_as(inspector).post(url, {"mode": "online", "summary": "线上回访"}, format="json")

    assert answer.status_code == 201, answer.content
    assert (answer.json()["kind"], answer.json()["mode"], answer.json()["officers"]) == (
        "follow_up",
        "online",
        [inspector.username],
    )
    listed = api_as(enterprise_user(enterprise)).get(url)
    assert listed.status_code == 200
    assert [s["kind"] for s in listed.json()] == ["first", "follow_up"]
    assert [r["description"] for r in listed.json()[0]["risks"]] == ["排烟口正对居民窗户"]
    assert api_as(enterprise_user(enterprise)).post(url, {}, format="json").status_code == 403
    refused = api_as(inspector).post(url, {"held_at": "2001-01-01T09:00:00+08:00"}, format="json")
    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], list(refused.json()["error"]["fields"])) == ("before_first", ["held_at"])
    detail = api_as(inspector).get(f"/api/v1/guidance/bookings/{booking.pk}/")
    assert [s["kind"] for s in detail.json()["sessions"]] == ["first", "follow_up"]


def test_the_schema_documents_the_sessions_endpoints(api_as):
    schema = api_as(coordinator()).get("/api/schema/", HTTP_ACCEPT="application/json")
    operations = schema.json()["paths"]["/api/v1/guidance/bookings/{id}/sessions/"]
    assert {"get", "post"} <= set(operations)
    assert "GuidanceSessionCreate" in str(operations["post"]["requestBody"])


def test_the_indicators_count_bookings_accepted_and_sessions_held_apart():
    booking, _first, inspector, _enterprise = _held(theme=ThemeFactory(title="消防安全"))
    services.session_record(booking=booking, actor=inspector, mode=Mode.ONLINE)
    _held(mode=Mode.ONLINE, theme=ThemeFactory(title="开办餐饮"))
    BookingFactory()  # accepted, not held yet

    today = timezone.localdate()
    figures = guidance_indicators(user=coordinator(), start=today - timedelta(days=7), end=today)

    assert figures["bookings_accepted"] == 3
    assert (figures["visits_held"], figures["visits_held_online"], figures["visits_held_onsite"]) == (2, 1, 1)
    assert figures["sessions_held"] == 3
    assert (figures["sessions_held_online"], figures["sessions_held_onsite"]) == (2, 1)
    assert figures["follow_up_sessions"] == 1
    by_theme = {row["theme"]: row for row in figures["by_theme"]}
    assert (by_theme["消防安全"]["held"], by_theme["消防安全"]["sessions_held"]) == (1, 2)
    assert by_theme["开办餐饮"]["sessions_held"] == 1
    assert sum(row["sessions_held"] for row in figures["by_county"]) == 3


def test_the_article_figure_3200_sessions_held_for_2900_bookings_accepted():
    """Ningbo article (seeds/000_d50d4d61f2fb2165.txt):
    "截至2024年12月底，累计受理预约2900多件，开展线上线下预约3200次，靶向整改风险隐患超3000个。"
    Built by construction: 2,900 bookings accepted, each held once, and 300 of them held a second time after
    rectification: 3,200 sessions online and on site."""
    theme = ThemeFactory(title="开办餐饮")
    slot = SlotFactory(themes=[theme], capacity=3, starts_in=timedelta(hours=-2))
    now, held_at = timezone.now(), slot.starts_at
    bookings = Booking.objects.bulk_create(
        Booking(
            reference=f"G-ART-{n:04d}",
            theme=theme,
            slot=slot,
            region=slot.region,
            region_code=slot.region.code,  # bulk_create skips Booking.save
            mode=Mode.ONLINE if n % 3 == 0 else Mode.ONSITE,
            status=Booking.Status.COMPLETED,
            business_name=f"商户{n}",
            contact_name="联系人",
            contact_phone="13900000000",
            consent_at=now,
            completed_at=now,
        )
        for n in range(2900)
    )
    sessions = [Session(booking=b, kind=Session.Kind.FIRST, mode=b.mode, held_at=held_at) for b in bookings] + [
        Session(booking=b, kind=Session.Kind.FOLLOW_UP, mode=Mode.ONSITE, held_at=held_at + timedelta(minutes=30))
        for b in bookings[:300]
    ]
    Session.objects.bulk_create(sessions)

    today = timezone.localdate()
    figures = guidance_indicators(user=coordinator(), start=today - timedelta(days=7), end=today)

    assert figures["bookings_accepted"] == 2900
    assert figures["sessions_held"] == 3200
    assert figures["sessions_held_online"] + figures["sessions_held_onsite"] == 3200
    assert figures["sessions_held_online"] == len([b for b in bookings if b.mode == Mode.ONLINE])
    assert figures["follow_up_sessions"] == 300
    assert figures["visits_held"] == 2900


def test_the_migration_makes_each_completed_booking_its_first_session_from_its_own_records():
    """guidance/migrations/0005_sessions.py's data step, called on a booking completed the way it was before."""
    booking, first, inspector, _enterprise = _held()
    services.advice_record(booking=booking, actor=inspector, text="油烟净化器应装在排烟管道起点")
    services.letter_issue(booking=booking, actor=inspector)
    booking.refresh_from_db()
    document = selectors.letter_document(booking=booking)
    # Back to the shape before sessions: no session, records and letter on the booking.
    Advice.objects.filter(booking=booking).update(session=None)
    Risk.objects.filter(booking=booking).update(session=None)
    IssuedDocument.objects.filter(pk=document.pk).update(
        content_type=ContentType.objects.get_for_model(Booking), object_id=booking.pk
    )
    first.officers.clear()
    first.departments.clear()
    Session.objects.filter(pk=first.pk).delete()
    untouched = BookingFactory()  # requested: no session

    migration = importlib.import_module("guidance.migrations.0005_sessions")
    migration.sessions_from_bookings(apps, None)
    migration.sessions_from_bookings(apps, None)  # once only

    [made] = Session.objects.filter(booking=booking)
    assert (made.kind, made.mode, made.held_at) == (Session.Kind.FIRST, booking.mode, booking.slot.starts_at)
    assert list(made.officers.all()) == list(booking.officers.all()) == [inspector]
    assert set(made.departments.all()) == set(booking.departments.all())
    assert (made.summary, made.letter_number, made.letter_issued_at) == (
        booking.summary,
        booking.letter_number,
        booking.letter_issued_at,
    )
    assert made.recorded_by == inspector  # the actor of the booking's completion
    assert set(Advice.objects.filter(booking=booking).values_list("session", flat=True)) == {made.pk}
    assert set(Risk.objects.filter(booking=booking).values_list("session", flat=True)) == {made.pk}
    assert selectors.letter_document(booking=booking).pk == document.pk
    assert not Session.objects.filter(booking=untouched).exists()

    migration.bookings_from_sessions(apps, None)
    assert not Session.objects.exists()
    document.refresh_from_db()
    assert (document.content_type.model, document.object_id) == ("booking", booking.pk)


def test_the_sessions_list_in_the_admin_filters_by_kind_mode_and_period(client):
    """The list the dashboard's session figures can link to: /admin/guidance/session/ with the period as the
    dashboard writes a time's days (``held_at__date__gte`` / ``held_at__date__lte``), ``kind`` and ``mode``."""
    booking, first, inspector, _enterprise = _held()
    follow_up = services.session_record(booking=booking, actor=inspector, mode=Mode.ONLINE)
    client.force_login(coordinator())
    today = timezone.localdate()
    period = {"held_at__date__gte": (today - timedelta(days=7)).isoformat(), "held_at__date__lte": today.isoformat()}

    listed = client.get("/admin/guidance/session/", {**period, "kind": "follow_up"})

    assert listed.status_code == 200
    assert [s.pk for s in listed.context["cl"].result_list] == [follow_up.pk]
    both = client.get("/admin/guidance/session/", period)
    assert {s.pk for s in both.context["cl"].result_list} == {first.pk, follow_up.pk}
    online = client.get("/admin/guidance/session/", {"mode": "online"})
    assert [s.pk for s in online.context["cl"].result_list] == [follow_up.pk]


def test_the_admin_session_page_records_a_follow_up_and_shows_a_refusal_on_its_field(client):
    booking, first, inspector, _enterprise = _held()
    client.force_login(inspector)
    url = f"/admin/guidance/booking/{booking.pk}/session/"
    page = client.get(url)
    assert page.status_code == 200 and "回访指导" in page.text
    too_early = timezone.localtime(first.held_at - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    body = {"mode": "onsite", "held_at": too_early, "officers": [inspector.pk], "summary": "复核"}

    refused = client.post(url, body)

    assert refused.status_code == 400
    assert "回访指导的时间不能早于首次指导。" in refused.text
    assert booking.sessions.count() == 1
    body["held_at"] = timezone.localtime().strftime("%Y-%m-%dT%H:%M")
    assert client.post(url, body).status_code == 302
    assert booking.sessions.filter(kind=Session.Kind.FOLLOW_UP, summary="复核").count() == 1
    stranger = officer(department=DepartmentFactory(region=booking.region))
    client.force_login(stranger)
    assert client.get(url).status_code == 403  # not a booking of their department


def _row(html: str, name: str, following: str) -> str:
    """The session form's row of the field ``name``, up to the row of the field ``following``."""
    return html.split(f'id="id_{name}_row"', 1)[1].split(f'id="id_{following}_row"', 1)[0]


def test_the_admin_session_form_ticks_the_signed_in_officer_for_a_first_session_as_for_a_follow_up(client):
    booking, inspector, _enterprise = _confirmed()
    colleague = officer(department=inspector.department)
    client.force_login(colleague)
    url = f"/admin/guidance/booking/{booking.pk}/session/"

    page = client.get(url)

    assert page.status_code == 200
    row = _row(page.text, "officers", "summary")
    assert re.search(rf'<input type="checkbox" name="officers" value="{colleague.pk}"[^>]*checked', row)
    assert re.search(rf'<input type="checkbox" name="officers" value="{inspector.pk}"[^>]*checked', row)
    stranger = officer(department=DepartmentFactory(region=booking.region))
    form = SessionForm(booking=booking, user=stranger)  # not offered: not ticked
    assert stranger.pk not in form.initial["officers"]
    services.session_record(booking=booking, actor=inspector)
    booking.refresh_from_db()
    follow_up = _row(client.get(url).text, "officers", "summary")
    assert re.search(rf'<input type="checkbox" name="officers" value="{colleague.pk}"[^>]*checked', follow_up)
    assert not re.search(rf'<input type="checkbox" name="officers" value="{inspector.pk}"[^>]*checked', follow_up)


def test_the_admin_session_form_shows_each_error_under_its_own_field(client):
    booking, inspector, _enterprise = _confirmed()
    client.force_login(inspector)
    url = f"/admin/guidance/booking/{booking.pk}/session/"
    held_at = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    refused = client.post(url, {"mode": "onsite", "held_at": held_at, "summary": "看后厨"})

    assert refused.status_code == 400
    assert refused.context["form"].errors.as_data()["officers"][0].code == "required"
    held_at_row = _row(refused.text, "held_at", "officers")
    officers_row = _row(refused.text, "officers", "summary")
    assert "errorlist" not in held_at_row
    assert 'id="id_officers_error"' in officers_row
    message = refused.context["form"].errors["officers"][0]
    assert officers_row.index("执法人员") < officers_row.index(message)
    assert officers_row.index('name="officers"') < officers_row.index('id="id_officers_error"')
    summary = refused.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#id_officers_row"' in summary and "#id_held_at_row" not in summary
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED


def test_the_admin_session_form_offers_now_before_the_visit_starts_and_says_from_when(client):
    theme = ThemeFactory(title="开办餐饮")
    slot = SlotFactory(themes=[theme], mode=Mode.ONSITE)
    booking = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=EnterpriseFactory().credit_code))
    inspector = officer(department=theme.departments.get())
    services.booking_confirm(booking=booking, actor=coordinator(), officers=[inspector])
    booking.refresh_from_db()
    assert booking.slot.starts_at > timezone.now()
    client.force_login(inspector)
    url = f"/admin/guidance/booking/{booking.pk}/session/"

    before = timezone.localtime()
    page = client.get(url)
    after = timezone.localtime()

    assert page.status_code == 200
    offered = page.context["form"].initial["held_at"]
    assert offered.tzinfo is not None and str(offered.tzinfo) == "Asia/Shanghai"
    assert before.replace(second=0, microsecond=0) <= offered <= after
    assert f'value="{offered:%Y-%m-%dT%H:%M}"' in _row(page.text, "held_at", "officers")
    starts = timezone.localtime(booking.slot.starts_at)
    assert f"自{starts:%Y-%m-%d %H:%M}（预约时段开始）起可记录指导。" in _row(page.text, "held_at", "officers")
    started = visit_started(booking)
    page = client.get(url)
    assert page.context["form"].initial["held_at"] == timezone.localtime(started.slot.starts_at).replace(
        second=0, microsecond=0
    )


def test_the_booking_page_keeps_its_labels_whole_on_a_phone(client):
    """/guidance/manage/<token>/ wrapped its labels one character per line at 390 px ("预/约/编/号"): its summary
    sits in ``.booking-summary``, whose labels do not wrap."""
    booking, _first, _inspector, _enterprise = _held()

    page = client.get(f"/guidance/manage/{services.booking_token(booking)}/")

    assert page.status_code == 200
    assert "guidance/manage.css" in page.text
    summary = page.text.split('<div class="booking-summary">', 1)[1].split("</table>", 1)[0]
    assert "预约编号" in summary and "参与部门" in summary
    css = Path(finders.find("guidance/manage.css")).read_text()
    assert re.search(r"\.booking-summary th\s*\{[^}]*white-space:\s*nowrap[^}]*word-break:\s*keep-all", css)
