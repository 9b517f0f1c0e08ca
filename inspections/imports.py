"""Departments' plan entries from a spreadsheet (年计划): one row per enterprise, month and items. A row marked
年计划 是 joins its department's year plan of the row's year (drafted or returned), as a draft submitted when
the plan is published."""

from datetime import date
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from programs.imports import Column, Importer, is_yes, register
from programs.models import Department, Enterprise, User
from programs.roles import ENFORCEMENT
from programs.selectors import scope
from programs.spreadsheets import SeenKeys
from programs.validators import normalize_credit_code

from . import services
from .models import InspectionItem, PlanEntry, YearPlan

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
        Column("year_plan", "年计划"),
    ]

    def __init__(self, actor, **kwargs):
        super().__init__(actor, **kwargs)
        self.enterprises = scope(Enterprise.objects.all(), actor, region="region", enterprise="pk")
        self.departments = {d.name: d for d in scope(Department.objects.all(), actor, region="region")}
        self.items = {i.code: i for i in InspectionItem.objects.filter(is_active=True)}
        self.chunk_enterprises: dict[str, Enterprise] = {}  # the chunk's enterprises by credit code
        self.seen = SeenKeys()  # (department, enterprise, month) of the file so far

    def prepare(self, rows):
        codes = {normalize_credit_code(values.get("credit_code", "")) for values in rows} - {""}
        self.chunk_enterprises = {e.credit_code: e for e in self.enterprises.filter(credit_code__in=codes).order_by()}

    def clean_row(self, values):
        errors = {}
        enterprise = self.chunk_enterprises.get(normalize_credit_code(values["credit_code"]))
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
        year_plan = None
        if is_yes(values.get("year_plan", "")) and department is not None and month_start is not None:
            year_plan = self._open_year_plan(department, month_start.year)
            if year_plan is None:
                errors["year_plan"] = _("The department has no year plan of %(year)s open for entries.") % {
                    "year": month_start.year
                }
        if errors:
            raise ValidationError(errors)
        return {
            "enterprise": enterprise,
            "month": month_start,
            "items": [self.items[c] for c in codes],
            "department": department,
            "mode": MODES[values.get("mode", "")],
            "note": values.get("note", ""),
            "year_plan": year_plan,
        }

    def _open_year_plan(self, department, year) -> YearPlan | None:
        plans = self.__dict__.setdefault("open_year_plans", {})
        if (department.pk, year) not in plans:
            plans[department.pk, year] = YearPlan.objects.filter(
                department=department, year=year, status__in=[YearPlan.Status.DRAFT, YearPlan.Status.RETURNED]
            ).first()
        return plans[department.pk, year]

    def check_duplicates(self, cleaned):
        errors = []
        for row in cleaned:
            key = (row["department"].pk, row["enterprise"].pk, row["month"])
            if self.seen.add(key):
                message = _("The same department, enterprise and month appear twice in the file.")
                errors.append({"row": row["_row"], "column": "统一社会信用代码", "message": message})
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
                year_plan=row["year_plan"],
            )
            if entry.year_plan_id is None and self.actor.department_id == entry.department_id:
                services.plan_entry_submit(entry=entry, actor=self.actor)
        return len(rows)
