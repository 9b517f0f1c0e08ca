"""Service ordering (点单式服务): a community's staff publish services; an enterprise orders places for its
workers, never beyond the service's capacity (the offering's row is locked while places are counted); the
community accepts, delivers and closes; the enterprise rates the service. Every move is audited."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Region, User
from programs.notify import notify_enterprise, notify_user
from programs.roles import Role
from programs.services import audit_record, region_scope_check, transition

from ..models import SERVICE_ORDER_MOVES, ServiceOffering, ServiceOrder

# Who run a community's catalogue and take its orders: its staff, and the coordinators above it.
COMMUNITY_STAFF = (Role.GRID_WORKER, Role.GRID_MANAGER, Role.COORDINATOR)
OFFERING_FIELDS = ("kind", "title", "description", "starts_on", "ends_on", "capacity", "is_published")


def require_community_staff(actor: User, community: Region) -> None:
    """Staff of the community (its region's subtree is theirs) or a superuser."""
    if actor.is_superuser:
        return
    if actor.role not in COMMUNITY_STAFF or actor.region_id is None:
        raise PermissionDenied(_("Only the community's staff can do this."))
    if not community.code.startswith(actor.region.prefix):
        raise PermissionDenied(_("This community is outside your area."))


def _offering_errors(fields: dict) -> dict:
    errors = {}
    starts, ends = fields.get("starts_on"), fields.get("ends_on")
    if isinstance(starts, date) and isinstance(ends, date) and ends < starts:
        errors["ends_on"] = ValidationError(_("The service cannot end before it starts."), code="ends_before_start")
    capacity = fields.get("capacity")
    if capacity is not None and capacity < 1:
        errors["capacity"] = ValidationError(_("Give room for at least one person."), code="capacity_too_small")
    if not str(fields.get("title", "x")).strip():
        errors["title"] = ValidationError(_("Give the service a title."), code="required")
    return errors


def offering_publish(*, community: Region, actor: User, **fields) -> ServiceOffering:
    """Publish a service in a community's catalogue."""
    unknown = sorted(set(fields) - set(OFFERING_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    require_community_staff(actor, community)
    region_scope_check(region=community, actor=actor, field="community")
    errors = _offering_errors(fields)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        offering = ServiceOffering(community=community, created_by=actor, **fields)
        offering.full_clean(exclude=["created_by"])
        offering.save()
        audit_record(
            obj=offering,
            field="is_published",
            old="",
            new=str(offering.is_published),
            actor=actor,
            action="offering.publish",
            data={"capacity": offering.capacity},
        )
    return offering


def offering_update(*, offering: ServiceOffering, actor: User, **fields) -> ServiceOffering:
    """Change a service; its capacity never goes below the places already ordered."""
    unknown = sorted(set(fields) - set(OFFERING_FIELDS))
    if unknown:
        raise ValidationError({name: _("This field cannot be set here.") for name in unknown})
    require_community_staff(actor, offering.community)
    with transaction.atomic():
        locked = ServiceOffering.objects.select_for_update().get(pk=offering.pk)
        merged = {name: getattr(locked, name) for name in OFFERING_FIELDS} | fields
        errors = _offering_errors(merged)
        if merged["capacity"] < locked.booked:
            errors["capacity"] = ValidationError(
                _("%(n)s places are already ordered: the capacity cannot be lower.") % {"n": locked.booked},
                code="capacity_below_ordered",
            )
        if errors:
            raise ValidationError(errors)
        old = {name: str(getattr(locked, name)) for name in fields}
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=list(fields))
        audit_record(
            obj=locked,
            field="updated",
            old="",
            new="",
            actor=actor,
            action="offering.update",
            data={"old": old, "new": {name: str(value) for name, value in fields.items()}},
        )
    return locked


def enterprise_may_order(offering: ServiceOffering, enterprise) -> bool:
    """A community serves the enterprises of its own place and of its street (town)."""
    region = enterprise.region
    return region.pk == offering.community_id or (
        region.parent_id is not None and region.parent_id == offering.community.parent_id
    )


def order_place(
    *, offering: ServiceOffering, people: int, actor: User, note: str = "", enterprise=None
) -> ServiceOrder:
    """An enterprise orders ``people`` places. The offering's row is locked while the places are counted, so
    orders placed at the same instant never pass its capacity together."""
    if actor.role == Role.ENTERPRISE:
        if not actor.enterprise_id:
            raise PermissionDenied(_("Your account is not linked to an enterprise."))
        enterprise = actor.enterprise
    else:
        require_community_staff(actor, offering.community)  # staff order on an enterprise's behalf (by phone)
        if enterprise is None:
            raise ValidationError({"enterprise": ValidationError(_("Choose the enterprise."), code="required")})
    if people is None or people < 1:
        raise ValidationError({"people": ValidationError(_("Order for at least one person."), code="too_few")})
    if not enterprise_may_order(offering, enterprise):
        raise ValidationError(
            {"offering": ValidationError(_("This service is for another community's enterprises."), code="not_yours")}
        )
    with transaction.atomic():
        locked = ServiceOffering.objects.select_for_update().get(pk=offering.pk)
        if not locked.is_published or locked.ends_on < timezone.localdate():
            raise ValidationError(
                {"offering": ValidationError(_("This service is not taking orders."), code="not_open")}
            )
        if locked.booked + people > locked.capacity:
            raise ValidationError(
                {
                    "people": ValidationError(
                        _("Only %(free)s places are left.") % {"free": locked.free}, code="over_capacity"
                    )
                }
            )
        ServiceOffering.objects.filter(pk=locked.pk).update(booked=F("booked") + people)
        order = ServiceOrder.objects.create(
            offering=locked, enterprise=enterprise, people=people, note=note, ordered_by=actor
        )
        audit_record(
            obj=order,
            field="status",
            old="",
            new=order.status,
            actor=actor,
            action="order.place",
            data={"people": people, "offering": locked.pk},
        )
        _tell_community(order, locked)
    return order


def _tell_community(order: ServiceOrder, offering: ServiceOffering) -> None:
    """The community's own staff hear of a new order (in the app, once per order and person)."""
    staff = User.objects.filter(
        role__in=[Role.GRID_WORKER, Role.GRID_MANAGER],
        is_active=True,
        region__code__in=_codes_above(offering.community),
    ).order_by("pk")
    for person in staff:
        notify_user(
            user=person,
            key=f"inspections:order:{order.pk}:placed:{person.pk}",
            subject=_("New order: %(service)s") % {"service": offering.title},
            body=_("%(enterprise)s ordered %(people)s places.")
            % {"enterprise": order.enterprise.name, "people": order.people},
        )


def _codes_above(region: Region) -> set[str]:
    return {region.code[:n].ljust(12, "0") for n in Region.PREFIX_LENGTH.values()}


def _release(order: ServiceOrder) -> None:
    ServiceOffering.objects.filter(pk=order.offering_id).update(booked=F("booked") - order.people)


def _tell_enterprise(order: ServiceOrder, what: str, subject: str) -> None:
    notify_enterprise(
        enterprise_id=order.enterprise_id,
        key=f"inspections:order:{order.pk}:{what}",
        subject=subject,
        body=subject,
    )


def order_accept(*, order: ServiceOrder, actor: User) -> ServiceOrder:
    require_community_staff(actor, order.offering.community)
    with transaction.atomic():
        order = transition(
            instance=order,
            to=ServiceOrder.Status.ACCEPTED,
            actor=actor,
            allowed=SERVICE_ORDER_MOVES,
            changes={"accepted_at": timezone.now()},
            action="order.accept",
        )
        _tell_enterprise(order, "accepted", _("Your order of “%(s)s” is accepted.") % {"s": order.offering.title})
    return order


def order_decline(*, order: ServiceOrder, actor: User, reason: str) -> ServiceOrder:
    require_community_staff(actor, order.offering.community)
    with transaction.atomic():
        order = transition(
            instance=order,
            to=ServiceOrder.Status.DECLINED,
            actor=actor,
            allowed=SERVICE_ORDER_MOVES,
            reason=reason,
            reason_required=True,
            changes={"reason": reason},
            action="order.decline",
        )
        _release(order)
        _tell_enterprise(order, "declined", _("Your order of “%(s)s” is declined.") % {"s": order.offering.title})
    return order


def order_cancel(*, order: ServiceOrder, actor: User, reason: str = "") -> ServiceOrder:
    """The enterprise (its own order) or the community cancels before delivery; the places are freed."""
    if actor.role == Role.ENTERPRISE:
        if actor.enterprise_id != order.enterprise_id:
            raise PermissionDenied(_("This is another enterprise's order."))
    else:
        require_community_staff(actor, order.offering.community)
    with transaction.atomic():
        order = transition(
            instance=order,
            to=ServiceOrder.Status.CANCELLED,
            actor=actor,
            allowed=SERVICE_ORDER_MOVES,
            reason=reason,
            changes={"reason": reason},
            action="order.cancel",
        )
        _release(order)
    return order


def order_deliver(*, order: ServiceOrder, actor: User, people_served: int | None = None) -> ServiceOrder:
    """The service was given: how many people it served (the places ordered unless told)."""
    require_community_staff(actor, order.offering.community)
    served = order.people if people_served is None else people_served
    if served < 0 or served > order.people:
        raise ValidationError(
            {
                "people_served": ValidationError(
                    _("Between 0 and the %(n)s places ordered.") % {"n": order.people}, code="out_of_range"
                )
            }
        )
    with transaction.atomic():
        order = transition(
            instance=order,
            to=ServiceOrder.Status.DELIVERED,
            actor=actor,
            allowed=SERVICE_ORDER_MOVES,
            changes={"delivered_at": timezone.now(), "people_served": served},
            action="order.deliver",
        )
        _tell_enterprise(order, "delivered", _("“%(s)s” was delivered: please rate it.") % {"s": order.offering.title})
    return order


def order_close(*, order: ServiceOrder, actor: User) -> ServiceOrder:
    require_community_staff(actor, order.offering.community)
    return transition(
        instance=order,
        to=ServiceOrder.Status.CLOSED,
        actor=actor,
        allowed=SERVICE_ORDER_MOVES,
        changes={"closed_at": timezone.now()},
        action="order.close",
    )


def order_rate(*, order: ServiceOrder, actor: User, rating: int, feedback: str = "") -> ServiceOrder:
    """The enterprise rates a delivered (or closed) service once."""
    if actor.role != Role.ENTERPRISE or actor.enterprise_id != order.enterprise_id:
        raise PermissionDenied(_("Only the enterprise that ordered rates the service."))
    if rating not in range(1, 6):
        raise ValidationError({"rating": ValidationError(_("Rate from 1 to 5."), code="out_of_range")})
    with transaction.atomic():
        locked = ServiceOrder.objects.select_for_update().get(pk=order.pk)
        if locked.status not in (ServiceOrder.Status.DELIVERED, ServiceOrder.Status.CLOSED):
            raise ValidationError(
                {"rating": ValidationError(_("Rate a service once it is delivered."), code="not_delivered")}
            )
        if locked.rating is not None:
            raise ValidationError({"rating": ValidationError(_("This service is rated already."), code="rated")})
        locked.rating, locked.feedback = rating, feedback
        locked.save(update_fields=["rating", "feedback"])
        audit_record(obj=locked, field="rating", old="", new=str(rating), actor=actor, action="order.rate")
    return locked
