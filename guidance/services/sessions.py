"""The sessions held for a booking (指导服务): the first completes the booking (``visits.booking_complete``); a
follow-up session after rectification (回访) is another session of the same completed booking, held by officers
of the booking's departments. Each session takes its own advice, risks and recommendation letter.

Nothing here reads or writes ``Enterprise.grade``: guidance is a service, never enforcement.
"""

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import TransitionError, audit_record
from programs.models import User

from .. import selectors
from ..models import Booking, Mode, Session
from ._common import held_at_check, officers_check, session_add
from .links import booking_manage_url
from .notifications import notify_booker
from .visits import booking_complete


def _check_scope(booking: Booking, actor: User) -> None:
    """The actor sees the booking as the lists show it (their region; an officer, their department's)."""
    if not selectors.booking_list(user=actor).filter(pk=booking.pk).exists():
        raise ValidationError(_("This booking is not in your area."), code="out_of_scope")


def session_record(
    *,
    booking: Booking,
    actor: User,
    mode: str | None = None,
    held_at: datetime | None = None,
    officers: Iterable[User] | None = None,
    summary: str = "",
) -> Session:
    """Record a session held for the booking: the first one completes a confirmed booking (as
    ``booking_complete``: the same audit, notices and letter); on a completed booking it is a follow-up."""
    _check_scope(booking, actor)
    if booking.status == Booking.Status.CONFIRMED:
        done = booking_complete(
            booking=booking, actor=actor, summary=summary, mode=mode, held_at=held_at, officers=officers
        )
        return done.sessions.get(kind=Session.Kind.FIRST)
    return session_follow_up(
        booking=booking, actor=actor, mode=mode, held_at=held_at, officers=officers, summary=summary
    )


def session_follow_up(
    *,
    booking: Booking,
    actor: User,
    mode: str | None = None,
    held_at: datetime | None = None,
    officers: Iterable[User] | None = None,
    summary: str = "",
) -> Session:
    """A follow-up session of a completed booking (after rectification, to see it done or advise again), held by
    officers of the booking's departments (by default the officer recording it), at ``held_at`` (by default
    now), not before the first session. The booking's history records it and the business is told."""
    _check_scope(booking, actor)
    if booking.status != Booking.Status.COMPLETED:  # asked again under the lock below
        raise TransitionError(_("A follow-up session is added to a completed booking."), code="closed")
    officers = list(officers) if officers is not None else ([actor] if actor.role == User.Role.OFFICER else [])
    if not officers:
        raise ValidationError(
            {"officers": ValidationError(_("Name the officers who held the session."), code="required")}
        )
    officers_check(booking, officers)
    mode = mode or booking.mode
    if mode not in Mode.values:
        raise ValidationError({"mode": ValidationError(_("Choose online or on site."), code="invalid")})
    held_at = held_at or timezone.now()
    held_at_check(held_at)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().select_related("slot", "theme").get(pk=booking.pk)
        if locked.status != Booking.Status.COMPLETED:
            raise TransitionError(_("A follow-up session is added to a completed booking."), code="closed")
        first = locked.sessions.get(kind=Session.Kind.FIRST)
        if held_at < first.held_at:
            raise ValidationError(
                {"held_at": ValidationError(_("A follow-up session comes after the first one."), code="before_first")}
            )
        held = locked.sessions.count()
        session = session_add(
            booking=locked,
            kind=Session.Kind.FOLLOW_UP,
            actor=actor,
            mode=mode,
            held_at=held_at,
            officers=officers,
            departments=sorted({o.department for o in officers if o.department_id}, key=lambda d: d.pk),
            summary=summary,
        )
        audit_record(
            obj=locked,
            field="session",
            old=str(held),
            new=str(held + 1),
            actor=actor,
            action="booking.session",
            data={
                "session": session.pk,
                "kind": session.kind,
                "mode": mode,
                "held_at": held_at.isoformat(),
                "officers": sorted(o.username for o in officers),
            },
        )
        when = f"{timezone.localtime(held_at):%Y-%m-%d %H:%M}"
        notify_booker(
            locked,
            key=f"guidance:booking:{locked.pk}:session-{session.pk}",
            subject=_("Follow-up session of your guidance booking %(ref)s") % {"ref": locked.reference},
            body=_("Held on %(when)s (%(mode)s). Its advice and any risks to rectify: %(url)s")
            % {"when": when, "mode": session.get_mode_display(), "url": booking_manage_url(locked)},
        )
    return session
