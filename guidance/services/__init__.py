"""Writes of the guidance app, one module per entity. The public form, the REST API, the admin and the tasks
all call these; every name is re-exported here, so ``from guidance.services import booking_create`` and
``services.booking_create`` read the same wherever it lives.

- ``bookings``: book, reschedule, cancel; escalate unconfirmed bookings
- ``visits``: confirm and assign who comes, complete or no-show, advice, feedback
- ``letters``: the recommendation letter, issued once as a stored PDF, corrected only by a new version
- ``sessions``: the sessions held for a booking: the first completes it, a follow-up (after rectification) is
  added to a completed one; advice, risks and letters belong to a session
- ``risks``: risks found in a visit and their rectification evidence
- ``slots``: publish, generate from weekly templates, withdraw; ``capacity``: places in a slot
- ``links``: the signed links; ``notifications``: what a booking tells people, reminders, the calendar file
- ``waitlist``: join a full slot's waitlist, take or leave an offered place, the sweep of lapsed offers;
  ``offers``: a freed place goes to the first one waiting

Nothing here reads or writes ``Enterprise.grade``: guidance is a service, never enforcement.
"""

from .bookings import (
    PHONE_RE,
    booking_cancel,
    booking_check,
    booking_check_changeable,
    booking_claim,
    booking_create,
    booking_reschedule,
    bookings_escalate_unconfirmed,
    region_coordinators,
)
from .capacity import SLOT_FULL, is_slot_full
from .letters import letter_issue, letter_reissue
from .links import (
    FEEDBACK_SALT,
    MANAGE_SALT,
    SIGNED_LINK,
    booking_feedback_url,
    booking_from_token,
    booking_manage_url,
    booking_token,
    waitlist_from_token,
    waitlist_token,
    waitlist_url,
)
from .notifications import REMINDERS, booking_ical, booking_key_prefix
from .offers import place_freed, places_offer_free
from .risks import risk_confirm, risk_record, risk_reject, risk_submit_evidence, risk_submit_evidence_by_link
from .sessions import session_follow_up, session_record
from .slots import slot_capacity_change, slot_publish, slot_withdraw, slots_generate
from .visits import (
    advice_record,
    booking_assign,
    booking_assign_check,
    booking_complete,
    booking_confirm,
    booking_mark_no_show,
    feedback_submit,
)
from .waitlist import (
    waitlist_accept,
    waitlist_close,
    waitlist_join,
    waitlist_leave,
    waitlist_offers_expire,
    waitlist_position,
)

__all__ = [
    "FEEDBACK_SALT",
    "MANAGE_SALT",
    "PHONE_RE",
    "REMINDERS",
    "SIGNED_LINK",
    "SLOT_FULL",
    "advice_record",
    "booking_assign",
    "booking_assign_check",
    "booking_cancel",
    "booking_check",
    "booking_check_changeable",
    "booking_claim",
    "booking_complete",
    "booking_confirm",
    "booking_create",
    "booking_feedback_url",
    "booking_from_token",
    "booking_ical",
    "booking_key_prefix",
    "booking_manage_url",
    "booking_mark_no_show",
    "booking_reschedule",
    "booking_token",
    "bookings_escalate_unconfirmed",
    "feedback_submit",
    "is_slot_full",
    "letter_issue",
    "letter_reissue",
    "place_freed",
    "places_offer_free",
    "region_coordinators",
    "risk_confirm",
    "risk_record",
    "risk_reject",
    "risk_submit_evidence",
    "risk_submit_evidence_by_link",
    "session_follow_up",
    "session_record",
    "slot_capacity_change",
    "slot_publish",
    "slot_withdraw",
    "slots_generate",
    "waitlist_accept",
    "waitlist_close",
    "waitlist_from_token",
    "waitlist_join",
    "waitlist_leave",
    "waitlist_offers_expire",
    "waitlist_position",
    "waitlist_token",
    "waitlist_url",
]
