"""The recommendation letter (建议书) in a real browser: an officer issues it from the admin and downloads the
stored PDF, and a later change of the advice is refused; the enterprise downloads the very same bytes on its
phone, from the emailed link and from its own area."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from guidance import selectors, services
from guidance.models import Advice, Booking
from programs.documents import document_bytes
from programs.services import notifications_send_due
from tests.browser.conftest import sign_in
from tests.cast import Cast
from tests.factories import EnterpriseFactory, enterprise_user
from tests.guidance.factories import BookingFactory, SlotFactory, ThemeFactory, claimed, visit_started
from tests.inspections.factories import ItemFactory
from tests.pdf import pdf_text

pytestmark = pytest.mark.django_db(transaction=True)

BUSINESS = "鄞州梅园面馆有限公司"
EMAIL = "meiyuan@example.cn"
ADVICE = "油烟净化器应装在排烟管道起点"
SUMMARY = "现场查看后厨与排烟管道"
LATE_ADVICE = "灶台与墙面的距离不少于10厘米"
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def shots(tmp_path_factory):
    """``shots(page, name)``: keeps a full-page screenshot of a key screen under pytest's temporary folder
    (``--basetemp`` puts it where you want), to look at after the run."""
    folder = tmp_path_factory.mktemp("issued-letter")

    def take(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


def _held_visit(cast: Cast) -> Booking:
    """A registered enterprise's visit, held and completed by the fire-rescue officer with one advice, one risk
    and a summary recorded; its letter not issued yet."""
    enterprise = EnterpriseFactory(name=BUSINESS, region=cast.village, contact_email=EMAIL)
    item = ItemFactory(department=cast.fire, name="厨房排油烟设施", simple=True)
    theme = ThemeFactory(title="开办餐饮", items=[item])
    booking = claimed(  # booked on the public form with its credit code, then claimed by the enterprise
        BookingFactory(
            slot=SlotFactory(themes=[theme]),
            business_name="",  # the registered enterprise's name
            not_registered=False,
            credit_code=enterprise.credit_code,
            contact_email=EMAIL,
        )
    )
    services.booking_confirm(booking=booking, actor=cast.coordinator, officers=[cast.fire_officer])
    booking = visit_started(booking)
    services.advice_record(booking=booking, actor=cast.fire_officer, item=item, text=ADVICE)
    services.risk_record(
        booking=booking,
        actor=cast.fire_officer,
        item=item,
        description="排烟口正对居民窗户",
        suggestion="改向屋顶排放",
        deadline=timezone.localdate() + timedelta(days=14),
    )
    return services.booking_complete(booking=booking, actor=cast.fire_officer, summary=SUMMARY)


def _download(page, link) -> tuple[str, bytes]:
    """Click ``link`` (a locator) and wait for the file the browser saves: its name and its bytes."""
    with page.expect_download() as started:
        link.click()
    download = started.value
    return download.suggested_filename, Path(download.path()).read_bytes()


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _officer_issues_the_letter_and_downloads_it(page, cast: Cast, booking: Booking, shots) -> bytes:
    """From the sign-in page: the booking list, the action 出具建议书, the booking's page, its letter page, the PDF."""
    page.set_viewport_size(DESKTOP)
    page.goto("/accounts/login/")
    shots(page, "desktop-01-sign-in")
    sign_in(page, cast.fire_officer.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/field/")  # an officer lands on the field area; the dashboard is one tap away
    page.locator("header a[href='/admin/']").click()
    page.wait_for_url("**/admin/")
    page.locator("a[href='/admin/guidance/booking/']").first.click()
    page.wait_for_url("**/admin/guidance/booking/")
    page.check(f"input[name=_selected_action][value='{booking.pk}']")
    page.select_option("select[name=action]", label="出具建议书")
    shots(page, "desktop-02-action-chosen")
    page.click("button[name=index]")
    issued = page.locator("ul.messagelist .success")
    issued.wait_for()
    assert issued.inner_text() == "已出具 1 份建议书。"
    booking.refresh_from_db()
    number = booking.letter_number
    assert number == f"{booking.reference}-JY"
    shots(page, "desktop-03-issued")

    page.click(f"#result_list a[href$='/admin/guidance/booking/{booking.pk}/change/']")
    page.wait_for_url(f"**/admin/guidance/booking/{booking.pk}/change/")
    assert page.locator(".field-letter_number .readonly").inner_text() == number
    shots(page, "desktop-04-booking")
    page.click("text=建议书及其各版本 PDF")
    page.wait_for_url(f"**/guidance/letters/{booking.pk}/")
    assert page.locator("article h1").inner_text() == "行政指导建议书"
    assert f"致：{BUSINESS}" in page.locator("article").inner_text()
    shots(page, "desktop-05-letter")
    filename, pdf = _download(page, page.get_by_role("link", name=f"建议书 {number} 第 1 版（PDF）"))
    assert filename == f"{number}-v1.pdf"
    return pdf


def test_an_officer_issues_the_letter_downloads_it_and_cannot_change_the_advice_after(page, shots):
    cast = Cast()
    booking = _held_visit(cast)
    pdf = _officer_issues_the_letter_and_downloads_it(page, cast, booking, shots)
    booking.refresh_from_db()
    number = booking.letter_number

    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    for phrase in ("行政指导建议书", f"编号{number}", f"致：{BUSINESS}", "开办餐饮", ADVICE, "排烟口正对居民窗户"):
        assert phrase in text, phrase

    # Once issued, the summary is no longer offered for change on the booking's page …
    page.go_back()
    page.wait_for_url(f"**/admin/guidance/booking/{booking.pk}/change/")
    assert page.locator("textarea[name=summary]").count() == 0
    assert page.locator(".field-summary .readonly").inner_text() == SUMMARY
    # … and more advice, sent from the API's own page in the same signed-in browser, is refused by name.
    page.goto(f"/api/v1/guidance/bookings/{booking.pk}/advice/")
    page.click("text=Raw data")
    page.select_option("#id__content_type", "application/json")
    page.fill("#id__content", f'{{"text": "{LATE_ADVICE}"}}')
    page.click("#post-generic-content-form button")
    answer = page.locator(".response-info")
    answer.get_by_text("HTTP 400").wait_for()
    shots(page, "desktop-06-advice-refused")
    refusal = answer.inner_text()
    assert f"建议书 {number} 已按本次指导的意见、隐患和小结出具；如需修改，请出具新版本的建议书。" in refusal
    assert '"text"' in refusal  # the field it names
    assert list(Advice.objects.filter(booking=booking).values_list("text", flat=True)) == [ADVICE]

    page.goto(f"/guidance/letters/{booking.pk}/")
    assert page.get_by_role("link", name=re.compile(r"建议书 .* 第 \d+ 版（PDF）")).count() == 1
    filename, again = _download(page, page.get_by_role("link", name=f"建议书 {number} 第 1 版（PDF）"))
    assert filename == f"{number}-v1.pdf"
    assert again == pdf
    assert LATE_ADVICE not in pdf_text(again)


def test_the_enterprise_downloads_the_same_letter_on_its_phone_from_the_emailed_link(page, phone_page, shots):
    cast = Cast()
    booking = _held_visit(cast)
    staff_pdf = _officer_issues_the_letter_and_downloads_it(page, cast, booking, shots)
    booking.refresh_from_db()
    number = booking.letter_number

    notifications_send_due()  # the outbox sweep sends the email
    [letter_mail] = [m for m in mail.outbox if m.to == [EMAIL] and m.subject == f"建议书 {number}"]
    assert letter_mail.body.startswith("您的指导服务建议书已出具：")
    link = re.search(r"/guidance/manage/[^/\s]+/", letter_mail.body).group(0)

    phone = phone_page
    phone.goto(link)
    assert phone.locator("main h1").inner_text() == "您的指导预约"
    assert booking.reference in phone.locator("main").inner_text()
    assert _fits_the_screen(phone)
    shots(phone, "phone-01-emailed-link")
    phone.click(f"main a[href='{link}letter/']")
    phone.wait_for_url(f"**{link}letter/")
    assert phone.locator("article h1").inner_text() == "行政指导建议书"
    assert f"编号 {number}" in phone.locator("article").inner_text()
    assert _fits_the_screen(phone)  # the PDF's 64-character SHA-256 wraps instead of widening the page
    shots(phone, "phone-02-letter")
    filename, phone_pdf = _download(phone, phone.get_by_role("link", name=f"建议书 {number} 第 1 版（PDF）"))
    assert filename == f"{number}-v1.pdf"
    assert phone_pdf == staff_pdf


def test_the_enterprise_signs_in_on_its_phone_and_downloads_the_letter_from_its_bookings(phone_page, shots):
    cast = Cast()
    booking = services.letter_issue(booking=_held_visit(cast), actor=cast.fire_officer)
    issued = document_bytes(selectors.letter_document(booking=booking))
    user = enterprise_user(booking.enterprise)

    phone = phone_page
    phone.goto("/accounts/login/")
    shots(phone, "phone-03-sign-in")
    sign_in(phone, user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    phone.wait_for_url("**/enterprise/")
    assert BUSINESS in phone.locator("main").inner_text()
    shots(phone, "phone-04-area")
    phone.click("main a[href='/guidance/mine/']")
    phone.wait_for_url("**/guidance/mine/")
    shots(phone, "phone-05-my-bookings")
    phone.click(f"main a[href='/guidance/letters/{booking.pk}/']")
    phone.wait_for_url(f"**/guidance/letters/{booking.pk}/")
    assert phone.locator("article h1").inner_text() == "行政指导建议书"
    assert _fits_the_screen(phone)
    shots(phone, "phone-06-letter")
    filename, pdf = _download(phone, phone.get_by_role("link", name=f"建议书 {booking.letter_number} 第 1 版（PDF）"))
    assert filename == f"{booking.letter_number}-v1.pdf"
    assert pdf == issued
