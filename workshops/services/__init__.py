"""Writes of the workshops app, one module per entity. The API, the public form, the admin actions and the
tasks all call these; ``from workshops import services`` and ``from workshops.services import X`` find every
one of them here.

Sensitive fields (ID number, disability, low-income) never reach a log line, an audit value or a message.
"""

from .activities import ACTIVITY_FIELDS, activity_cancel, activity_record
from .courses import (
    COURSE_FIELDS,
    course_attendance_record,
    course_create,
    course_enrol,
    course_enrolment_cancel,
    course_set_status,
)
from .distances import village_distance_set
from .employment import employment_end, income_record
from .links import registration_from_token, registration_token
from .markets import MARKET_FIELDS, PARTICIPATION_FIELDS, SUPPLY_POINT_FIELDS, market_cancel, market_record
from .offers import job_offer_mark_seen, job_offers_send, offer_round_start, residents_to_offer, stalled_offer_rounds
from .positions import POSITION_FIELDS, position_close, position_create, position_reopen, position_update
from .registrations import (
    public_registration_submit,
    registration_accept,
    registration_employ,
    registration_recommend,
    registration_record_home_visit,
    registration_reject,
    registration_submit,
    registration_verify,
    registration_withdraw,
)
from .residents import (
    RESIDENT_EDITABLE,
    resident_create,
    resident_for_public_registration,
    resident_survey,
    resident_update,
)
from .sweeps import (
    SWEEP_CHUNK,
    positions_close_seasonal,
    registrations_expire,
    registrations_remind,
    responsible_grid_workers,
)
from .workshops import WORKSHOP_FIELDS, workshop_create, workshop_set_status, workshop_update

__all__ = [
    "ACTIVITY_FIELDS",
    "COURSE_FIELDS",
    "MARKET_FIELDS",
    "PARTICIPATION_FIELDS",
    "POSITION_FIELDS",
    "RESIDENT_EDITABLE",
    "SUPPLY_POINT_FIELDS",
    "SWEEP_CHUNK",
    "WORKSHOP_FIELDS",
    "activity_cancel",
    "activity_record",
    "course_attendance_record",
    "course_create",
    "course_enrol",
    "course_enrolment_cancel",
    "course_set_status",
    "employment_end",
    "income_record",
    "job_offer_mark_seen",
    "job_offers_send",
    "market_cancel",
    "market_record",
    "offer_round_start",
    "position_close",
    "position_create",
    "position_reopen",
    "position_update",
    "positions_close_seasonal",
    "public_registration_submit",
    "registration_accept",
    "registration_employ",
    "registration_from_token",
    "registration_recommend",
    "registration_record_home_visit",
    "registration_reject",
    "registration_submit",
    "registration_token",
    "registration_verify",
    "registration_withdraw",
    "registrations_expire",
    "registrations_remind",
    "resident_create",
    "resident_for_public_registration",
    "resident_survey",
    "resident_update",
    "residents_to_offer",
    "responsible_grid_workers",
    "stalled_offer_rounds",
    "village_distance_set",
    "workshop_create",
    "workshop_set_status",
    "workshop_update",
]
