"""The lenient lists (首违不罚, 轻微免罚, 不予处罚, 审慎执法) applied to a finding: which entry a finding meets (the
proposal), and which list a no-penalty decision records."""

from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.models import Enterprise

from ..models import Finding, InspectionItem, LenientListEntry


def entries_in_force(*, item: InspectionItem, on: date) -> QuerySet[LenientListEntry]:
    """The item's active entries whose list is in force on ``on`` (an entry without a list always is), in the
    order the kinds are tried: first violation, minor violation, no penalty, prudent enforcement."""
    in_force = Q(lenient_list__isnull=True) | (
        Q(lenient_list__is_active=True, lenient_list__valid_from__lte=on)
        & (Q(lenient_list__valid_until__isnull=True) | Q(lenient_list__valid_until__gte=on))
    )
    return (
        LenientListEntry.objects.filter(in_force, item=item, is_active=True)
        .select_related("lenient_list")
        .order_by("kind", "-lenient_list__valid_from", "pk")
    )


def entry_conditions_met(
    entry: LenientListEntry, *, enterprise: Enterprise, at: datetime, severity: str | None = None
) -> bool:
    """The entry's conditions, as far as they are known when the finding is recorded: a first violation within
    the look-back window, minor harm (a general issue; not judged when ``severity`` is unknown), and for an
    observation period (审慎执法) a four-new enterprise. Correction in time is judged at the decision."""
    if entry.minor_harm_only and severity == Finding.Severity.MAJOR:
        return False
    if entry.outcome == LenientListEntry.Outcome.OBSERVATION and not enterprise.is_four_new:
        return False
    if entry.first_violation_only:
        earlier = Finding.objects.filter(
            enterprise=enterprise,
            item_id=entry.item_id,
            recorded_at__lt=at,
            recorded_at__gte=at - timedelta(days=entry.lookback_days),
        )
        if earlier.exists():
            return False
    return True


def lenient_proposal(
    *, enterprise: Enterprise, item: InspectionItem, at: datetime, severity: str | None = None
) -> LenientListEntry | None:
    """The lenient list entry that applies: the item is on a list in force and the finding meets its conditions."""
    for entry in entries_in_force(item=item, on=timezone.localdate(at)):
        if entry_conditions_met(entry, enterprise=enterprise, at=at, severity=severity):
            return entry
    return None


def lenient_decision_entry(
    *, finding: Finding, decision: str, entry: LenientListEntry | None = None
) -> LenientListEntry | None:
    """The list a decision records: for no penalty, the entry named (one of the item's in force) or else the
    one proposed; its correction condition must be met by then. Other decisions keep the proposal."""
    if decision != Finding.Decision.NO_PENALTY:
        if entry is not None:
            message = _("A lenient list applies only to a decision without penalty.")
            raise ValidationError({"lenient_entry": ValidationError(message, code="not_no_penalty")})
        return finding.lenient_entry
    if entry is None:
        entry = finding.lenient_entry
    elif not entries_in_force(item=finding.item, on=timezone.localdate()).filter(pk=entry.pk).exists():
        message = _("This list does not cover the finding's item today.")
        raise ValidationError({"lenient_entry": ValidationError(message, code="not_listed")})
    elif not entry_conditions_met(
        entry, enterprise=finding.enterprise, at=finding.recorded_at, severity=finding.severity
    ):  # e.g. a first-violation list for a repeat offender
        message = _("The finding does not meet this list's conditions.")
        raise ValidationError({"lenient_entry": ValidationError(message, code="conditions_not_met")})
    if entry is not None and entry.correction_required and finding.status != Finding.Status.RECTIFIED:
        message = _("This list requires the finding to be rectified before no penalty is decided.")
        raise ValidationError({"lenient_entry": ValidationError(message, code="not_rectified")})
    return entry
