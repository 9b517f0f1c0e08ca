"""Activities of a workshop: live-stream sessions (直播) and trainings, with their figures. Markets are events of
several workshops: ``markets``."""

from django.db import transaction

from programs.models import User
from programs.services import audit_record, refuse_unknown_fields, transition

from ..models import Activity

# What a person records about an activity; it is cancelled through activity_cancel, never rewritten.
ACTIVITY_FIELDS = (
    "workshop",
    "kind",
    "title",
    "held_on",
    "sessions",
    "participants",
    "revenue",
)


def activity_record(*, actor: User | None, **fields) -> Activity:
    """Record an activity from ``ACTIVITY_FIELDS``; any other field is refused by name."""
    refuse_unknown_fields(fields, ACTIVITY_FIELDS)
    activity = Activity(recorded_by=actor if actor is not None and actor.is_authenticated else None, **fields)
    activity.full_clean()
    with transaction.atomic():
        activity.save()
        audit_record(obj=activity, field="created", old="", new=activity.kind, actor=actor, action="activity.record")
    return activity


def activity_cancel(*, activity: Activity, actor: User, reason: str) -> Activity:
    return transition(
        instance=activity,
        to=True,
        actor=actor,
        allowed={False: [True]},
        reason=reason,
        reason_required=True,
        field="is_cancelled",
        action="activity.cancel",
    )
