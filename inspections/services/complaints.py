"""Complaints (投诉举报): filed on the public form or taken by phone, routed by category and place to a
department (``ComplaintRoute`` rows), acknowledged and replied to by their deadlines (a sweep reminds the
department once before each), and possibly leading to an unplanned, complaint-triggered inspection (its
``origin`` says so; the plan's figures never count it) or to a guidance offer. The complainant's name and phone
are shown to the handling department only (``complainant_visible_to``)."""

import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Department, Enterprise, Region, User
from programs.notify import notify_enterprise, notify_user
from programs.roles import Role
from programs.services import audit_record, bulk_transition, region_scope_check, transition
from programs.validators import mask_phone

from ..models import COMPLAINT_MOVES, Complaint, ComplaintCategory, ComplaintRoute, Inspection

FOLLOW_SALT = "inspections.complaint.follow"
SIGNED_LINK = "signed link"
ACKNOWLEDGE_REMINDER_BEFORE = timedelta(hours=4)
REPLY_REMINDER_BEFORE = timedelta(days=1)
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
REFERENCE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


# --- Who sees what ---------------------------------------------------------------------------------------


def is_handler(user: User | None, complaint: Complaint) -> bool:
    """A member of the handling department (its officers, its head)."""
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.department_id is not None
        and user.department_id == complaint.department_id
    )


def complainant_visible_to(user: User | None, complaint: Complaint) -> bool:
    return is_handler(user, complaint)


def mask_name(value: str) -> str:
    return (value[:1] + "*" * max(len(value) - 1, 1)) if value else ""


def complainant_for(user: User | None, complaint: Complaint) -> tuple[str, str]:
    """(name, phone) as ``user`` may read them: in full for the handling department, masked for anyone else."""
    if complainant_visible_to(user, complaint):
        return complaint.complainant_name, complaint.complainant_phone
    return mask_name(complaint.complainant_name), mask_phone(complaint.complainant_phone)


def require_handler(actor: User, complaint: Complaint) -> None:
    if not is_handler(actor, complaint):
        raise PermissionDenied(_("Only the handling department can do this."))


# --- Routing and filing ----------------------------------------------------------------------------------


def _codes_above(region: Region) -> list[str]:
    return [region.code[:n].ljust(12, "0") for n in sorted(set(Region.PREFIX_LENGTH.values()))]


def complaint_route_for(*, category: str, region: Region) -> ComplaintRoute:
    """The most specific route (the longest region containing the place) of the category, else of ``other``."""
    codes = _codes_above(region)
    for wanted in (category, ComplaintCategory.OTHER):
        routes = {
            r.region.code: r
            for r in ComplaintRoute.objects.filter(category=wanted, region__code__in=codes).select_related(
                "region", "department"
            )
        }
        for code in reversed(codes):
            if code in routes:
                return routes[code]
    raise ValidationError(
        {"category": ValidationError(_("No department takes this kind of complaint here yet."), code="no_route")}
    )


def _reference() -> str:
    day = timezone.localdate().strftime("%y%m%d")
    return "TS" + day + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(5))


def _filing_errors(fields: dict) -> dict:
    errors = {}
    if fields.get("category") not in ComplaintCategory.values:
        errors["category"] = ValidationError(_("Choose what the complaint is about."), code="invalid_choice")
    if not isinstance(fields.get("region"), Region):
        errors["region"] = ValidationError(_("Choose where it happened."), code="required")
    for name, message in (
        ("address", _("Give the address where it happened.")),
        ("description", _("Say what happened.")),
        ("complainant_name", _("Give your name: only the handling department sees it.")),
    ):
        if not str(fields.get(name) or "").strip():
            errors[name] = ValidationError(message, code="required")
    if len(str(fields.get("description") or "").strip()) > 4000:
        errors["description"] = ValidationError(_("At most 4,000 characters."), code="max_length")
    phone = re.sub(r"\s", "", str(fields.get("complainant_phone") or ""))
    if not PHONE.match(phone):
        errors["complainant_phone"] = ValidationError(
            _("Give a mobile number of 11 digits or a landline with its area code."), code="invalid_phone"
        )
    return errors


def complaint_file(
    *,
    category: str,
    region: Region,
    address: str,
    description: str,
    complainant_name: str,
    complainant_phone: str,
    business_name: str = "",
    enterprise: Enterprise | None = None,
    actor: User | None = None,
    submission_key: str | None = None,
) -> Complaint:
    """File a complaint: on the public form (``actor`` None) or by phone (a staff ``actor`` takes the call). It
    is routed, given its deadlines, the department is told and the complainant gets the reference and the link
    to follow it. A form sent twice (the same ``submission_key``) files one complaint."""
    fields = {
        "category": category,
        "region": region,
        "address": address,
        "description": description,
        "complainant_name": complainant_name,
        "complainant_phone": complainant_phone,
    }
    errors = _filing_errors(fields)
    if actor is not None:
        if not (
            actor.is_superuser or actor.role in (Role.COORDINATOR, Role.OFFICER, Role.GRID_WORKER, Role.GRID_MANAGER)
        ):
            raise PermissionDenied(_("Your role does not allow this."))
        if isinstance(region, Region):
            try:
                region_scope_check(region=region, actor=actor)
            except ValidationError as exc:
                errors.update(exc.error_dict)
    if errors:
        raise ValidationError(errors)
    if submission_key:
        existing = Complaint.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    route = complaint_route_for(category=category, region=region)
    now = timezone.now()
    try:
        with transaction.atomic():
            complaint = Complaint.objects.create(
                reference=_reference(),
                channel=Complaint.Channel.PHONE if actor is not None else Complaint.Channel.WEB,
                category=category,
                region=region,
                enterprise=enterprise,
                business_name=(business_name or (enterprise.name if enterprise else "")).strip(),
                address=address.strip(),
                description=description.strip(),
                complainant_name=complainant_name.strip(),
                complainant_phone=re.sub(r"\s", "", complainant_phone),
                department=route.department,
                acknowledge_due_at=now + timedelta(hours=route.acknowledge_hours),
                reply_due_at=now + timedelta(days=route.reply_days),
                submission_key=submission_key or None,
                created_by=actor if actor is not None else None,
                created_at=now,
            )
            audit_record(
                obj=complaint,
                field="status",
                old="",
                new=complaint.status,
                actor=actor,
                actor_label="" if actor else _("public form"),
                action="complaint.file",
                data={"department": route.department_id, "route": route.pk, "channel": complaint.channel},
            )
            _tell_department(complaint)
            _tell_complainant(
                complaint,
                "filed",
                _("Complaint %(ref)s received; follow it at %(url)s")
                % {"ref": complaint.reference, "url": follow_url(complaint)},
            )
    except IntegrityError:
        if submission_key:
            existing = Complaint.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing
        raise
    return complaint


def department_members(department_id: int):
    return User.objects.filter(department_id=department_id, is_active=True).order_by("pk")


def _tell_department(complaint: Complaint) -> None:
    for person in department_members(complaint.department_id):
        notify_user(
            user=person,
            key=f"inspections:complaint:{complaint.pk}:new:{person.pk}",
            subject=_("New complaint %(ref)s: %(category)s")
            % {"ref": complaint.reference, "category": complaint.get_category_display()},
            body=_("Acknowledge by %(ack)s, reply by %(reply)s.")
            % {"ack": _when(complaint.acknowledge_due_at), "reply": _when(complaint.reply_due_at)},
        )


def _tell_complainant(complaint: Complaint, what: str, text: str) -> None:
    """The complainant has no account: an SMS to the phone they gave (the outbox, once per key)."""
    notify_enterprise(
        enterprise_id=None,
        key=f"inspections:complaint:{complaint.pk}:{what}",
        subject=text[:200],
        body=text,
        phone=complaint.complainant_phone,
        sms_text=text,
    )


def _when(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- The signed link -------------------------------------------------------------------------------------


def complaint_token(complaint: Complaint) -> str:
    return signing.dumps({"c": complaint.pk, "r": complaint.reference}, salt=FOLLOW_SALT, compress=True)


def complaint_from_token(token: str) -> Complaint:
    """The complaint a signed link points to; ``signing.BadSignature`` for a forged, altered or expired one."""
    data = signing.loads(token, salt=FOLLOW_SALT, max_age=timedelta(days=settings.GUIDANCE_LINK_MAX_AGE_DAYS))
    complaint = Complaint.objects.select_related("department", "region").filter(pk=data.get("c")).first()
    if complaint is None or complaint.reference != data.get("r"):
        raise signing.BadSignature("no such complaint")
    return complaint


def follow_url(complaint: Complaint) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("inspections:complaint-follow", args=[complaint_token(complaint)])


# --- Handling --------------------------------------------------------------------------------------------


def complaint_acknowledge(*, complaint: Complaint, actor: User) -> Complaint:
    require_handler(actor, complaint)
    with transaction.atomic():
        complaint = transition(
            instance=complaint,
            to=Complaint.Status.ACKNOWLEDGED,
            actor=actor,
            allowed=COMPLAINT_MOVES,
            changes={"acknowledged_at": timezone.now()},
            action="complaint.acknowledge",
        )
        _tell_complainant(
            complaint,
            "acknowledged",
            _("Complaint %(ref)s is being handled by %(department)s.")
            % {"ref": complaint.reference, "department": complaint.department.name},
        )
    return complaint


def complaint_reply(*, complaint: Complaint, actor: User, reply: str, outcome: str = "") -> Complaint:
    """The department's answer to the complainant (shown on the followed link, sent by SMS)."""
    require_handler(actor, complaint)
    if not reply.strip():
        raise ValidationError({"reply": ValidationError(_("Write the reply."), code="required")})
    if outcome and outcome not in (Complaint.Outcome.NO_ACTION, complaint.outcome):
        raise ValidationError({"outcome": ValidationError(_("Not an outcome a reply can record."), code="invalid")})
    now = timezone.now()
    with transaction.atomic():
        changes = {"reply": reply.strip(), "replied_at": now}
        if outcome:
            changes["outcome"] = outcome
        complaint = transition(
            instance=complaint,
            to=Complaint.Status.REPLIED,
            actor=actor,
            allowed=COMPLAINT_MOVES,
            changes=changes,
            action="complaint.reply",
            data={"on_time": now <= complaint.reply_due_at},
        )
        if complaint.acknowledged_at is None:
            Complaint.objects.filter(pk=complaint.pk).update(acknowledged_at=now)
            complaint.acknowledged_at = now
        _tell_complainant(
            complaint,
            "replied",
            _("Complaint %(ref)s has a reply: %(url)s") % {"ref": complaint.reference, "url": follow_url(complaint)},
        )
    return complaint


def complaint_close(*, complaint: Complaint, actor: User) -> Complaint:
    require_handler(actor, complaint)
    return transition(
        instance=complaint, to=Complaint.Status.CLOSED, actor=actor, allowed=COMPLAINT_MOVES, action="complaint.close"
    )


def _set_outcome(complaint: Complaint, outcome: str, actor: User, **changes) -> Complaint:
    """Lock, re-check that the complaint is open and has no outcome yet, record it with its audit row."""
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if locked.status == Complaint.Status.CLOSED:
        raise ValidationError(_("The complaint is closed."), code="closed")
    if locked.outcome:
        raise ValidationError(
            {"outcome": ValidationError(_("This complaint has an outcome already."), code="outcome_recorded")}
        )
    if locked.enterprise_id is None:
        raise ValidationError(
            {"enterprise": ValidationError(_("Link the complaint to the enterprise first."), code="required")}
        )
    locked.outcome = outcome
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["outcome", *changes])
    audit_record(obj=locked, field="outcome", old="", new=outcome, actor=actor, action=f"complaint.{outcome}")
    return locked


def complaint_link_enterprise(*, complaint: Complaint, enterprise: Enterprise, actor: User) -> Complaint:
    """The handler names the registered enterprise the complaint is about (the public form gives a name)."""
    require_handler(actor, complaint)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        old = locked.enterprise_id
        locked.enterprise = enterprise
        locked.save(update_fields=["enterprise"])
        audit_record(obj=locked, field="enterprise", old=str(old or ""), new=str(enterprise.pk), actor=actor)
    return locked


def inspection_open_unplanned(
    *, enterprise: Enterprise, department: Department, actor: User, items=(), origin: str = Inspection.Origin.COMPLAINT
) -> Inspection:
    """An inspection outside the plan (no plan entry): this month's, led by ``department``, to be scheduled like
    any other. Its ``origin`` keeps it apart from the plan's figures and from the coordination of plan entries."""
    month = timezone.localdate().replace(day=1)
    inspection = Inspection.objects.create(
        enterprise=enterprise, month=month, lead_department=department, origin=origin
    )
    inspection.departments.add(department)
    if items:
        inspection.items.add(*items)
    audit_record(
        obj=inspection,
        field="created",
        old="",
        new=inspection.status,
        actor=actor,
        action="inspection.open_unplanned",
        data={"origin": origin},
    )
    return inspection


def complaint_open_inspection(*, complaint: Complaint, actor: User, items=None) -> Complaint:
    """The complaint leads to an unplanned inspection of the enterprise (complaint-triggered)."""
    require_handler(actor, complaint)
    with transaction.atomic():
        locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
        if locked.enterprise_id is None:
            raise ValidationError(
                {"enterprise": ValidationError(_("Link the complaint to the enterprise first."), code="required")}
            )
        chosen = list(items or [])
        if any(item.department_id != locked.department_id for item in chosen):
            raise ValidationError({"items": ValidationError(_("Choose your department's items."), code="invalid")})
        inspection = inspection_open_unplanned(
            enterprise=locked.enterprise, department=locked.department, actor=actor, items=chosen
        )
        return _set_outcome(locked, Complaint.Outcome.INSPECTION, actor, inspection=inspection)


def complaint_offer_guidance(*, complaint: Complaint, actor: User) -> Complaint:
    """Instead of an inspection, the enterprise is offered a guidance visit: told, with the booking form's link."""
    require_handler(actor, complaint)
    with transaction.atomic():
        locked = _set_outcome(complaint, Complaint.Outcome.GUIDANCE, actor)
        enterprise = Enterprise.objects.get(pk=locked.enterprise_id)
        link = settings.GUIDANCE_SITE_URL + reverse("guidance:index")
        text = _(
            "%(department)s offers %(enterprise)s a free guidance visit about %(category)s; book it at %(url)s"
        ) % {
            "department": locked.department.name,
            "enterprise": enterprise.name,
            "category": locked.get_category_display(),
            "url": link,
        }
        notify_enterprise(
            enterprise_id=enterprise.pk,
            key=f"inspections:complaint:{locked.pk}:guidance-offer",
            subject=_("A guidance visit is offered to you"),
            body=text,
            phone=enterprise.contact_phone,
            sms_text=text,
        )
    return locked


# --- Reminders -------------------------------------------------------------------------------------------


def complaint_reminders_send(*, now: datetime | None = None) -> dict:
    """Remind the handling department once before each deadline: acknowledgement (4 hours before) and reply (a
    day before). Each complaint is claimed and stamped once by ``bulk_transition``, however often or
    concurrently the sweep runs; the reminders commit with the stamp."""
    now = now or timezone.now()
    acknowledge = bulk_transition(
        Complaint.objects.filter(
            status=Complaint.Status.RECEIVED,
            acknowledge_reminded_at__isnull=True,
            acknowledge_due_at__lte=now + ACKNOWLEDGE_REMINDER_BEFORE,
        ),
        field="acknowledge_reminded_at",
        audit_field="acknowledge_reminded",
        to=now,
        reason=_("The acknowledgement deadline is near."),
        now=now,
        action="complaint.remind_acknowledge",
        after=lambda ids: _remind(ids, "acknowledge"),
    )
    reply = bulk_transition(
        Complaint.objects.filter(
            status__in=[Complaint.Status.RECEIVED, Complaint.Status.ACKNOWLEDGED],
            reply_reminded_at__isnull=True,
            reply_due_at__lte=now + REPLY_REMINDER_BEFORE,
        ),
        field="reply_reminded_at",
        audit_field="reply_reminded",
        to=now,
        reason=_("The reply deadline is near."),
        now=now,
        action="complaint.remind_reply",
        after=lambda ids: _remind(ids, "reply"),
    )
    return {"acknowledge": len(acknowledge), "reply": len(reply)}


def _remind(ids: list[int], what: str) -> None:
    for complaint in Complaint.objects.filter(pk__in=ids).order_by("pk"):
        due = complaint.acknowledge_due_at if what == "acknowledge" else complaint.reply_due_at
        subject = (
            _("Acknowledge complaint %(ref)s by %(when)s")
            if what == "acknowledge"
            else _("Reply to complaint %(ref)s by %(when)s")
        ) % {"ref": complaint.reference, "when": _when(due)}
        for person in department_members(complaint.department_id):
            notify_user(
                user=person,
                key=f"inspections:complaint:{complaint.pk}:remind-{what}:{person.pk}",
                subject=subject,
                body=subject,
            )
