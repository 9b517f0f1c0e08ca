"""A place that frees in a slot goes to its waitlist first: the first business waiting is offered it, and the
place stays taken (held for them, counted in ``Slot.booked``) until they book it or the offer lapses. Only when
nobody waits does the place go back to the slot. Called inside the transaction that frees the place, so the
offer commits with the cancellation (or the move, or the lapse) or not at all."""

from datetime import datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import audit_record
from programs.notify import notify_enterprise

from ..formatting import visit_period
from ..models import Slot, WaitlistEntry
from .capacity import slot_release, slot_take
from .links import waitlist_url
from .notifications import email_parts


def _offer_first_waiting(slot: Slot, now: datetime) -> WaitlistEntry | None:
    """Offer the place held for the waitlist to the first one waiting. ``SKIP LOCKED``: two places freed at
    the same moment go to two different businesses, each offered once."""
    if slot.is_withdrawn or slot.starts_at <= now:
        return None
    entry = (
        WaitlistEntry.objects.select_for_update(skip_locked=True)
        .filter(slot_id=slot.pk, status=WaitlistEntry.Status.WAITING)
        .order_by("created_at", "id")
        .first()
    )
    if entry is None:
        return None
    hold = timedelta(hours=settings.GUIDANCE_WAITLIST_HOLD_HOURS)
    # Never held past the visit's start: an offer made late lapses in time for someone else to take it.
    entry.offer_expires_at = min(now + hold, slot.starts_at)
    entry.offered_at, entry.status = now, WaitlistEntry.Status.OFFERED
    entry.save(update_fields=["status", "offered_at", "offer_expires_at"])
    audit_record(
        obj=entry,
        old=WaitlistEntry.Status.WAITING,
        new=WaitlistEntry.Status.OFFERED,
        actor=None,
        reason=_("A place freed"),
        action="waitlist.offer",
    )
    entry.slot = slot
    _tell_offer(entry)
    return entry


def _tell_offer(entry: WaitlistEntry) -> None:
    until = timezone.localtime(entry.offer_expires_at)
    when = visit_period(entry.slot.starts_at, entry.slot.ends_at, year=True)
    url = waitlist_url(entry)
    subject = _("A place is free for you: guidance visit on %(when)s") % {"when": when}
    body = _(
        "A place has freed in the time you are waiting for. It is held for you until %(until)s; take it with the "
        "link below, or it passes to the next business waiting."
    ) % {"until": f"{until:%Y-%m-%d %H:%M}"}
    sms = _("A place is free for your guidance visit on %(when)s, held until %(until)s. Take it: %(url)s") % {
        "when": when,
        "until": f"{until:%m-%d %H:%M}",
        "url": url,
    }
    waitlist_notify(entry, key=f"guidance:waitlist:{entry.pk}:offer", subject=subject, body=body, sms_text=sms)


def waitlist_rows(entry: WaitlistEntry) -> list[tuple[str, str]]:
    return [
        (_("Reference"), entry.reference),
        (_("Theme"), entry.theme.title),
        (_("Time"), visit_period(entry.slot.starts_at, entry.slot.ends_at, year=True)),
        (_("Mode"), entry.slot.get_mode_display()),
        (_("Status"), entry.get_status_display()),
    ]


def waitlist_notify(entry: WaitlistEntry, *, key: str, subject: str, body: str, sms_text: str = "") -> None:
    """The business on the waitlist: email (HTML and text, with its link and the office) and SMS."""
    if entry.status in (WaitlistEntry.Status.WAITING, WaitlistEntry.Status.OFFERED):
        label = _("Take the place") if entry.status == WaitlistEntry.Status.OFFERED else _("See your place in line")
        links = [(label, waitlist_url(entry))]
    else:
        links = [(_("Book another visit"), settings.GUIDANCE_SITE_URL + reverse("guidance:index"))]
    text, html = email_parts(
        subject=subject, body=body, rows=waitlist_rows(entry), links=links, region=entry.slot.region
    )
    notify_enterprise(
        enterprise_id=entry.enterprise_id,
        key=key,
        subject=subject,
        body=text,
        html_body=html,
        email=entry.contact_email,
        phone=entry.contact_phone,
        sms_text=sms_text,
    )


def place_freed(slot_id: int, *, now: datetime | None = None) -> WaitlistEntry | None:
    """One place of the slot is no longer its holder's: offer it to the first one waiting, or give it back."""
    now = now or timezone.now()
    slot = Slot.objects.select_related("region").get(pk=slot_id)
    entry = _offer_first_waiting(slot, now)
    if entry is None:
        slot_release(slot_id)
    return entry


def places_offer_free(slot_id: int, *, now: datetime | None = None) -> int:
    """Offer every free place of the slot to those waiting (its capacity was raised); returns how many."""
    now = now or timezone.now()
    slot = Slot.objects.select_related("region").get(pk=slot_id)
    offered = 0
    while WaitlistEntry.objects.filter(slot_id=slot_id, status=WaitlistEntry.Status.WAITING).exists():
        if not slot_take(slot_id):  # the same conditional UPDATE as a booking: never past the capacity
            break
        if _offer_first_waiting(slot, now) is None:
            slot_release(slot_id)
            break
        offered += 1
    return offered
