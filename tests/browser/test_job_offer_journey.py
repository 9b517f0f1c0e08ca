"""A villager on a phone (390 × 844, zh-hans): a position opens across the town line 2 km away; they sign in,
find it offered to them on their positions page, open it and register from it; then take a place on a skill
course (智聘)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from programs.models import Notification
from tests.browser.conftest import screenshot, sign_in
from tests.cast import Cast
from tests.workshops.factories import ResidentFactory, WorkshopFactory, resident_user, village
from workshops import services
from workshops.models import CourseEnrolment, JobOffer, Registration

pytestmark = pytest.mark.django_db(transaction=True)


def placed(town, number, name, km_east):
    region = village("330212", town=town, number=number, name=name)
    region.latitude, region.longitude = Decimal("29.820000"), Decimal("121.560000") + Decimal("0.010333") * km_east
    region.save(update_fields=["latitude", "longitude"])
    return region


def test_a_villager_sees_the_offer_registers_from_it_and_takes_a_course(phone_page):
    page = phone_page
    cast = Cast()
    home, across = placed(1, 21, "东海村", 0), placed(2, 21, "西岙村", 2)
    resident = ResidentFactory(name="汤忠定", village=home, phone="13905801234", is_low_income=True)
    user = resident_user(resident)
    position = services.position_create(
        actor=cast.organiser,
        workshop=WorkshopFactory(village=across, name="西岙共富工坊"),
        title="虾仁剥壳",
        category="primary_processing",
        openings=3,
        pay_amount=Decimal("160"),
        pay_unit="day",
    )
    offer = JobOffer.objects.get(resident=resident, position=position)
    assert offer.travel_minutes == 4
    assert Notification.objects.filter(dedupe_key=f"workshops:offer:{position.pk}:{resident.pk}:sms").exists()
    today = timezone.localdate()
    course = services.course_create(
        actor=cast.organiser,
        title="电商直播技能培训",
        region=home,
        starts_on=today + timedelta(days=2),
        ends_on=today + timedelta(days=30),
        schedule="每周二 19:00",
        place="村文化礼堂",
        capacity=20,
    )

    sign_in(page, user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/workshops/**")
    page.goto("/workshops/")
    box = page.locator("section.offers")
    assert "为您推荐的岗位" in box.inner_text()
    card = box.locator("li.offer", has_text="虾仁剥壳")
    assert "西岙共富工坊" in card.inner_text() and "4 分钟" in card.inner_text() and "新" in card.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "job-offer-box-phone")

    card.locator("a").click()
    page.wait_for_url(f"**/workshops/positions/{position.pk}/")
    page.fill("input[name=baseline_monthly_income]", "1200")
    page.check("input[name=consent]")
    screenshot(page, "job-offer-form-phone")
    page.click("main button[type=submit]")
    page.wait_for_url("**/workshops/registered/**")
    registration = Registration.objects.get(resident=resident, position=position)
    assert registration.reference in page.locator("main").inner_text()
    offer.refresh_from_db()
    assert offer.seen_at is not None

    page.goto("/workshops/")
    assert "已报名" in page.locator("section.offers li.offer", has_text="虾仁剥壳").inner_text()

    page.click("a[href='/workshops/courses/']")
    page.wait_for_url("**/workshops/courses/")
    course_card = page.locator("li.course", has_text="电商直播技能培训")
    assert "村文化礼堂" in course_card.inner_text() and "剩余 20 个名额" in course_card.inner_text()
    course_card.locator("button[type=submit]").click()
    page.wait_for_url("**/workshops/courses/")
    assert "电商直播技能培训" in page.locator("ul.messages").inner_text()
    assert "已报名" in page.locator("li.course", has_text="电商直播技能培训").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "course-enrolled-phone")
    assert CourseEnrolment.objects.get(course=course, resident=resident).status == "enrolled"
