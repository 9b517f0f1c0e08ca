"""Two beat schedulers running at once by mistake: every time-based transition is still applied once."""

import re
import time
from collections import Counter
from datetime import time as dt_time
from datetime import timedelta

import pytest
import redis
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask, PeriodicTasks

from guidance.models import Booking, Mode, Slot, SlotTemplate
from inspections import services as inspections
from inspections.grades import DEFAULT_POLICY
from inspections.models import Finding, GradeChange, ObservationPeriod
from programs.models import AuditEntry, Enterprise, Grade, Notification
from programs.schedule import schedule_sync
from programs.services import notification_schedule
from tests.cast import Cast
from tests.conftest import CeleryWorker, redis_url, wait_until
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, region_tree
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory
from tests.inspections.factories import InspectionFactory
from tests.sms_gateway import calls
from tests.workshops.factories import RegistrationFactory, grid_worker, village
from workshops.models import Registration

from .helpers import CeleryBeat

# task → seconds between runs while the test lasts (in production: 30 s to an hour)
SWEEPS = {
    "programs.send_due_notifications": 1,
    "guidance.escalate_unconfirmed_bookings": 2,
    "guidance.generate_slots": 2,
    "workshops.expire_registrations": 2,
    "workshops.remind_waiting_registrations": 2,
    "inspections.expire_observation_periods": 2,
    "inspections.reconcile_grades": 2,
}
OVERLAP_SECONDS = 8  # both beats keep firing this long after the last transition


def sweeps_every_second_or_two():
    """The schedule as `migrate` writes it, with the sweeps under test sped up and every other task off."""
    schedule_sync()
    for task, seconds in SWEEPS.items():
        interval, _ = IntervalSchedule.objects.get_or_create(every=seconds, period=IntervalSchedule.SECONDS)
        assert PeriodicTask.objects.filter(task=task).update(interval=interval, enabled=True, last_run_at=None) == 1
    PeriodicTask.objects.exclude(task__in=SWEEPS).update(enabled=False)
    PeriodicTasks.update_changed()


def unconfirmed_bookings(count: int) -> list[Booking]:
    """Bookings made a day and an hour ago that nobody has confirmed: each is escalated once."""
    slot = SlotFactory(capacity=count)
    bookings = [
        BookingFactory(slot=slot, contact_phone=f"1390000{n:04d}", contact_email=f"b{n}@example.cn")
        for n in range(count)
    ]
    Booking.objects.filter(slot=slot).update(created_at=timezone.now() - timedelta(hours=25))
    return bookings


def weekly_template() -> SlotTemplate:
    """A weekly slot from tomorrow on: the generator makes one slot per week ahead, once each."""
    template = SlotTemplate.objects.create(
        weekday=(timezone.localdate().weekday() + 1) % 7,
        start_time=dt_time(9),
        end_time=dt_time(11),
        mode=Mode.ONSITE,
        capacity=3,
        region=region_tree()["county"],
    )
    template.themes.set([ThemeFactory()])
    return template


def forgotten_registrations(count: int) -> list[Registration]:
    """Registrations nobody acted on for longer than the expiry policy: each expires once, with one SMS."""
    long_ago = timezone.now() - timedelta(days=31)
    return [RegistrationFactory(status="recommended", status_changed_at=long_ago) for _ in range(count)]


def waiting_registrations(count: int) -> list[Registration]:
    """Registrations waiting five days for a home visit: the village's grid worker is reminded once of each."""
    grid_worker(region=village())
    five_days_ago = timezone.now() - timedelta(days=5)
    return [RegistrationFactory(status="submitted", status_changed_at=five_days_ago) for _ in range(count)]


def ended_observation_periods(count: int) -> list[ObservationPeriod]:
    """Observation periods that ended yesterday, the first half rectified in time, the rest not."""
    cast = Cast()
    periods = []
    for n in range(count):
        enterprise = EnterpriseFactory(is_four_new=True)
        enterprise_user(enterprise)
        inspection = InspectionFactory(cast=cast, enterprise=enterprise)
        finding = inspections.finding_record(
            inspection=inspection,
            item=inspection.items.first(),
            severity=Finding.Severity.GENERAL,
            description="新业态备案材料不全",
            deadline=timezone.localdate() + timedelta(days=10),
            actor=cast.market_officer,
        )
        periods.append(inspections.observation_open(finding=finding, days=10, actor=cast.market_officer))
        if n < count // 2:
            inspections.finding_reinspect(finding=finding, actor=cast.market_officer, rectified=True)
    ObservationPeriod.objects.update(ends_on=timezone.localdate() - timedelta(days=1))
    return periods


def overdue_findings(periods: list[ObservationPeriod]) -> list[int]:
    """The open findings of those periods are also long past their deadline: their enterprises turn red, once.
    Returns the enterprises' ids."""
    open_ones = Finding.objects.filter(observation_period__in=periods).exclude(status=Finding.Status.RECTIFIED)
    grace = DEFAULT_POLICY[Grade.YELLOW][2]
    open_ones.update(deadline=timezone.localdate() - timedelta(days=grace + 5))
    return list(open_ones.values_list("enterprise_id", flat=True))


def due_reminders(count: int) -> list[str]:
    keys = [f"two-beats:{n}" for n in range(count)]
    for key in keys:
        notification_schedule(dedupe_key=key, channel="sms", address="13800000000", subject="提醒", body="明天上门指导")
    return keys


def audit_rows(model, pk: int, **filters) -> int:
    content_type = ContentType.objects.get_for_model(model)
    return AuditEntry.objects.filter(content_type=content_type, object_id=pk, **filters).count()


def email_keys(mail_dir) -> list[str]:
    text = "".join(p.read_text() for p in mail_dir.iterdir()) if mail_dir.exists() else ""
    return re.findall(r"^X-Notification-Key: (\S+)$", text, re.M)


def everything_applied(template: SlotTemplate, overdue: list[int]) -> bool:
    return not (
        Booking.objects.filter(status="requested", escalated_at__isnull=True).exists()
        or Registration.objects.filter(status="recommended").exists()
        or Slot.objects.filter(template=template).count() < settings.GUIDANCE_SLOT_WEEKS_AHEAD
        or Enterprise.objects.filter(pk__in=overdue).exclude(grade=Grade.RED).exists()
        or not Notification.objects.filter(dedupe_key__contains=":remind:").exists()
        or ObservationPeriod.objects.filter(status="open").exists()
        or Notification.objects.filter(status="pending", due_at__lte=timezone.now()).exists()
    )


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_two_beats_at_once_apply_each_time_based_transition_once(tmp_path, settings):
    county_coordinator = coordinator()
    bookings = unconfirmed_bookings(20)
    registrations = forgotten_registrations(20)
    waiting = waiting_registrations(10)
    template = weekly_template()
    periods = ended_observation_periods(4)
    overdue = overdue_findings(periods)
    reminders = due_reminders(50)
    sweeps_every_second_or_two()
    broker = redis.Redis.from_url(redis_url())
    broker.delete("celery")  # nothing left over from another run in the default queue

    mail_dir, gateway = tmp_path / "mail", tmp_path / "sms.log"
    worker = CeleryWorker(
        queue="celery",  # where beat sends
        log_path=tmp_path / "worker.log",
        concurrency=4,
        extra_env={
            "EMAIL_URL": f"filemail://{mail_dir}",
            "SMS_BACKEND": "tests.sms_gateway.FileGateway",
            "SMS_GATEWAY_FILE": str(gateway),
        },
    )
    beats = [CeleryBeat(name=f"beat-{n}", folder=tmp_path) for n in (1, 2)]
    try:
        wait_until(lambda: everything_applied(template, overdue), timeout=90, message="every transition applied")
        time.sleep(OVERLAP_SECONDS)  # both beats go on sending every sweep, again and again
        assert all(beat.running() for beat in beats)
        for beat in beats:  # both really did
            for task in SWEEPS:
                assert beat.sent(task) >= 3, (beat.log_path.name, task, beat.log_path.read_text()[-2000:])
    finally:
        for beat in beats:
            beat.stop()
        try:
            wait_until(lambda: broker.llen("celery") == 0, timeout=60, message="the worker to drain the queue")
        finally:
            worker.stop()

    worker_log = (tmp_path / "worker.log").read_text(errors="replace")
    assert "Traceback" not in worker_log, "no sweep failed on the way, not even one retried by the next tick"
    escalation_told = Notification.objects.filter(recipient=county_coordinator)
    for booking in bookings:
        assert audit_rows(Booking, booking.pk, field="escalated") == 1
        assert escalation_told.filter(dedupe_key__startswith=f"guidance:booking:{booking.pk}:escalated").count() == 1
    for registration in registrations:
        registration.refresh_from_db()
        assert registration.status == "expired"
        assert audit_rows(Registration, registration.pk, field="status", new_value="expired") == 1
    for registration in waiting:
        reminded = Notification.objects.filter(dedupe_key__startswith=f"workshops:registration:{registration.pk}:")
        assert reminded.filter(dedupe_key__contains=":remind:").count() == 1
    assert Slot.objects.filter(template=template).count() == settings.GUIDANCE_SLOT_WEEKS_AHEAD
    for enterprise_id in overdue:
        assert Enterprise.objects.get(pk=enterprise_id).grade == Grade.RED
        assert GradeChange.objects.filter(enterprise_id=enterprise_id, new_grade=Grade.RED).count() == 1
        assert audit_rows(Enterprise, enterprise_id, field="grade", new_value=Grade.RED) == 1
    sweep_changes = Counter(GradeChange.objects.filter(cause="sweep").values_list("enterprise_id", flat=True))
    assert set(sweep_changes.values()) == {1}, "the sweep moved no enterprise twice"
    for n, period in enumerate(periods):
        period.refresh_from_db()
        rectified = n < len(periods) // 2
        assert period.status == ("closed_no_penalty" if rectified else "flagged")
        assert audit_rows(ObservationPeriod, period.pk, field="status") == 1
        assert audit_rows(Finding, period.finding_id, field="decision", new_value="no_penalty") == int(rectified)

    texts = Counter(calls(gateway))
    expected_texts = {
        *reminders,
        *(f"guidance:booking:{b.pk}:booked:sms" for b in bookings),
        *(f"workshops:registration:{r.pk}:expired" for r in registrations),
    }
    assert set(texts) == expected_texts
    assert set(texts.values()) == {1}, "no text message handed to the gateway twice"
    emails = Counter(email_keys(mail_dir))
    assert set(emails) == {f"guidance:booking:{b.pk}:booked:email" for b in bookings}
    assert set(emails.values()) == {1}
