"""Courses (技能课程, 智聘): residents enrol (once, within the places), give the place back, and staff record who
came; the API by role."""

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programs.models import AuditEntry, Notification
from programs.services import TransitionError
from tests.cast import Cast
from tests.conftest import failures, released_together
from workshops import services
from workshops.models import Course, CourseEnrolment
from workshops.selectors import workshop_indicators

from .factories import ResidentFactory, resident_user

pytestmark = pytest.mark.django_db


def announce(cast, **fields):
    today = timezone.localdate()
    defaults = {
        "title": "电商直播技能培训",
        "region": cast.village,
        "starts_on": today,
        "ends_on": today + timedelta(days=14),
        "schedule": "每周二 19:00–21:00",
        "place": "村文化礼堂",
        "capacity": 2,
    }
    return services.course_create(actor=cast.organiser, **{**defaults, **fields})


def code(excinfo, field="course"):
    return excinfo.value.error_dict[field][0].code


def test_a_resident_enrols_once_and_is_texted_the_course(cast):
    course = announce(cast)
    resident = ResidentFactory(village=cast.village)
    enrolment, created = services.course_enrol(course=course, resident=resident, actor=cast.grid_worker)
    again, created_again = services.course_enrol(course=course, resident=resident, actor=cast.grid_worker)
    assert (created, created_again, again.pk) == (True, False, enrolment.pk)
    course.refresh_from_db()
    assert course.enrolled_count == 1 and course.places_left == 1
    sms = Notification.objects.get(channel="sms", address=resident.phone)
    assert "电商直播技能培训" in sms.body and "村文化礼堂" in sms.body
    assert AuditEntry.objects.filter(action="course_enrolment.enrol", object_id=enrolment.pk).count() == 1


def test_a_full_course_refuses_and_a_place_given_back_is_taken_again(cast):
    course = announce(cast, capacity=1)
    first, second = ResidentFactory(village=cast.village), ResidentFactory(village=cast.village)
    enrolment, _ = services.course_enrol(course=course, resident=first, actor=None)
    with pytest.raises(ValidationError) as refused:
        services.course_enrol(course=course, resident=second, actor=None)
    assert code(refused) == "course_full"
    services.course_enrolment_cancel(enrolment=enrolment, actor=cast.grid_worker, reason="家里有事")
    services.course_enrol(course=course, resident=second, actor=None)
    with pytest.raises(ValidationError) as full_again:
        services.course_enrol(course=course, resident=first, actor=None)
    assert code(full_again) == "course_full"
    assert Course.objects.get(pk=course.pk).enrolled_count == 1
    assert CourseEnrolment.objects.get(pk=enrolment.pk).status == "cancelled"


def test_a_closed_or_cancelled_course_takes_no_enrolment(cast):
    course = announce(cast)
    services.course_set_status(course=course, to=Course.Status.CLOSED, actor=cast.organiser)
    with pytest.raises(ValidationError) as refused:
        services.course_enrol(course=course, resident=ResidentFactory(village=cast.village), actor=None)
    assert code(refused) == "course_closed"
    with pytest.raises(TransitionError) as no_reason:
        services.course_set_status(course=course, to=Course.Status.CANCELLED, actor=cast.organiser)
    assert "reason" in no_reason.value.error_dict


def test_attendance_is_recorded_from_the_first_day_and_counted(cast):
    today = timezone.localdate()
    later = announce(cast, title="以后的课", starts_on=today + timedelta(days=3), ends_on=today + timedelta(days=9))
    course = announce(cast, capacity=3)
    came, stayed_home = ResidentFactory(village=cast.village), ResidentFactory(village=cast.village)
    early, _ = services.course_enrol(course=later, resident=came, actor=None)
    with pytest.raises(ValidationError) as too_early:
        services.course_attendance_record(enrolment=early, attended=True, actor=cast.grid_worker)
    assert code(too_early, "attendance") == "course_not_started"
    present, _ = services.course_enrol(course=course, resident=came, actor=None)
    absent, _ = services.course_enrol(course=course, resident=stayed_home, actor=None)
    services.course_attendance_record(enrolment=present, attended=True, actor=cast.grid_worker)
    services.course_attendance_record(enrolment=absent, attended=False, actor=cast.grid_worker)
    with pytest.raises(TransitionError) as kept:
        services.course_enrolment_cancel(enrolment=present, actor=cast.grid_worker)
    assert kept.value.code == "attendance_recorded"
    assert CourseEnrolment.objects.get(pk=present.pk).attendance == "attended"
    figures = workshop_indicators(user=cast.organiser, start=today.replace(month=1, day=1), end=today)
    assert figures["courses"] == {"count": 1, "enrolments": 2, "attended": 1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_five_residents_at_once_for_two_places_take_two():
    cast = Cast()
    course = announce(cast)
    residents = [ResidentFactory(village=cast.village) for _ in range(5)]
    results = released_together(
        [partial(services.course_enrol, course=course, resident=r, actor=None) for r in residents]
    )
    assert not failures(results, expected=(ValidationError,))
    assert sum(not isinstance(r, BaseException) for r in results) == 2
    course.refresh_from_db()
    assert course.enrolled_count == 2 == CourseEnrolment.objects.filter(course=course).count()


def test_the_api_lets_a_resident_enrol_and_staff_record_attendance(cast, api_as):
    course = announce(cast)
    villager = cast.resident_user
    answer = api_as(villager).get("/api/v1/workshop-courses/")
    assert [c["title"] for c in answer.json()["results"]] == ["电商直播技能培训"]
    enrolled = api_as(villager).post(f"/api/v1/workshop-courses/{course.pk}/enrol/", {}, format="json")
    assert enrolled.status_code == 201 and enrolled.json()["resident"] == cast.resident.pk
    assert api_as(villager).post(f"/api/v1/workshop-courses/{course.pk}/enrol/", {}).status_code == 200
    enrolment_id = enrolled.json()["id"]
    assert (
        api_as(villager)
        .post(f"/api/v1/workshop-enrolments/{enrolment_id}/attendance/", {"attendance": "attended"})
        .status_code
        == 403
    )
    marked = api_as(cast.grid_worker).post(
        f"/api/v1/workshop-enrolments/{enrolment_id}/attendance/", {"attendance": "attended"}
    )
    assert marked.status_code == 200 and marked.json()["attendance"] == "attended"
    other = resident_user(ResidentFactory(village=cast.village))
    assert api_as(other).get(f"/api/v1/workshop-enrolments/{enrolment_id}/").status_code == 404
    assert api_as(cast.coordinator).post("/api/v1/workshop-courses/", {"title": "x"}).status_code == 403
    made = api_as(cast.organiser).post(
        "/api/v1/workshop-courses/",
        {
            "title": "贻贝养殖",
            "region": cast.village.pk,
            "starts_on": "2030-01-01",
            "ends_on": "2030-01-10",
            "capacity": 20,
        },
    )
    assert made.status_code == 201 and made.json()["status"] == "open"
    assert api_as(cast.enterprise_user).post(f"/api/v1/workshop-courses/{course.pk}/enrol/", {}).status_code == 403
