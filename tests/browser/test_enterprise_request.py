"""An enterprise's request (企业诉求) from its phone, in Chinese: it signs in, files a request in its area, sees the
reference; an officer of the department the request was routed to answers on the desktop admin; the enterprise
reads the answer on its phone and rates it."""

import pytest

from inspections.models import EnterpriseRequest, RequestRoute
from programs.models import User
from tests.browser.conftest import screenshot, sign_in
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "pw-enterprise-request-1"


def _with_password(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def test_an_enterprise_files_a_request_on_its_phone_and_rates_the_answer(phone_page, page):
    cast = Cast()
    RequestRoute.objects.create(region=cast.village, category="infrastructure", department=cast.fire, response_days=3)
    boss = _with_password(cast.enterprise_user)
    officer = _with_password(cast.fire_officer)

    # The enterprise, on its phone: sign in, its area, file a request.
    sign_in(phone_page, boss.username, PASSWORD, path="/accounts/login/")
    phone_page.wait_for_url("**/enterprise/")
    phone_page.locator("#requests-link").get_by_role("link", name="提交诉求").click()
    phone_page.wait_for_url("**/inspections/mine/requests/new/")
    phone_page.select_option("select[name=category]", label="道路交通与设施")
    phone_page.fill("input[name=title]", "园区北路施工，货车无法进出")
    phone_page.fill("textarea[name=description]", "北路施工围挡占用车道，大货车无法进出厂区，希望协调夜间通行。")
    screenshot(phone_page, "enterprise-request-form-phone")
    phone_page.get_by_role("button", name="提交", exact=True).click()
    phone_page.wait_for_url("**/inspections/mine/requests/*/")
    filed = EnterpriseRequest.objects.get()
    assert filed.department == cast.fire
    assert f"您的诉求已受理，诉求编号为 {filed.reference}" in phone_page.locator(".messages").inner_text()
    assert phone_page.locator("#reference").inner_text() == filed.reference
    assert phone_page.locator("#status").inner_text() == "已提交"
    assert cast.fire.name in phone_page.locator("#request").inner_text()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing wider than the phone
    screenshot(phone_page, "enterprise-request-filed-phone")

    # The fire department's officer, on the desktop admin: opens the request and answers it.
    sign_in(page, officer.username, PASSWORD)
    page.goto("/admin/inspections/enterpriserequest/")
    page.get_by_role("link", name=filed.reference).click()
    page.fill("textarea[name=reply]", "已协调交警与施工单位，每晚22点后开放一条车道供货车通行。")
    screenshot(page, "enterprise-request-answer-admin")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/inspections/enterpriserequest/")
    filed.refresh_from_db()
    assert (filed.status, filed.answered_by, filed.answered_on_time) == ("answered", officer, True)

    # The enterprise, later, on its phone: the answer, and the rating.
    phone_page.goto("/inspections/mine/requests/")
    phone_page.get_by_role("link", name="园区北路施工，货车无法进出").click()
    assert "每晚22点后开放一条车道" in phone_page.locator("#reply").inner_text()
    assert phone_page.locator("#status").inner_text() == "已答复"
    phone_page.locator("#rate").get_by_label("5").check()
    phone_page.fill("textarea[name=comment]", "解决及时，感谢！")
    phone_page.get_by_role("button", name="提交评价").click()
    phone_page.wait_for_selector("#rating")
    assert phone_page.locator("#rating").inner_text() == "您对答复的评价为 5 分（满分 5 分）。"
    screenshot(phone_page, "enterprise-request-rated-phone")
    filed.refresh_from_db()
    assert (filed.status, filed.rating, filed.rating_comment) == ("rated", 5, "解决及时，感谢！")
