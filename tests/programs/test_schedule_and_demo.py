import pytest
from django.conf import settings
from django.core.management import call_command
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from programs.models import Department, Enterprise, Region, User
from programs.schedule import declared_periodic_tasks, schedule_sync
from programs.validators import validate_credit_code

pytestmark = pytest.mark.django_db


def test_migrate_writes_the_declared_beat_schedule_to_the_database():
    names = set(PeriodicTask.objects.filter(enabled=True).values_list("name", flat=True))
    assert set(declared_periodic_tasks()) <= names


def test_an_interval_changed_in_the_admin_survives_the_next_sync():
    task = PeriodicTask.objects.get(name="Send due notifications")
    task.interval, _ = IntervalSchedule.objects.get_or_create(every=120, period=IntervalSchedule.SECONDS)
    task.save()
    schedule_sync()
    assert PeriodicTask.objects.get(name="Send due notifications").interval.every == 120


def test_a_task_dropped_from_the_declaration_is_disabled():
    interval, _ = IntervalSchedule.objects.get_or_create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="Old sweep", task="programs.old_sweep", interval=interval)
    schedule_sync()
    assert PeriodicTask.objects.get(name="Old sweep").enabled is False


def test_seed_demo_is_idempotent_and_every_code_is_valid():
    call_command("seed_demo", verbosity=0)
    counts = (Region.objects.count(), Department.objects.count(), Enterprise.objects.count(), User.objects.count())
    call_command("seed_demo", verbosity=0)
    assert counts == (
        Region.objects.count(),
        Department.objects.count(),
        Enterprise.objects.count(),
        User.objects.count(),
    )
    assert counts[2] >= 300
    for code in Enterprise.objects.values_list("credit_code", flat=True):
        validate_credit_code(code)
    for role in User.Role.values:
        if role != User.Role.RESIDENT:
            assert User.objects.filter(role=role).exists(), role
    for name in ["舟山市", "宁波市", "杭州市", "庆元县", "安吉县", "鄞州区", "岱山县"]:
        assert Region.objects.filter(name=name).exists(), name


def test_the_demo_names_a_head_who_can_approve_the_market_departments_year_plans():
    call_command("seed_demo", verbosity=0)
    market = Department.objects.get(name="鄞州区市场监督管理局")
    assert market.head is not None and market.head.username == "head_market"
    assert (market.head.role, market.head.department_id) == (User.Role.OFFICER, market.pk)
    assert market.head.check_password(settings.DEMO_PASSWORD)
