"""The booking's signed links: the manage link in every message (reschedule, cancel, evidence, the letter) and
the feedback link, for businesses that have no account. A link names the booking and its reference, so a
forged, altered or expired one opens nothing."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from ..models import Booking, WaitlistEntry

MANAGE_SALT = "guidance.booking.manage"
FEEDBACK_SALT = "guidance.booking.feedback"
# Who the history names when the holder of a signed link (no signed-in person) changed a booking or a risk.
SIGNED_LINK = "signed link"


def booking_token(booking: Booking, *, salt: str = MANAGE_SALT) -> str:
    return signing.dumps({"b": booking.pk, "r": booking.reference}, salt=salt, compress=True)


def booking_from_token(token: str, *, salt: str = MANAGE_SALT) -> Booking:
    """The booking a signed link points to; ``signing.BadSignature`` for a forged, altered or expired one."""
    data = signing.loads(token, salt=salt, max_age=timedelta(days=settings.GUIDANCE_LINK_MAX_AGE_DAYS))
    booking = Booking.objects.select_related("theme", "slot", "region", "enterprise").filter(pk=data["b"]).first()
    if booking is None or booking.reference != data["r"]:
        raise signing.BadSignature("no such booking")
    return booking


def booking_manage_url(booking: Booking) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("guidance:manage", args=[booking_token(booking)])


def booking_feedback_url(booking: Booking) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("guidance:feedback", args=[booking_token(booking, salt=FEEDBACK_SALT)])


WAITLIST_SALT = "guidance.waitlist"


def waitlist_token(entry) -> str:
    return signing.dumps({"w": entry.pk, "r": entry.reference}, salt=WAITLIST_SALT, compress=True)


def waitlist_from_token(token: str):
    """The waitlist entry a signed link points to; ``signing.BadSignature`` for a forged or altered one."""
    data = signing.loads(token, salt=WAITLIST_SALT, max_age=timedelta(days=settings.GUIDANCE_LINK_MAX_AGE_DAYS))
    entry = WaitlistEntry.objects.select_related("theme", "slot__region").filter(pk=data["w"]).first()
    if entry is None or entry.reference != data["r"]:
        raise signing.BadSignature("no such waitlist entry")
    return entry


def waitlist_url(entry) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("guidance:waitlist", args=[waitlist_token(entry)])
