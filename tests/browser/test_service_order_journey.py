"""An enterprise of 118 工业社区's street, on a phone, in Chinese: signs in, opens the community's services from its
area, orders the summer class for twelve of its workers' children, and sees the order accepted, then delivered,
and rates it; an order past the places left is refused on its field."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from inspections.models import ServiceOffering, ServiceOrder
from inspections.services import ordering as services
from programs.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.factories import EnterpriseFactory, UserFactory, enterprise_user, region_tree

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_enterprise_orders_a_community_service_for_its_workers_on_a_phone(phone_page):
    page = phone_page
    village = region_tree()["village"]
    worker = UserFactory(role=User.Role.GRID_WORKER, region=village)
    company = EnterpriseFactory(region=village, name="甬兴机械有限公司")
    user = enterprise_user(company)
    today = timezone.localdate()
    offering = services.offering_publish(
        community=village,
        actor=worker,
        kind=ServiceOffering.Kind.SUMMER_CLASS,
        title="职工子女暑期托班",
        description="工作日8:00–17:30，含午餐",
        starts_on=today + timedelta(days=5),
        ends_on=today + timedelta(days=50),
        capacity=20,
    )

    sign_in(page, user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/enterprise/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.click("#community-services")
    page.wait_for_url("**/inspections/mine/services/")
    card = page.locator(f"#offering-{offering.pk}")
    assert "职工子女暑期托班" in card.inner_text() and "剩余名额20/20" in card.inner_text()
    screenshot(page, "service-order-catalogue-phone")

    card.locator("input[name$=people]").fill("25")
    card.locator("button[type=submit]").click()
    card = page.locator(f"#offering-{offering.pk}")
    assert "仅剩20个名额" in card.locator(".errorlist").inner_text()
    screenshot(page, "service-order-over-capacity-phone")

    card.locator("input[name$=people]").fill("12")
    card.locator("textarea[name$=note]").fill("12名职工子女，7月起")
    card.locator("button[type=submit]").click()
    page.wait_for_url("**/inspections/mine/services/")
    assert "已点单：职工子女暑期托班，12人" in page.inner_text(".messages")
    order = ServiceOrder.objects.get(enterprise=company)
    row = page.locator(f"#order-{order.pk}")
    assert "已点单" in row.inner_text()
    assert "剩余名额8/20" in page.locator(f"#offering-{offering.pk}").inner_text()
    screenshot(page, "service-order-placed-phone")

    services.order_accept(order=order, actor=worker)
    page.reload()
    assert "已接单" in page.locator(f"#order-{order.pk} .status").inner_text()
    screenshot(page, "service-order-accepted-phone")

    services.order_deliver(order=order, actor=worker, people_served=12)
    page.reload()
    row = page.locator(f"#order-{order.pk}")
    assert "已服务" in row.inner_text() and "已服务12人" in row.inner_text()
    row.locator("select[name$=rating]").select_option("5")
    row.locator("input[name$=feedback]").fill("孩子们很喜欢")
    row.locator("button:has-text('评价')").click()
    page.wait_for_url("**/inspections/mine/services/")
    assert "已评5/5分" in page.locator(f"#order-{order.pk}").inner_text()
    screenshot(page, "service-order-rated-phone")
    # The page fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
