"""The one sweep style: ``bulk_transition`` moves, audits and tells in one transaction per chunk, once."""

import pytest
from django.db import DatabaseError

from programs.audit import bulk_transition
from programs.models import AuditEntry, ImportJob, Notification
from programs.services import notification_schedule
from tests.factories import coordinator


def queued_jobs(count: int) -> list[ImportJob]:
    user = coordinator()
    return [ImportJob.objects.create(kind="enterprises", status="queued", created_by=user) for _ in range(count)]


def tell(ids):
    for pk in ids:
        notification_schedule(dedupe_key=f"job:{pk}:failed", channel="email", address="staff@example.cn",
                              subject="Import failed", body="…")


@pytest.mark.django_db
def test_a_sweep_moves_audits_and_tells_each_row_once_in_chunks_however_often_it_runs():
    jobs = queued_jobs(7)
    stuck = ImportJob.objects.filter(status="queued")
    moved = bulk_transition(stuck, to="failed", reason="stalled", action="import.fail", chunk=3, after=tell)
    assert sorted(moved) == sorted(job.pk for job in jobs)
    assert bulk_transition(stuck, to="failed", reason="stalled", chunk=3, after=tell) == []
    rows = AuditEntry.objects.filter(action="import.fail")
    assert sorted(rows.values_list("object_id", flat=True)) == sorted(job.pk for job in jobs)
    assert set(rows.values_list("old_value", "new_value", "actor_label")) == {("queued", "failed", "scheduler")}
    assert Notification.objects.count() == 7


@pytest.mark.django_db
def test_a_notice_that_cannot_be_written_undoes_its_chunk_and_nothing_is_lost():
    queued_jobs(2)

    def crash(ids):
        raise DatabaseError("disk full")  # the crash between the change and its notice

    with pytest.raises(DatabaseError):
        bulk_transition(ImportJob.objects.filter(status="queued"), to="failed", reason="stalled", after=crash)
    assert ImportJob.objects.filter(status="queued").count() == 2
    assert not AuditEntry.objects.exists()
    assert len(bulk_transition(ImportJob.objects.filter(status="queued"), to="failed", reason="x", after=tell)) == 2
    assert Notification.objects.count() == 2
