"""Scheduling a coordinated inspection in the admin (the action 排期: the week and the officers, through
``inspection_schedule``), and the field page of a visit not scheduled yet or completed without the code shown."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.utils import timezone

from inspections import services
from inspections.models import Inspection
from programs.models import AuditEntry
from tests.cast import Cast

from .factories import PlanEntryFactory, answered

pytestmark = pytest.mark.django_db

LIST = "/admin/inspections/inspection/"


def coordinated(cast: Cast) -> Inspection:
    """The cast's enterprise planned by the market department for this month and coordinated (已统筹)."""
    month = timezone.localdate().replace(day=1)
    PlanEntryFactory(department=cast.market, enterprise=cast.enterprise, month=month, actor=cast.market_officer)
    services.month_coordinate(region=cast.enterprise.region, month=month, actor=cast.coordinator)
    inspection = Inspection.objects.get(enterprise=cast.enterprise, month=month)
    assert inspection.status == Inspection.Status.PLANNED
    return inspection


def first_monday(inspection: Inspection):
    return inspection.month - timedelta(days=inspection.month.weekday())


def schedule(client: Client, inspection: Inspection, week, officers):
    return client.post(
        LIST,
        {
            "action": "schedule",
            "_selected_action": [inspection.pk],
            "apply": "1",
            "week_start": f"{week:%Y-%m-%d}",
            "officers": [o.pk for o in officers],
        },
    )


def test_the_coordinator_schedules_a_coordinated_inspection_in_the_admin(cast):
    inspection = coordinated(cast)
    client = Client()
    client.force_login(cast.coordinator)
    form = client.post(LIST, {"action": "schedule", "_selected_action": [inspection.pk]})
    assert form.status_code == 200
    text = form.content.decode()
    assert 'type="date"' in text and 'name="officers"' in text
    assert f'value="{cast.market_officer.pk}"' in text
    assert f'value="{cast.fire_officer.pk}"' not in text  # not a participating department

    week = first_monday(inspection)
    done = schedule(client, inspection, week, [cast.market_officer])
    assert done.status_code == 302
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.SCHEDULED
    assert inspection.week_start == week
    assert list(inspection.officers.all()) == [cast.market_officer]
    assert inspection.code
    audit = AuditEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Inspection),
        object_id=inspection.pk,
        field="status",
        new_value=Inspection.Status.SCHEDULED,
    )
    assert audit.actor == cast.coordinator
    messages = [str(m) for m in client.get(LIST).context["messages"]]
    assert any("已排期" in m for m in messages), messages


def test_an_officer_of_another_department_is_refused_on_the_officers_field(cast):
    inspection = coordinated(cast)
    client = Client()
    client.force_login(cast.coordinator)
    page = schedule(client, inspection, first_monday(inspection), [cast.fire_officer])
    assert page.status_code == 200
    form = page.context["form"]
    assert list(form.errors) == ["officers"]
    assert form.errors.as_data()["officers"][0].code == "invalid_choice"
    assert "不是可用的选项" in page.content.decode() or "有效的选项" in page.content.decode()
    inspection.refresh_from_db()
    assert (inspection.status, inspection.week_start) == (Inspection.Status.PLANNED, None)


def test_a_day_other_than_monday_is_refused_by_name(cast):
    inspection = coordinated(cast)
    client = Client()
    client.force_login(cast.coordinator)
    wednesday = first_monday(inspection) + timedelta(days=2)
    page = schedule(client, inspection, wednesday, [cast.market_officer])
    assert page.status_code == 200
    assert page.context["form"].errors.as_data()["week_start"][0].code == "not_a_monday"
    assert "星期三" in page.content.decode()
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PLANNED


def test_someone_without_the_right_cannot_schedule(cast):
    inspection = coordinated(cast)
    client = Client()
    client.force_login(cast.organiser)
    refused = schedule(client, inspection, first_monday(inspection), [cast.market_officer])
    assert refused.status_code == 403
    client.force_login(cast.fire_officer)  # sees no inspection of the market department: nothing selected
    schedule(client, inspection, first_monday(inspection), [cast.market_officer])
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PLANNED


def test_the_field_page_of_an_unscheduled_visit_says_who_schedules_it(cast):
    inspection = coordinated(cast)
    client = Client()
    client.force_login(cast.market_officer)
    text = client.get(f"/field/visits/{inspection.pk}/").content.decode()
    assert "本次检查尚未排期" in text and "统筹人员" in text
    assert "· </p>" not in text and "·\n" not in text
    assert 'id="show-code"' not in text


def test_a_visit_completed_without_the_code_shown_has_no_show_code_button(cast):
    inspection = coordinated(cast)
    services.inspection_schedule(
        inspection=inspection,
        week_start=first_monday(inspection),
        officers=[cast.market_officer],
        actor=cast.coordinator,
    )
    inspection = services.inspection_start(inspection=inspection, actor=cast.market_officer)
    answered(inspection, cast.market_officer)
    services.inspection_complete(
        inspection=inspection,
        actor=cast.market_officer,
        code_not_shown_reason=Inspection.CodeNotShownReason.NO_SIGNAL,
    )
    client = Client()
    client.force_login(cast.market_officer)
    text = client.get(f"/field/visits/{inspection.pk}/").content.decode()
    assert "未亮码" in text
    assert 'id="show-code"' not in text
    assert "本次检查尚未排期" not in text
