"""The worker's heartbeat: beat sends ``programs.worker_heartbeat`` every 30 s, the worker that takes it writes
the time here, and /healthz reports the worker as down once that time is older than
``WORKER_HEARTBEAT_MAX_AGE``. So a worker that died, hangs, or no longer reads the broker shows, and so does a
beat that stopped sending."""

from datetime import datetime

from django.utils import timezone

from .models import WorkerHeartbeat

WORKER = "worker"


def heartbeat_record(*, hostname: str = "", now: datetime | None = None) -> None:
    """Write that a worker took a task just now (run by the worker, from the periodic heartbeat task)."""
    WorkerHeartbeat.objects.update_or_create(
        name=WORKER, defaults={"beat_at": now or timezone.now(), "hostname": hostname[:200]}
    )


def heartbeat_fresh(*, max_age: int, now: datetime | None = None) -> bool:
    """Whether a worker took the heartbeat task within the last ``max_age`` seconds (never: not fresh)."""
    beat_at = WorkerHeartbeat.objects.filter(name=WORKER).values_list("beat_at", flat=True).first()
    return beat_at is not None and ((now or timezone.now()) - beat_at).total_seconds() <= max_age
