"""Job offers (岗位推送, 用工直通车): a position that opens, reopens or changes while open sends one offer to each
matching resident, by SMS and in the app, low-income and disabled residents first; once per resident and
position, ever.

The position's service starts an ``OfferRound`` in its own transaction and sends ``workshops.send_job_offers``
once that commits; the task claims the round and inserts the offers with ``INSERT … ON CONFLICT DO NOTHING``
against the unique (position, resident) pair, so two rounds at once (two workers, a retried task, a position
saved twice) make each offer once, and only the round that made an offer texts it (its outbox rows commit
with it). A round whose task was lost is sent again by ``workshops.requeue_stalled_offer_rounds``."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Notification, User
from programs.queue import enqueue_on_commit
from programs.services import audit_record

from ..circle import travel_minutes_from
from ..models import JobOffer, OfferRound, Position, Registration, Resident, Workshop
from .sweeps import _outbox_bulk

SEND_TASK = "workshops.send_job_offers"
# A round not done this long after it was started lost its task: the sweep sends it again.
STALLED_AFTER = timedelta(minutes=2)


def offer_round_start(*, position: Position, reason: str) -> OfferRound:
    """Call inside the transaction that opened (or reopened, or changed) the position: the offers go out once
    it commits."""
    offer_round = OfferRound.objects.create(position=position, reason=reason)
    enqueue_on_commit(SEND_TASK, offer_round.pk)
    return offer_round


def _takes_registrations(position: Position) -> bool:
    today = timezone.localdate()
    return (
        position.status == Position.Status.OPEN
        and position.workshop.status == Workshop.Status.OPEN
        and position.accepted_count < position.openings
        and not (position.seasonal_end and position.seasonal_end < today)
    )


def residents_to_offer(position: Position) -> list[tuple[Resident, int]]:
    """The residents a position fits, with their travel time, in the order they are offered it: low-income and
    disabled residents first, then the nearest. Fit: they wish to work, in this category (no wish = any), live in
    its 15-minute circle, can be reached (a phone or an account), have no active registration for it and have not
    been offered it before."""
    circle = travel_minutes_from(position.workshop.village)
    registered = Registration.objects.filter(position=position, status__in=Registration.ACTIVE)
    candidates = (
        Resident.objects.filter(village_id__in=list(circle), wants_work=True)
        .exclude(pk__in=registered.values("resident"))
        .exclude(pk__in=JobOffer.objects.filter(position=position).values("resident"))
        .order_by("pk")
    )
    fitting = [
        (resident, circle[resident.village_id])
        for resident in candidates
        if (not resident.wished_categories or position.category in resident.wished_categories)
        and (resident.phone or resident.user_id)
    ]
    return sorted(fitting, key=lambda pair: (not _first(pair[0]), pair[1], pair[0].pk))


def _first(resident: Resident) -> bool:
    # 由村社党组织统筹优先安排: low-income households and disabled people hear of a position first.
    return resident.is_low_income or resident.has_disability


def job_offers_send(*, offer_round_id: int, now: datetime | None = None) -> int:
    """Send a round's offers; returns how many it made. A round already done (a retried or duplicated task)
    makes none."""
    now = now or timezone.now()
    with transaction.atomic():
        offer_round = (
            OfferRound.objects.select_for_update()
            .filter(pk=offer_round_id, done_at__isnull=True)
            .select_related("position__workshop__village")
            .first()
        )
        if offer_round is None:
            return 0
        position = offer_round.position
        later = now + timedelta(minutes=settings.WORKSHOPS_OFFER_HEAD_START_MINUTES)
        matched = residents_to_offer(position) if _takes_registrations(position) else []
        # Inserted in resident order, whatever the rank, so that two rounds at once never wait on each other
        # in opposite orders; the head start, not the insert order, puts the first ones first.
        rows = [
            JobOffer(
                position=position,
                resident=resident,
                offer_round=offer_round,
                travel_minutes=minutes,
                priority=_first(resident),
                offered_at=now if _first(resident) else later,
                created_at=now,
            )
            for resident, minutes in sorted(matched, key=lambda pair: pair[0].pk)
        ]
        JobOffer.objects.bulk_create(rows, ignore_conflicts=True)
        made = list(
            JobOffer.objects.filter(offer_round=offer_round)
            .select_related("resident")
            .order_by("-priority", "travel_minutes", "resident_id")
        )
        _outbox_bulk([message for offer in made for message in _offer_messages(offer, position)])
        offer_round.done_at = now
        offer_round.offers_made = len(made)
        offer_round.save(update_fields=["done_at", "offers_made"])
        audit_record(
            obj=offer_round,
            field="done_at",
            old="",
            new=str(len(made)),
            actor=None,
            action="job_offers.send",
            data={"position": position.pk, "offers": len(made), "first": sum(o.priority for o in made)},
        )
    return len(made)


def _offer_messages(offer: JobOffer, position: Position) -> list[Notification]:
    """The offer's SMS (to the resident's phone) and in-app notice (to their account), keyed by resident and
    position. Names the position, the workshop, the pay and the way, never personal data."""
    resident = offer.resident
    link = settings.GUIDANCE_SITE_URL + reverse("workshops:position", kwargs={"pk": position.pk})
    values = {
        "workshop": position.workshop.name,
        "position": position.title,
        "minutes": offer.travel_minutes,
        "pay": f"{position.pay_amount:.0f}",
        "unit": position.get_pay_unit_display(),
        "link": link,
    }
    subject = _("A position near you: %(position)s") % values
    body = (
        _("%(workshop)s, about %(minutes)s minutes from your village, is hiring: “%(position)s”, %(pay)s yuan "
          "%(unit)s. See it and register: %(link)s")
        % values
    )  # fmt: skip
    key = f"workshops:offer:{position.pk}:{resident.pk}"
    messages = []
    if resident.phone:
        messages.append(
            Notification(
                dedupe_key=f"{key}:sms",
                channel=Notification.Channel.SMS,
                address=resident.phone,
                subject=subject[:200],
                body=body,
                due_at=offer.offered_at,
            )
        )
    if resident.user_id:
        messages.append(
            Notification(
                dedupe_key=key,
                channel=Notification.Channel.IN_APP,
                recipient_id=resident.user_id,
                subject=subject[:200],
                body=body,
                due_at=offer.offered_at,
            )
        )
    return messages


def stalled_offer_rounds(*, now: datetime | None = None) -> QuerySet[OfferRound]:
    """Rounds started a while ago and not done: their task was lost (a broker outage, a killed worker)."""
    now = now or timezone.now()
    return OfferRound.objects.filter(done_at__isnull=True, created_at__lt=now - STALLED_AFTER)


def job_offer_mark_seen(*, offer: JobOffer, actor: User) -> JobOffer:
    """The resident opened the offer (not a status change: no audit row). Once: the first time is kept."""
    JobOffer.objects.filter(pk=offer.pk, seen_at__isnull=True).update(seen_at=timezone.now())
    offer.refresh_from_db(fields=["seen_at"])
    return offer
