"""Booking under contention, over HTTP through gunicorn: 50 concurrent enterprise clients released together,
first spread over 100 fresh slots, then all on one slot. Afterwards every slot's count is checked against
its bookings and its capacity: no overbooking, whatever the interleaving."""

import random
from datetime import timedelta

from django.db.models import Count, Q
from django.utils import timezone

from guidance.models import Booking, Mode, Slot, Theme
from programs.models import Region

from . import dataset
from .endpoints import auth
from .server import Gunicorn, load

CAPACITY = 10


def _fresh_slots(count: int, theme: Theme) -> list[Slot]:
    """New online slots (a later start than any before, so that every run has its own)."""
    latest = Slot.objects.order_by("-starts_at").values_list("starts_at", flat=True).first() or timezone.now()
    start = max(latest, timezone.now() + timedelta(days=100)) + timedelta(hours=1)
    region = Region.objects.get(code=dataset.COUNTY)
    slots = Slot.objects.bulk_create(
        [
            Slot(
                starts_at=start + timedelta(hours=n),
                ends_at=start + timedelta(hours=n, minutes=45),
                mode=Mode.ONLINE,
                capacity=CAPACITY,
                region=region,
            )
            for n in range(count)
        ]
    )
    Slot.themes.through.objects.bulk_create([Slot.themes.through(slot_id=slot.pk, theme_id=theme.pk) for slot in slots])
    return slots


def _body(theme: Theme, slot: Slot) -> dict:
    return {
        "theme": theme.pk,
        "slot": slot.pk,
        "mode": Mode.ONLINE,
        "contact_name": "联系人",
        "contact_phone": "13800000000",
        "consent": True,
    }


def _check(slots: list[Slot]) -> dict:
    """Per slot: the stored count, the open bookings actually in it, and the capacity."""
    rows = Slot.objects.filter(pk__in=[s.pk for s in slots]).annotate(
        open_bookings=Count(
            "bookings", filter=Q(bookings__status__in=[Booking.Status.REQUESTED, Booking.Status.CONFIRMED])
        )
    )
    overbooked = sum(1 for s in rows if s.booked > s.capacity or s.open_bookings > s.capacity)
    mismatched = sum(1 for s in rows if s.booked != s.open_bookings)
    return {
        "bookings_made": sum(s.open_bookings for s in rows),
        "full_slots": sum(1 for s in rows if s.booked == s.capacity),
        "overbooked_slots": overbooked,
        "count_mismatches": mismatched,
    }


def run(*, per_client: int, log=print) -> list[dict]:
    theme = Theme.objects.filter(code__startswith="bench-theme-").order_by("position").first()
    users = [f"bench_client_{n:02d}" for n in range(1, dataset.CLIENTS + 1)]
    headers = {user: auth(user) for user in users}
    results = []
    with Gunicorn() as server:
        server.warm("/api/v1/guidance/themes/", headers[users[0]])
        spread = _fresh_slots(100, theme)
        chooser = random.Random(8)
        clients = [
            {"headers": headers[user], "bodies": [_body(theme, chooser.choice(spread)) for _ in range(per_client)]}
            for user in users
        ]
        outcome = load({"port": server.port, "mode": "write", "path": "/api/v1/guidance/bookings/", "clients": clients})
        results.append(
            {
                "case": f"{len(users)} clients × {per_client} bookings over 100 slots of {CAPACITY}",
                **outcome,
                **_check(spread),
            }
        )
        one = _fresh_slots(1, theme)
        clients = [{"headers": headers[user], "bodies": [_body(theme, one[0])]} for user in users]
        outcome = load({"port": server.port, "mode": "write", "path": "/api/v1/guidance/bookings/", "clients": clients})
        results.append({"case": f"{len(users)} clients at once on one slot of {CAPACITY}", **outcome, **_check(one)})
    for row in results:
        log(
            f"  contention: {row['case']:<48} {row['requests']} requests, statuses {row['statuses']}, "
            f"p50 {row['p50_ms']} p95 {row['p95_ms']} ms, made {row['bookings_made']}, "
            f"overbooked {row['overbooked_slots']}"
        )
    return results
