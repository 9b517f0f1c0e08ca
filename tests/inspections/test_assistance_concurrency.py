"""Joint assistance under concurrent requests: the lead closing a case while a task is being added leaves no
solved case with an open task."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections import services
from inspections.models import AssistanceCase, AssistanceTask
from tests.cast import Cast
from tests.conftest import failures, released_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_closing_a_case_while_a_task_is_added_leaves_no_open_task_on_a_solved_case():
    cast = Cast()
    case = services.assistance_open(
        enterprise=cast.enterprise,
        title="道路与消防",
        problem="跨部门",
        lead_department=cast.market,
        departments=[cast.fire],
        target_on=timezone.localdate() + timedelta(days=30),
        actor=cast.market_officer,
    )

    def add():
        return services.assistance_task_add(
            case=AssistanceCase.objects.get(pk=case.pk),
            department=cast.fire,
            owner=cast.fire_officer,
            title="核查",
            deadline=timezone.localdate() + timedelta(days=3),
            actor=cast.market_officer,
        )

    def close():
        return services.assistance_close(
            case=AssistanceCase.objects.get(pk=case.pk), resolution="已解决", actor=cast.market_officer
        )

    results = released_together([add, close])
    assert not failures(results, expected=(ValidationError,))
    case.refresh_from_db()
    open_tasks = AssistanceTask.objects.filter(case=case, status=AssistanceTask.Status.OPEN).count()
    assert (case.status, open_tasks) in ((AssistanceCase.Status.SOLVED, 0), (AssistanceCase.Status.OPEN, 1))
