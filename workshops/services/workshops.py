"""Workshops (共富工坊): created, edited and moved between open, suspended and closed by organisers."""

from django.db import transaction
from django.utils import timezone

from programs.models import User
from programs.services import audit_record, refuse_unknown_fields, region_scope_check, transition

from ..models import WORKSHOP_MOVES, Registration, Workshop
from ._common import require_village

# What a person sets on a workshop; the status moves only through workshop_set_status.
WORKSHOP_FIELDS = (
    "name",
    "kind",
    "host_enterprise",
    "village",
    "address",
    "manager_name",
    "manager_phone",
    "products",
    "description",
    "opened_on",
)


def workshop_create(*, actor: User | None, **fields) -> Workshop:
    """Create a workshop from ``WORKSHOP_FIELDS``; any other field is refused by name."""
    refuse_unknown_fields(fields, WORKSHOP_FIELDS)
    region_scope_check(region=fields.get("village"), actor=actor, field="village")
    workshop = Workshop(**fields)
    workshop.full_clean()
    require_village(workshop.village)
    with transaction.atomic():
        workshop.save()
        audit_record(obj=workshop, field="created", old="", new=workshop.status, actor=actor, action="workshop.create")
    return workshop


def workshop_update(*, workshop: Workshop, actor: User | None, **fields) -> Workshop:
    """Change the fields given (of ``WORKSHOP_FIELDS``); any other field, the status included, is refused."""
    refuse_unknown_fields(fields, WORKSHOP_FIELDS)
    if "village" in fields:
        region_scope_check(region=fields["village"], actor=actor, field="village")
    with transaction.atomic():
        locked = Workshop.objects.select_for_update().get(pk=workshop.pk)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.full_clean()
        require_village(locked.village)
        locked.save(update_fields=list(fields) or None)
        if "village" in fields:  # the registrations' stored code moves with the workshop (Registration)
            Registration.objects.filter(position__workshop=locked).update(workshop_region_code=locked.village.code)
    return locked


def workshop_set_status(*, workshop: Workshop, to: str, actor: User | None, reason: str = "") -> Workshop:
    changes = {"closed_on": timezone.localdate()} if to == Workshop.Status.CLOSED else {"closed_on": None}
    return transition(
        instance=workshop,
        to=to,
        actor=actor,
        allowed=WORKSHOP_MOVES,
        reason=reason,
        reason_required=to in (Workshop.Status.SUSPENDED, Workshop.Status.CLOSED),
        changes=changes,
        action="workshop.set_status",
    )
