"""A resident, on a phone, in Chinese: files a complaint about cooking fumes from the home page (a wrong phone
number first, named on its field), gets the reference and the link, and follows it; the market department's
officer replies in the admin on a desktop, where the complainant is shown to them; the reply is on the link."""

import pytest
from django.conf import settings

from inspections.models import Complaint, ComplaintCategory, ComplaintRoute
from programs.pickers import region_path
from tests.browser.conftest import screenshot, sign_in
from tests.cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_citizen_files_a_complaint_and_follows_it_and_the_officer_replies(phone_page, page):
    cast = Cast()
    ComplaintRoute.objects.create(category=ComplaintCategory.FUMES, region=cast.county, department=cast.market)

    phone = phone_page
    phone.goto("/")
    assert phone.locator("html").get_attribute("lang") == "zh-hans"
    phone.click("#complaints a.button")
    phone.wait_for_url("**/complaints/new/")
    phone.select_option("select[name=category]", label="店铺油烟直排")
    phone.select_option("select[name=region]", label=region_path(cast.regions["town"]))
    phone.fill("input[name=address]", "幸福路12号一楼")
    phone.fill("input[name=business_name]", "老张<b>烧烤</b>")
    phone.fill("textarea[name=description]", "烧烤店油烟直排，二楼住户无法开窗。")
    phone.fill("input[name=complainant_name]", "王秀英")
    phone.fill("input[name=complainant_phone]", "12345")
    phone.click("#complaint-form button[type=submit]")
    error = phone.locator("#id_complainant_phone_field .errorlist")
    assert "11位手机号码" in error.inner_text()
    assert "您的电话" in phone.inner_text("#error-summary")
    screenshot(phone, "complaint-bad-phone-phone")

    phone.fill("input[name=complainant_phone]", "13812345678")
    phone.click("#complaint-form button[type=submit]")
    phone.wait_for_url("**/complaints/follow/**")
    complaint = Complaint.objects.get()
    assert complaint.reference in phone.inner_text("#filed")
    assert "已收到" in phone.inner_text("#status")
    assert "老张<b>烧烤</b>" in phone.inner_text("#complaint")  # typed text shown as text
    assert "王秀英" not in phone.content() and "13812345678" not in phone.content()
    link = phone.url.split("?")[0]
    screenshot(phone, "complaint-filed-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    sign_in(page, cast.market_officer.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/**")
    page.goto(f"/admin/inspections/complaint/{complaint.pk}/change/")
    shown = page.inner_text("#content")
    assert "王秀英" in shown and "13812345678" in shown
    page.fill("textarea[name=reply]", "已现场检查，责令加装油烟净化设施，限期整改。")
    screenshot(page, "complaint-reply-desktop")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/inspections/complaint/")
    complaint.refresh_from_db()
    assert complaint.status == "replied" and complaint.replied_on_time

    phone.goto(link)
    assert "已答复" in phone.inner_text("#status")
    assert "责令加装油烟净化设施" in phone.inner_text("#reply")
    screenshot(phone, "complaint-replied-phone")
