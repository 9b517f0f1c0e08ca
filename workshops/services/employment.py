"""Employment after an accepted registration: its end, and the income earned each month."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import User
from programs.services import TransitionError, audit_record

from ..models import Employment, IncomeRecord


def employment_end(*, employment: Employment, actor: User, end_date: date) -> Employment:
    with transaction.atomic():
        locked = Employment.objects.select_for_update().get(pk=employment.pk)
        if locked.end_date is not None:
            raise TransitionError(_("This employment has already ended."), code="already_ended")
        locked.end_date = end_date
        locked.full_clean(exclude=["registration"])
        locked.save(update_fields=["end_date"])
        audit_record(obj=locked, field="end_date", old="", new=str(end_date), actor=actor, action="employment.end")
    return locked


def income_record(*, employment: Employment, month: date, income: Decimal, actor: User | None) -> IncomeRecord:
    """Record (or correct) what an employed resident earned in a month; a correction keeps its audit row."""
    month = month.replace(day=1)
    if Decimal(income) < 0:
        raise ValidationError({"income": _("Income cannot be negative.")})
    if month < employment.start_date.replace(day=1) or (employment.end_date and month > employment.end_date):
        raise ValidationError({"month": _("This month lies outside the employment.")})
    with transaction.atomic():
        record, created = IncomeRecord.objects.select_for_update().get_or_create(
            employment=employment, month=month, defaults={"income": income, "recorded_by": actor}
        )
        if not created and record.income != Decimal(income):
            old = record.income
            record.income = income
            record.recorded_by = actor
            record.save(update_fields=["income", "recorded_by"])
            audit_record(
                obj=record, field="income", old=str(old), new=str(income), actor=actor, action="income.correct"
            )
    return record
