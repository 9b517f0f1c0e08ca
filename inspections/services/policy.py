"""The grade policy (what each colour means for inspection), edited by the coordinator."""

from django.db import transaction
from django.utils import timezone

from programs.models import User
from programs.roles import COORDINATORS, require_role
from programs.services import audit_record, refuse_unknown_fields

from ..models import GradePolicy

# What the coordinator may change on a colour's policy; the colour itself is fixed.
GRADE_POLICY_FIELDS = ("frequency_days", "sampling_percent", "escalation_grace_days")


def grade_policy_update(*, policy: GradePolicy, actor: User, **changes: int | None) -> GradePolicy:
    """Change the fields named in ``GRADE_POLICY_FIELDS``; any other is refused by name. Each change is audited."""
    require_role(actor, *COORDINATORS)
    refuse_unknown_fields(changes, GRADE_POLICY_FIELDS)
    with transaction.atomic():
        locked = GradePolicy.objects.select_for_update().get(pk=policy.pk)
        for name, value in changes.items():
            old = getattr(locked, name)
            if old != value:
                setattr(locked, name, value)
                audit_record(obj=locked, field=name, old=str(old), new=str(value), actor=actor)
        locked.updated_at = timezone.now()
        locked.full_clean()
        locked.save()
    return locked
