"""What people do, in a real browser: book and cancel a guidance visit, register for a position, verify an
inspection code, import a spreadsheet with a bad row."""

import random
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from openpyxl import Workbook

from guidance.models import Booking
from inspections.services import format_code
from programs.demo import make_credit_code
from programs.models import Enterprise
from programs.services import notifications_send_due
from tests.browser.conftest import sign_in
from tests.cast import Cast
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, region_tree
from tests.guidance.factories import SlotFactory, ThemeFactory
from tests.inspections.factories import InspectionFactory
from tests.workshops.factories import PositionFactory, WorkshopFactory, id_number, village
from workshops.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_enterprise_books_a_visit_on_a_phone_and_cancels_it_from_the_emailed_link(phone_page):
    page = phone_page
    theme = ThemeFactory(title="开办餐饮")
    SlotFactory(themes=[theme], capacity=2)
    page.goto(f"/guidance/book/{theme.code}/")
    page.locator("input[name=slot]").first.check()
    page.locator("input[name=mode]").first.check()
    page.check("input[name=not_registered]")
    page.fill("input[name=business_name]", "周女士的面馆（筹）")
    page.fill("input[name=address]", "北仑区梅山街道1号")
    page.fill("input[name=contact_name]", "周女士")
    page.fill("input[name=contact_phone]", "13900000001")
    page.fill("input[name=contact_email]", "zhou@example.cn")
    page.check("input[name=consent]")
    page.click("main button:has-text('提交预约')")  # not the district picker's button
    page.wait_for_url("**/guidance/manage/**")
    booking = Booking.objects.get()
    assert booking.reference in page.content()

    notifications_send_due()  # the outbox sweep sends the confirmation
    [confirmation] = [m for m in mail.outbox if booking.reference in m.subject + m.body and m.to == ["zhou@example.cn"]]
    link = re.search(r"/guidance/manage/[^/\s]+/", confirmation.body).group(0)
    page.goto(link)
    page.fill("textarea[name=reason]", "店面装修推迟")
    page.click("main form[action$='/cancel/'] button[type=submit]")
    page.click("button:has-text('确认取消')")  # the confirmation step
    page.wait_for_selector(f"text=预约 {booking.reference} 已取消")
    booking.refresh_from_db()
    assert booking.status == "cancelled"


def test_a_villager_registers_for_a_position_near_home(phone_page):
    page = phone_page
    home = village()
    position = PositionFactory(workshop=WorkshopFactory(village=home), title="贻贝分拣", openings=3)
    page.goto("/workshops/")
    page.click(f"a[href='/workshops/positions/{position.pk}/']")
    page.fill("input[name=name]", "汤忠定")
    page.fill("input[name=id_number]", id_number("19640305"))
    page.fill("input[name=phone]", "13700000002")
    page.select_option("select[name=village]", str(home.pk))
    page.fill("input[name=baseline_monthly_income]", "1800")
    page.check("input[name=consent]")
    page.click("main button[type=submit]")
    page.wait_for_url("**/workshops/registered/**")
    registration = Registration.objects.get()
    assert registration.position == position
    assert registration.baseline_monthly_income == Decimal("1800")
    assert registration.reference in page.content()


def test_a_wrong_id_number_is_explained_next_to_its_field(phone_page):
    page = phone_page
    position = PositionFactory(workshop=WorkshopFactory(village=village()))
    page.goto(f"/workshops/positions/{position.pk}/")
    page.fill("input[name=name]", "李大伯")
    bad = id_number("19600101")
    page.fill("input[name=id_number]", bad[:-1] + ("1" if bad[-1] != "1" else "2"))
    page.check("input[name=consent]")
    page.click("main button[type=submit]")
    assert page.locator("#id_id_number_errors").is_visible()
    assert not Registration.objects.exists()


def test_anyone_verifies_an_inspection_code_by_typing_it(page):
    cast = Cast()
    inspection = InspectionFactory(cast=cast)
    page.goto("/verify/")
    page.fill("input[name=code]", format_code(inspection.code))
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/verify/{inspection.code}/")
    assert cast.enterprise.name in page.content()


def test_a_coordinator_imports_a_spreadsheet_and_sees_the_bad_row_reported(page, tmp_path):
    user = coordinator()
    village_region = region_tree()["village"]
    rng = random.Random(11)
    book = Workbook()
    sheet = book.active
    sheet.append(["企业名称", "统一社会信用代码", "区划代码"])
    sheet.append(["导入1", make_credit_code(rng, "330212"), village_region.code])
    sheet.append(["导入2", "91330212MA2AAAAAA0", village_region.code])  # wrong check character
    path = tmp_path / "enterprises.xlsx"
    book.save(path)
    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/imports/")
    page.select_option("select[name=kind]", "enterprises")
    page.set_input_files("input[name=file]", str(path))
    page.click("input[type=submit]")
    page.wait_for_selector("#import-errors")
    row = page.locator("#import-errors tr.errornote").first.inner_text()
    assert row.startswith("3")
    assert "统一社会信用代码" in row
    assert not Enterprise.objects.filter(name__startswith="导入").exists()


def test_an_enterprise_user_signs_in_and_lands_on_its_area(page):
    user = enterprise_user(EnterpriseFactory(name="潘火汽车销售有限公司"))
    sign_in(page, user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/enterprise/")
    assert page.locator("#where-we-stand").is_visible()
    assert "潘火汽车销售有限公司" in page.content()
