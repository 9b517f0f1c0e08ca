"""Departments' plan entries from a spreadsheet (年计划): one row per enterprise, month and items."""

from datetime import date
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.imports import Column, Importer, register
from programs.models import Department, Enterprise, User
from programs.roles import ENFORCEMENT
from programs.selectors import scope
from programs.validators import normalize_credit_code

from . import services
from .models import InspectionItem, PlanEntry

MODES = {"现场": PlanEntry.Mode.ON_SITE, "非现场": PlanEntry.Mode.OFF_SITE, "": PlanEntry.Mode.ON_SITE}


@register
class PlanEntryImporter(Importer):
    """A department officer's rows are saved and submitted; a coordinator's are saved as drafts for the
    departments to submit (only a department submits its own plan)."""

    kind = "plan_entries"
    label = gettext_lazy("Plan entries")
    roles = ENFORCEMENT
    columns: ClassVar[list[Column]] = [
        Column("credit_code", "统一社会信用代码", required=True),
        Column("month", "月份", required=True),
        Column("items", "检查事项编码", required=True),
        Column("department", "部门"),
        Column("mode", "方式"),
        Column("note", "备注"),
    ]

    def __init__(self, actor):
        super().__init__(actor)
        self.enterprises = scope(Enterprise.objects.all(), actor, region="region", enterprise="pk")
        self.departments = {d.name: d for d in scope(Department.objects.all(), actor, region="region")}
        self.items = {i.code: i for i in InspectionItem.objects.filter(is_active=True)}

    def clean_row(self, values):
        errors = {}
        enterprise = self.enterprises.filter(credit_code=normalize_credit_code(values["credit_code"])).first()
        if enterprise is None:
            errors["credit_code"] = _("No enterprise of your region has this credit code.")
        try:
            year, month = (int(part) for part in values["month"].replace("/", "-").split("-")[:2])
            month_start = date(year, month, 1)
        except ValueError:
            errors["month"] = _("Write the month as 2025-03.")
            month_start = None
        codes = [c.strip() for c in values["items"].replace("，", ",").split(",") if c.strip()]
        unknown = [c for c in codes if c not in self.items]
        if unknown or not codes:
            errors["items"] = _("Unknown item codes: %(codes)s.") % {"codes": "、".join(unknown) or "—"}
        department = self.actor.department if self.actor.role == User.Role.OFFICER else None
        if values.get("department"):
            department = self.departments.get(values["department"])
            if department is None or (self.actor.role == User.Role.OFFICER and department != self.actor.department):
                errors["department"] = _("You can plan only for your own department.")
        elif department is None:
            errors["department"] = _("Name the department.")
        if values.get("mode", "") not in MODES:
            errors["mode"] = _("Write 现场 or 非现场.")
        if errors:
            raise ValidationError(errors)
        return {
            "enterprise": enterprise,
            "month": month_start,
            "items": [self.items[c] for c in codes],
            "department": department,
            "mode": MODES[values.get("mode", "")],
            "note": values.get("note", ""),
        }

    def check_duplicates(self, cleaned):
        seen, errors = set(), []
        for row in cleaned:
            key = (row["department"].pk, row["enterprise"].pk, row["month"])
            if key in seen:
                message = _("The same department, enterprise and month appear twice in the file.")
                errors.append({"row": row["_row"], "column": "统一社会信用代码", "message": message})
            seen.add(key)
        return errors

    def save(self, rows):
        for row in rows:
            entry = services.plan_entry_create(
                department=row["department"],
                enterprise=row["enterprise"],
                items=row["items"],
                month=row["month"],
                mode=row["mode"],
                note=row["note"],
                actor=self.actor,
            )
            if self.actor.department_id == entry.department_id:
                services.plan_entry_submit(entry=entry, actor=self.actor)
        return len(rows)
