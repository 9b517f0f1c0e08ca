"""Markets (大市集): an organiser records a market day with the workshops that took part (from any region of
theirs), each with its stalls, revenue and products, and the supply points outside the city it opened. A market
is recorded whole and cancelled with a reason, never rewritten (like an activity)."""

from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import User
from programs.selectors import scope
from programs.services import audit_record, refuse_unknown_fields, transition

from ..models import Market, MarketParticipation, SupplyPoint, Workshop

MARKET_FIELDS = ("title", "held_on", "venues", "organised_by", "visitors")
PARTICIPATION_FIELDS = ("workshop", "stalls", "revenue", "products_offered", "products")
SUPPLY_POINT_FIELDS = ("workshop", "city", "address")


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _check_workshops(workshops: list[Workshop], actor: User | None) -> None:
    """Every workshop taking part is one the recorder sees (their region's); once each."""
    if not workshops:
        raise _refuse("participations", _("Add at least one workshop taking part."), "no_workshop")
    if len({w.pk for w in workshops}) != len(workshops):
        raise _refuse("participations", _("Each workshop takes part once; add its stalls together."), "duplicate")
    if actor is None or actor.is_superuser:
        return
    ids = {w.pk for w in workshops}
    reach = scope(Workshop.objects.filter(pk__in=ids), actor, region="village", enterprise="host_enterprise_id")
    outside = ids - set(reach.values_list("pk", flat=True))
    if outside:
        names = "、".join(w.name for w in workshops if w.pk in outside)
        message = _("These workshops are outside your region: %(names)s.") % {"names": names}
        raise _refuse("participations", message, "workshop_out_of_scope")


def market_record(
    *,
    actor: User | None,
    participations: Iterable[Mapping],
    supply_points: Iterable[Mapping] = (),
    **fields,
) -> Market:
    """Record a market from ``MARKET_FIELDS``, the workshops taking part (each of ``PARTICIPATION_FIELDS``) and
    its supply points outside the city (each of ``SUPPLY_POINT_FIELDS``, for a workshop taking part)."""
    refuse_unknown_fields(fields, MARKET_FIELDS)
    participations, supply_points = [dict(p) for p in participations], [dict(s) for s in supply_points]
    for row in participations:
        refuse_unknown_fields(row, PARTICIPATION_FIELDS)
    for row in supply_points:
        refuse_unknown_fields(row, SUPPLY_POINT_FIELDS)
    market = Market(recorded_by=actor if actor is not None and actor.is_authenticated else None, **fields)
    market.full_clean()
    _check_workshops([row["workshop"] for row in participations], actor)
    taking_part = {row["workshop"].pk for row in participations}
    if any(row["workshop"].pk not in taking_part for row in supply_points):
        message = _("A supply point belongs to a workshop taking part in the market.")
        raise _refuse("supply_points", message, "supply_point_workshop_not_taking_part")
    with transaction.atomic():
        market.save()
        rows = [MarketParticipation(market=market, **row) for row in participations]
        points = [SupplyPoint(market=market, **row) for row in supply_points]
        for row in (*rows, *points):
            row.full_clean(exclude=["market"])
        MarketParticipation.objects.bulk_create(rows)
        SupplyPoint.objects.bulk_create(points)
        audit_record(
            obj=market,
            field="created",
            old="",
            new="",
            actor=actor,
            action="market.record",
            data={
                "workshops": sorted(taking_part),
                "stalls": sum(row.stalls for row in rows),
                "supply_points": len(points),
            },
        )
    return market


def market_cancel(*, market: Market, actor: User, reason: str) -> Market:
    """Whoever recorded a market, or someone whose region holds every workshop taking part, cancels it: a
    market across counties is not cancelled by one county, whose figures are only part of it."""
    if not (actor.is_superuser or market.recorded_by_id == actor.pk):
        workshops = [row.workshop for row in market.participations.select_related("workshop")]
        try:
            _check_workshops(workshops, actor)
        except ValidationError as refused:
            raise PermissionDenied(
                _("This market has workshops outside your region: its recorder or their region cancels it.")
            ) from refused
    return transition(
        instance=market,
        to=True,
        actor=actor,
        allowed={False: [True]},
        reason=reason,
        reason_required=True,
        field="is_cancelled",
        action="market.cancel",
    )
