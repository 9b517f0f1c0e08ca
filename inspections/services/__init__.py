"""Writes of the inspections app, one module per entity. Every status change goes through
``programs.services.transition``; the names are re-exported here, so ``from inspections import services`` and
``services.plan_entry_create(…)`` read as before."""

from ..codes import CODE_ALPHABET, CODE_LENGTH, format_code, new_inspection_code, normalize_code
from ._common import month_start
from .coordination import (
    STALLED_AFTER,
    coordination_run,
    coordination_start,
    month_coordinate,
    stalled_coordinations,
)
from .documents import (
    DOCUMENT_KINDS,
    stalled_visit_documents,
    visit_document,
    visit_document_reissue,
    visit_document_title,
    visit_document_versions,
    visit_documents,
    visit_documents_by_inspection,
    visit_documents_issue,
)
from .findings import (
    evidence_submit,
    finding_decide,
    finding_record,
    finding_reinspect,
    item_check_record,
    lenient_proposal,
)
from .inspections import (
    inspection_cancel,
    inspection_complete,
    inspection_schedule,
    inspection_show_code,
    inspection_start,
)
from .observation import (
    OBSERVATION_REMINDER_DAYS,
    observation_decide,
    observation_open,
    observation_periods_expire,
)
from .plans import (
    plan_entry_create,
    plan_entry_cut,
    plan_entry_reinstate,
    plan_entry_submit,
    plan_entry_withdraw,
    plan_month_submit,
    year_plan_approve,
    year_plan_create,
    year_plan_publish,
    year_plan_return,
    year_plan_submit,
)
from .policy import GRADE_POLICY_FIELDS, grade_policy_update
from .visits import visit_record

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "DOCUMENT_KINDS",
    "GRADE_POLICY_FIELDS",
    "OBSERVATION_REMINDER_DAYS",
    "STALLED_AFTER",
    "coordination_run",
    "coordination_start",
    "evidence_submit",
    "finding_decide",
    "finding_record",
    "finding_reinspect",
    "format_code",
    "grade_policy_update",
    "inspection_cancel",
    "inspection_complete",
    "inspection_schedule",
    "inspection_show_code",
    "inspection_start",
    "item_check_record",
    "lenient_proposal",
    "month_coordinate",
    "month_start",
    "new_inspection_code",
    "normalize_code",
    "observation_decide",
    "observation_open",
    "observation_periods_expire",
    "plan_entry_create",
    "plan_entry_cut",
    "plan_entry_reinstate",
    "plan_entry_submit",
    "plan_entry_withdraw",
    "plan_month_submit",
    "stalled_coordinations",
    "stalled_visit_documents",
    "visit_document",
    "visit_document_reissue",
    "visit_document_title",
    "visit_document_versions",
    "visit_documents",
    "visit_documents_by_inspection",
    "visit_documents_issue",
    "visit_record",
    "year_plan_approve",
    "year_plan_create",
    "year_plan_publish",
    "year_plan_return",
    "year_plan_submit",
]
