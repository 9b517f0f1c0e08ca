"""Enterprise requests (企业诉求): filed by the enterprise or, on its behalf, by staff who serve it (its grid
manager); routed by the routing table (category × region) to a department or a community with an owner and a
deadline; the handlers reminded before it, the department head (or the community's coordinators) told once
when it passes; answered, and rated by the enterprise."""

import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Enterprise, Notification, Region, User
from programs.notify import notify_enterprise, notify_user
from programs.roles import ENTERPRISE_SERVICE
from programs.selectors import enterprise_list
from programs.services import audit_record, bulk_transition, notification_schedule, notifications_cancel, transition

from ..models import OPEN_REQUEST_STATUSES, REQUEST_MOVES, EnterpriseRequest, RequestCategory, RequestRoute

DEFAULT_RESPONSE_DAYS = 5
REMIND_BEFORE = timedelta(days=1)
Status = EnterpriseRequest.Status


def _new_reference() -> str:
    return f"Q{timezone.localdate():%y%m%d}-{secrets.token_hex(3).upper()}"


def request_key(request: EnterpriseRequest) -> str:
    return f"inspections:request:{request.pk}:"


def _ancestor_codes(region: Region) -> set[str]:
    return {region.code[:n].ljust(12, "0") for n in Region.PREFIX_LENGTH.values()}


def request_route_for(*, enterprise: Enterprise, category: str) -> RequestRoute | None:
    """The most specific active route: the deepest region containing the enterprise's, a named category before
    a route for any category."""
    routes = RequestRoute.objects.filter(
        is_active=True, region__code__in=_ancestor_codes(enterprise.region), category__in=[category, ""]
    ).select_related("region", "department", "community", "owner")
    return max(routes, key=lambda r: (Region.PREFIX_LENGTH[r.region.level], r.category == category), default=None)


def _region_staff(region: Region, roles) -> list[User]:
    """Staff of ``roles`` whose region contains ``region`` (its own, its town's, its county's …)."""
    return list(
        User.objects.filter(role__in=roles, is_active=True, region__code__in=_ancestor_codes(region)).order_by("pk")
    )


def request_handlers(request: EnterpriseRequest) -> list[User]:
    """Who is told of a new request and reminded of it: its owner; without one, the department's head (without a
    head, the coordinators over the enterprise), or the community's coordinators and grid workers."""
    if request.owner_id:
        return [request.owner]
    if request.department_id:
        head = request.department.head
        if head is not None and head.is_active:
            return [head]
        return _region_staff(request.enterprise.region, (User.Role.COORDINATOR,))  # nobody is left unaware
    return _region_staff(request.community, (User.Role.COORDINATOR, User.Role.GRID_WORKER))


def request_escalation_recipients(request: EnterpriseRequest) -> list[User]:
    """Who hears of a late request: the department's head, or the coordinators over the community."""
    if request.department_id and request.department.head_id and request.department.head.is_active:
        return [request.department.head]
    return _region_staff(request.community or request.enterprise.region, (User.Role.COORDINATOR,))


def may_handle(actor: User, request: EnterpriseRequest) -> bool:
    """The owner, an officer of the responsible department, the coordinators over the enterprise, or (for a
    community's request) the community's grid staff."""
    if actor.is_superuser or (actor.pk is not None and actor.pk == request.owner_id):
        return True
    if not actor.is_active or actor.region_id is None:
        return False
    inside = request.enterprise.region.code.startswith(actor.region.prefix)
    if actor.role == User.Role.COORDINATOR:
        return inside
    if request.department_id:
        return actor.role == User.Role.OFFICER and actor.department_id == request.department_id
    community = request.community or request.enterprise.region
    return actor.role in (User.Role.GRID_WORKER, User.Role.GRID_MANAGER) and community.code.startswith(
        actor.region.prefix
    )


def _require_handler(actor: User, request: EnterpriseRequest) -> None:
    if not may_handle(actor, request):
        raise PermissionDenied(_("Only the request's owner or its department or community handles it."))


def _require_filer(actor: User, enterprise: Enterprise) -> str:
    """The channel of a request ``actor`` files for ``enterprise``, or a refusal: an enterprise files its own; a
    grid manager or coordinator only for an enterprise they serve (in their grids or area)."""
    if actor.is_authenticated and actor.role == User.Role.ENTERPRISE:
        if actor.enterprise_id != enterprise.pk:
            raise PermissionDenied(_("An enterprise files requests for itself only."))
        return EnterpriseRequest.Channel.ONLINE
    if not (actor.is_superuser or actor.role in ENTERPRISE_SERVICE):
        raise PermissionDenied(_("Your role does not allow this."))
    if not enterprise_list(user=actor).filter(pk=enterprise.pk).exists():
        raise ValidationError(
            {"enterprise": ValidationError(_("This enterprise is not one you serve."), code="enterprise_out_of_scope")}
        )
    return EnterpriseRequest.Channel.GRID


def request_file(
    *,
    enterprise: Enterprise,
    category: str,
    title: str,
    description: str,
    actor: User,
    channel: str = "",
    submission_key: str = "",
) -> EnterpriseRequest:
    """File a request and route it. A double submit (the same ``submission_key`` for the same
    enterprise) returns the first one; the key is unique per enterprise, so another enterprise's key files anew."""
    default_channel = _require_filer(actor, enterprise)
    if category not in RequestCategory.values:
        raise ValidationError({"category": ValidationError(_("Choose one of the categories."), code="invalid_choice")})
    if not title.strip() or not description.strip():
        raise ValidationError({"description": ValidationError(_("Say what is needed."), code="required")})
    if channel and channel not in EnterpriseRequest.Channel.values:
        raise ValidationError({"channel": ValidationError(_("Choose one of the channels."), code="invalid_choice")})
    if EnterpriseRequest.Channel.ONLINE in (channel, default_channel):
        channel = default_channel  # an enterprise files online; staff file on its behalf, never as the enterprise
    if submission_key:
        earlier = EnterpriseRequest.objects.filter(submission_key=submission_key, enterprise=enterprise).first()
        if earlier is not None:
            return earlier
    route = request_route_for(enterprise=enterprise, category=category)
    now = timezone.now()
    days = route.response_days if route else DEFAULT_RESPONSE_DAYS
    try:
        with transaction.atomic():
            request = EnterpriseRequest.objects.create(
                reference=_new_reference(),
                enterprise=enterprise,
                category=category,
                title=title.strip(),
                description=description.strip(),
                channel=channel or default_channel,
                filed_by=actor,
                created_at=now,
                route=route,
                department=route.department if route else None,
                community=_community(route, enterprise),
                owner=route.owner if route and route.owner and route.owner.is_active else None,
                due_at=now + timedelta(days=days),
                submission_key=submission_key,
            )
            audit_record(
                obj=request,
                field="created",
                old="",
                new=request.status,
                actor=actor,
                action="request.file",
                data={"route": route.pk if route else None, "channel": request.channel},
            )
            _tell_on_filing(request)
    except IntegrityError:
        if submission_key:
            earlier = EnterpriseRequest.objects.filter(submission_key=submission_key, enterprise=enterprise).first()
            if earlier is not None:
                return earlier
        raise
    return request


def _community(route: RequestRoute | None, enterprise: Enterprise) -> Region | None:
    """The community a request goes to: the route's; without a route, the enterprise's own (whose coordinators
    pass it on)."""
    if route is None:
        return enterprise.region
    return None if route.department_id else route.community


def _tell_on_filing(request: EnterpriseRequest) -> None:
    key = request_key(request)
    enterprise = request.enterprise
    notify_enterprise(
        enterprise_id=enterprise.pk,
        key=f"{key}received",
        subject=_("Request %(ref)s received") % {"ref": request.reference},
        body=_("Your request “%(title)s” was received; you will have an answer by %(due)s.")
        % {"title": request.title, "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M")},
        email=enterprise.contact_email,
    )
    for handler in request_handlers(request):
        _remind(handler, request)


def _remind(handler: User, request: EnterpriseRequest) -> None:
    key = request_key(request)
    due = timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M")
    notify_user(
        user=handler,
        key=f"{key}new:{handler.pk}",
        subject=_("New enterprise request %(ref)s") % {"ref": request.reference},
        body=_("%(enterprise)s asks: “%(title)s”. Answer by %(due)s.")
        % {"enterprise": request.enterprise.name, "title": request.title, "due": due},
    )
    notify_user(
        user=handler,
        key=f"{key}reminder:{handler.pk}",
        subject=_("Reminder: request %(ref)s is due on %(due)s") % {"ref": request.reference, "due": due},
        body=_("Please answer %(enterprise)s's request “%(title)s”.")
        % {"enterprise": request.enterprise.name, "title": request.title},
        due_at=max(request.due_at - REMIND_BEFORE, timezone.now()),
    )


def request_accept(*, request: EnterpriseRequest, actor: User) -> EnterpriseRequest:
    """A handler takes the request on; it becomes theirs when it has no owner yet."""
    _require_handler(actor, request)
    changes = {} if request.owner_id else {"owner": actor}
    return transition(
        instance=request,
        to=Status.IN_PROGRESS,
        actor=actor,
        allowed=REQUEST_MOVES,
        changes=changes,
        action="request.accept",
    )


def request_assign(*, request: EnterpriseRequest, owner: User, actor: User) -> EnterpriseRequest:
    """Give the request to another handler (of its department or community), who is told and reminded."""
    _require_handler(actor, request)
    if not may_handle(owner, request) or owner.role == User.Role.ENTERPRISE:
        raise ValidationError(
            {"owner": ValidationError(_("The owner must be one who handles this request."), code="not_a_handler")}
        )
    with transaction.atomic():
        locked = EnterpriseRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status not in OPEN_REQUEST_STATUSES:
            raise ValidationError(_("Only an open request can be given to someone."), code="request_closed")
        old = locked.owner_id
        locked.owner = owner
        locked.save(update_fields=["owner"])
        audit_record(obj=locked, field="owner", old=old or "", new=owner.pk, actor=actor, action="request.assign")
        _remind(owner, locked)
    return locked


def request_answer(*, request: EnterpriseRequest, reply: str, actor: User) -> EnterpriseRequest:
    """Answer the request; on time when answered by its deadline. The reminders still pending are dropped."""
    _require_handler(actor, request)
    if not reply.strip():
        raise ValidationError({"reply": ValidationError(_("Write the answer."), code="required")})
    now = timezone.now()
    with transaction.atomic():
        locked = EnterpriseRequest.objects.select_for_update().get(pk=request.pk)
        answered = transition(
            instance=locked,
            to=Status.ANSWERED,
            actor=actor,
            allowed=REQUEST_MOVES,
            changes={
                "reply": reply.strip(),
                "answered_at": now,
                "answered_by": actor,
                "answered_on_time": now <= locked.due_at,
                "owner": locked.owner or actor,
            },
            action="request.answer",
        )
        key = request_key(answered)
        notifications_cancel(dedupe_key_prefix=f"{key}reminder")
        notify_enterprise(
            enterprise_id=answered.enterprise_id,
            key=f"{key}answered",
            subject=_("Request %(ref)s answered") % {"ref": answered.reference},
            body=_("“%(title)s”: %(reply)s — please rate the answer in your enterprise area.")
            % {"title": answered.title, "reply": answered.reply[:500]},
            email=answered.enterprise.contact_email,
        )
        if answered.filed_by.role != User.Role.ENTERPRISE:
            notify_user(
                user=answered.filed_by,
                key=f"{key}answered:filer",
                subject=_("Request %(ref)s answered") % {"ref": answered.reference},
                body=answered.reply[:500],
            )
    return answered


def request_rate(*, request: EnterpriseRequest, rating: int, actor: User, comment: str = "") -> EnterpriseRequest:
    """The enterprise rates the answer (1–5); the one who filed it on the enterprise's behalf may record it."""
    own = actor.role == User.Role.ENTERPRISE and actor.enterprise_id == request.enterprise_id
    if not (own or actor.is_superuser or (actor.pk == request.filed_by_id and actor.role != User.Role.ENTERPRISE)):
        raise PermissionDenied(_("Only the enterprise rates the answer to its request."))
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ValidationError({"rating": ValidationError(_("Give a rating from 1 to 5."), code="invalid_rating")})
    return transition(
        instance=request,
        to=Status.RATED,
        actor=actor,
        allowed=REQUEST_MOVES,
        changes={"rating": rating, "rating_comment": comment.strip(), "rated_at": timezone.now()},
        action="request.rate",
        data={"rating": rating},
    )


def request_withdraw(*, request: EnterpriseRequest, actor: User, reason: str = "") -> EnterpriseRequest:
    """The enterprise (or its filer) withdraws a request not answered yet; the reminders are dropped."""
    own = actor.role == User.Role.ENTERPRISE and actor.enterprise_id == request.enterprise_id
    if not (own or actor.is_superuser or actor.pk == request.filed_by_id):
        raise PermissionDenied(_("Only the enterprise withdraws its request."))
    with transaction.atomic():
        withdrawn = transition(
            instance=request,
            to=Status.WITHDRAWN,
            actor=actor,
            allowed=REQUEST_MOVES,
            reason=reason,
            action="request.withdraw",
        )
        notifications_cancel(dedupe_key_prefix=f"{request_key(withdrawn)}reminder")
    return withdrawn


def requests_escalate_overdue(*, now: datetime | None = None) -> int:
    """Open requests past their deadline are escalated once: a ``bulk_transition`` of ``escalated_at`` (audited
    as "escalated"), with the department head's (or the coordinators') notices in the same transaction. Run
    twice, or twice at once, each request is escalated and its people told once. Returns how many this run."""
    now = now or timezone.now()
    late = EnterpriseRequest.objects.filter(status__in=OPEN_REQUEST_STATUSES, escalated_at__isnull=True, due_at__lt=now)
    escalated = bulk_transition(
        late,
        field="escalated_at",
        audit_field="escalated",
        to=now,
        reason=_("Not answered by its deadline."),
        now=now,
        action="request.escalate",
        after=_tell_of_escalation,
    )
    return len(escalated)


def _tell_of_escalation(request_ids: list[int]) -> None:
    requests = EnterpriseRequest.objects.filter(pk__in=request_ids).select_related(
        "enterprise__region", "department__head", "community", "owner"
    )
    for request in requests.order_by("pk"):
        recipients = {user.pk: user for user in request_escalation_recipients(request)}
        if request.owner_id:
            recipients.setdefault(request.owner_id, request.owner)
        for user in recipients.values():
            notification_schedule(
                dedupe_key=f"{request_key(request)}escalated:{user.pk}",
                channel=Notification.Channel.IN_APP,
                recipient=user,
                subject=_("Request %(ref)s is past its deadline") % {"ref": request.reference},
                body=_("%(enterprise)s's request “%(title)s” was due on %(due)s and has no answer yet.")
                % {
                    "enterprise": request.enterprise.name,
                    "title": request.title,
                    "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )


ROUTE_FIELDS = ("category", "region", "department", "community", "owner", "response_days", "is_active")


def request_route_save(*, route: RequestRoute, actor: User, changed: Iterable[str] = ROUTE_FIELDS) -> RequestRoute:
    """Save a row of the routing table (coordinators, inside their area), checked and audited: one handler, a
    community inside the area, a default owner who can handle what the route sends."""
    if not (actor.is_superuser or actor.role == User.Role.COORDINATOR):
        raise PermissionDenied(_("Coordinators keep the routing table."))
    if actor.region_id and not actor.is_superuser and not route.region.code.startswith(actor.region.prefix):
        raise ValidationError(
            {"region": ValidationError(_("This region is outside yours."), code="region_out_of_scope")}
        )
    if (route.department_id is None) == (route.community_id is None):
        raise ValidationError(
            {
                "department": ValidationError(
                    _("Route to a department or to a community, one of the two."), code="one_handler"
                )
            }
        )
    if route.community_id and route.community.level != Region.Level.VILLAGE:
        raise ValidationError(
            {"community": ValidationError(_("Choose a village or community."), code="not_a_community")}
        )
    if route.owner_id:
        owner = route.owner
        fits = (
            owner.role == User.Role.OFFICER and owner.department_id == route.department_id
            if route.department_id
            else owner.role in (User.Role.COORDINATOR, User.Role.GRID_WORKER, User.Role.GRID_MANAGER)
        )
        if not (owner.is_active and fits):
            raise ValidationError(
                {
                    "owner": ValidationError(
                        _("The default owner works for the department or community routed to."), code="not_a_handler"
                    )
                }
            )
    created = route.pk is None
    with transaction.atomic():
        route.save()
        audit_record(
            obj=route,
            field="created" if created else "changed",
            old="",
            new=str(route),
            actor=actor,
            action="request_route.save",
            data={"fields": sorted(changed)},
        )
    return route
