"""The recommendation letter is an issued document: rendered once into a stored PDF and served as stored; the
advice, risks and summary it states change only with a new version of it, which keeps the old one."""

import re
from datetime import timedelta
from functools import partial

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from guidance import selectors, services
from guidance.models import Advice, Booking, Risk, Theme
from programs.documents import document_bytes
from programs.models import AuditEntry, IssuedDocument, Notification
from tests.conftest import failures, released_together
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, officer
from tests.pdf import pdf_fonts, pdf_text

from .factories import BookingFactory, SlotFactory, ThemeFactory, claimed, visit_started

pytestmark = pytest.mark.django_db


def _held_visit(*, summary="现场查看后厨与排烟管道"):
    """A completed visit of a registered enterprise with one advice and one risk; its letter not issued yet."""
    enterprise = EnterpriseFactory()
    theme = ThemeFactory(title="开办餐饮")
    slot = SlotFactory(themes=[theme])
    booking = claimed(BookingFactory(slot=slot, not_registered=False, credit_code=enterprise.credit_code))
    inspector = officer(department=theme.departments.get())
    services.booking_confirm(booking=booking, actor=coordinator(), officers=[inspector])
    booking = visit_started(booking)
    item = theme.items.get()
    services.advice_record(booking=booking, actor=inspector, item=item, text="油烟净化器应装在排烟管道起点")
    services.risk_record(
        booking=booking,
        actor=inspector,
        item=item,
        description="排烟口正对居民窗户",
        suggestion="改向屋顶排放",
        deadline=timezone.localdate() + timedelta(days=14),
    )
    booking = services.booking_complete(booking=booking, actor=inspector, summary=summary)
    return booking, inspector, enterprise


def _pdf(client, booking, **params) -> bytes:
    response = client.get(f"/guidance/letters/{booking.pk}/pdf/", params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response.content


def test_the_letter_is_issued_once_as_a_stored_pdf_and_served_byte_identical(client, api_as):
    booking, inspector, enterprise = _held_visit()
    booking = services.letter_issue(booking=booking, actor=inspector)
    again = services.letter_issue(booking=booking, actor=inspector)  # a second issue answers the first

    [document] = IssuedDocument.objects.filter(kind=selectors.LETTER_KIND)
    assert (document.number, document.version, document.issued_by) == (f"{booking.reference}-JY", 1, inspector)
    assert again.letter_number == booking.letter_number == document.number
    assert again.letter_issued_at == document.issued_at
    # The letter is its session's document (issue 19): the issue is in the session's history and the booking's.
    session = booking.sessions.get()
    assert (
        AuditEntry.objects.filter(content_type__model="session", object_id=session.pk, action="document.issue").count()
        == 1
    )
    assert (
        AuditEntry.objects.filter(content_type__model="booking", object_id=booking.pk, action="booking.letter").count()
        == 1
    )
    assert Notification.objects.filter(dedupe_key__startswith=f"guidance:booking:{booking.pk}:letter").exists()

    client.force_login(enterprise_user(enterprise))
    url = f"/guidance/letters/{booking.pk}/pdf/"
    first, second = client.get(url), client.get(url)
    assert first.content == second.content
    assert first["Content-Disposition"] == f'attachment; filename="{document.number}-v1.pdf"'
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["ETag"] == f'"{document.sha256}"'
    api_pdf = api_as(inspector).get(
        f"/api/v1/guidance/bookings/{booking.pk}/letter/pdf/", HTTP_ACCEPT="application/pdf"
    )
    assert api_pdf.status_code == 200 and api_pdf.content == first.content

    text = pdf_text(first.content)
    for phrase in (
        document.number,
        "周女士的面馆（筹）",
        "开办餐饮",
        "油烟净化器应装在排烟管道起点",
        "排烟口正对居民窗户",
        "改向屋顶排放",
        "现场查看后厨与排烟管道",
    ):
        assert phrase in text
    assert "Noto-Sans-CJK-SC" in pdf_fonts(first.content)


def test_the_signed_link_and_the_api_lead_to_the_same_stored_pdf(client, api_as):
    booking, inspector, enterprise = _held_visit()
    booking = services.letter_issue(booking=booking, actor=inspector)
    token = services.booking_token(booking)

    by_link = client.get(f"/guidance/manage/{token}/letter/pdf/")
    letter = api_as(enterprise_user(enterprise)).get(f"/api/v1/guidance/bookings/{booking.pk}/letter/").json()

    document = selectors.letter_document(booking=booking)
    assert by_link.status_code == 200 and by_link["ETag"] == f'"{document.sha256}"'
    assert (letter["version"], letter["sha256"]) == (1, document.sha256)
    assert letter["pdf_url"] == f"/api/v1/guidance/bookings/{booking.pk}/letter/pdf/?version=1"
    assert [v["version"] for v in letter["versions"]] == [1]
    page = client.get(f"/guidance/manage/{token}/letter/")
    assert f"/guidance/manage/{token}/letter/pdf/?version=1" in page.text and document.sha256 in page.text


def test_the_letter_sms_carries_the_signed_link_to_open_it(client):
    booking, inspector, _enterprise = _held_visit()
    booking = services.letter_issue(booking=booking, actor=inspector)
    services.letter_reissue(booking=booking, actor=inspector, reason="补充燃气安全建议")

    first = Notification.objects.get(dedupe_key=f"guidance:booking:{booking.pk}:letter:sms")
    second = Notification.objects.get(dedupe_key=f"guidance:booking:{booking.pk}:letter:v2:sms")
    for sms in (first, second):
        assert (sms.channel, sms.address) == (Notification.Channel.SMS, booking.contact_phone)
        assert sms.body.startswith(("您的指导服务建议书", "建议书")) and booking.letter_number in sms.body, sms.body
        link = re.search(rf"{re.escape(settings.GUIDANCE_SITE_URL)}/guidance/manage/([^/\s]+)/", sms.body)
        assert link is not None, sms.body  # the booking's signed manage link, as the email gives it
        assert services.booking_from_token(link.group(1)) == booking
        assert client.get(f"/guidance/manage/{link.group(1)}/letter/").status_code == 200


def test_a_letter_not_issued_has_no_pdf(client, api_as):
    booking, inspector, _enterprise = _held_visit()
    client.force_login(inspector)
    assert client.get(f"/guidance/letters/{booking.pk}/pdf/").status_code == 404
    assert client.get(f"/guidance/letters/{booking.pk}/pdf/?version=x").status_code == 404
    assert api_as(inspector).get(f"/api/v1/guidance/bookings/{booking.pk}/letter/pdf/").status_code == 404


def test_after_issue_advice_risks_and_summary_are_refused_by_name_and_the_pdf_stays_as_issued(client, api_as):
    booking, inspector, _enterprise = _held_visit()
    booking = services.letter_issue(booking=booking, actor=inspector)
    client.force_login(inspector)
    issued = _pdf(client, booking)

    with pytest.raises(ValidationError) as caught:
        services.advice_record(booking=booking, actor=inspector, text="再补充一条建议")
    assert caught.value.error_dict["text"][0].code == "letter_issued"
    assert booking.letter_number in caught.value.message_dict["text"][0]
    with pytest.raises(ValidationError) as caught:
        services.risk_record(booking=booking, actor=inspector, description="燃气报警器未安装")
    assert caught.value.error_dict["description"][0].code == "letter_issued"
    with pytest.raises(ValidationError) as caught:
        services.booking_assign(
            booking=booking,
            actor=coordinator(),
            departments=booking.departments.all(),
            officers=booking.officers.all(),
            summary="改写的小结",
        )
    assert caught.value.error_dict["summary"][0].code == "letter_issued"
    answer = api_as(inspector).post(f"/api/v1/guidance/bookings/{booking.pk}/advice/", {"text": "再补充一条建议"})
    assert answer.status_code == 400 and "text" in answer.json()["error"]["fields"], answer.content

    # What the letter's template reads may change elsewhere (a theme renamed): the issued PDF does not.
    Theme.objects.filter(pk=booking.theme_id).update(title="改名后的主题")
    assert _pdf(client, booking) == issued
    assert (Advice.objects.filter(booking=booking).count(), Risk.objects.filter(booking=booking).count()) == (1, 1)
    assert Booking.objects.get(pk=booking.pk).summary == "现场查看后厨与排烟管道"


def test_rectification_goes_on_after_issue_and_leaves_the_letter_as_issued(client):
    booking, inspector, enterprise = _held_visit()
    booking = services.letter_issue(booking=booking, actor=inspector)
    client.force_login(inspector)
    issued = _pdf(client, booking)
    risk = booking.risks.get()

    photo = SimpleUploadedFile("done.jpg", b"\xff\xd8\xff\xe0photo", content_type="image/jpeg")
    services.risk_submit_evidence(risk=risk, actor=enterprise_user(enterprise), note="已改向屋顶排放", file=photo)
    services.risk_confirm(risk=Risk.objects.get(pk=risk.pk), actor=inspector)

    assert Risk.objects.get(pk=risk.pk).status == Risk.Status.RECTIFIED
    assert _pdf(client, booking) == issued


def test_a_new_version_brings_the_corrections_and_keeps_the_old_one(client, api_as):
    booking, inspector, enterprise = _held_visit()
    booking = services.letter_issue(booking=booking, actor=inspector)
    client.force_login(inspector)
    first_pdf = _pdf(client, booking)
    first = selectors.letter_document(booking=booking)

    second = services.letter_reissue(
        booking=booking,
        actor=inspector,
        reason="补充燃气安全建议",
        summary="现场查看后厨、排烟管道与燃气管线",
        advice=[{"text": "燃气管线应使用金属软管"}],
        risks=[{"description": "燃气报警器未安装", "suggestion": "安装可燃气体报警器"}],
    )

    assert (second.version, second.number, second.supersedes) == (2, first.number, first)
    assert second.reason == "补充燃气安全建议"
    assert selectors.letter_document(booking=booking) == second
    assert _pdf(client, booking, version=1) == first_pdf  # the old version, as issued
    text = pdf_text(_pdf(client, booking))
    for phrase in (
        "燃气管线应使用金属软管",
        "燃气报警器未安装",
        "现场查看后厨、排烟管道与燃气管线",
        "补充燃气安全建议",
    ):
        assert phrase in text
    assert "燃气管线应使用金属软管" not in pdf_text(first_pdf)
    entry = AuditEntry.objects.get(object_id=booking.pk, action="booking.letter_reissue")
    assert (entry.old_value, entry.new_value, entry.reason) == (
        f"{first.number} v1",
        f"{first.number} v2",
        "补充燃气安全建议",
    )
    assert Notification.objects.filter(dedupe_key__startswith=f"guidance:booking:{booking.pk}:letter:v2").exists()

    letter = api_as(enterprise_user(enterprise)).get(f"/api/v1/guidance/bookings/{booking.pk}/letter/").json()
    assert [v["version"] for v in letter["versions"]] == [2, 1]
    assert letter["versions"][0]["reason"] == "补充燃气安全建议"
    # The letter in force is frozen again: another change needs another version.
    with pytest.raises(ValidationError):
        services.advice_record(booking=booking, actor=inspector, text="第三条建议")


def test_a_new_version_needs_a_reason_and_an_issued_letter_and_a_failed_one_changes_nothing():
    booking, inspector, _enterprise = _held_visit()
    with pytest.raises(ValidationError) as caught:
        services.letter_reissue(booking=booking, actor=inspector, reason="更正")
    assert caught.value.code == "letter_not_issued"
    booking = services.letter_issue(booking=booking, actor=inspector)

    with pytest.raises(ValidationError) as caught:
        services.letter_reissue(booking=booking, actor=inspector, reason=" ", advice=[{"text": "x"}])
    assert "reason" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:  # a bad correction: nothing of it is kept
        services.letter_reissue(
            booking=booking, actor=inspector, reason="更正", advice=[{"text": "好建议"}], risks=[{"description": ""}]
        )
    assert "description" in caught.value.message_dict
    assert Advice.objects.filter(booking=booking).count() == 1
    assert IssuedDocument.objects.filter(kind=selectors.LETTER_KIND).count() == 1


def test_the_api_issues_a_new_version_for_staff_only(api_as):
    booking, inspector, enterprise = _held_visit()
    services.letter_issue(booking=booking, actor=inspector)
    url = f"/api/v1/guidance/bookings/{booking.pk}/letter/reissue/"
    body = {"reason": "补充建议", "advice": [{"text": "灭火毯放在灶台旁"}]}

    assert api_as(enterprise_user(enterprise)).post(url, body, format="json").status_code == 403
    answer = api_as(inspector).post(url, body, format="json")

    assert answer.status_code == 201, answer.content
    assert answer.json()["version"] == 2
    assert "灭火毯放在灶台旁" in pdf_text(api_as(inspector).get(answer.json()["pdf_url"]).content)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_advice_racing_the_issue_is_either_in_the_letter_or_refused():
    """The issue and the advice take the booking's lock in turn: no advice exists that the letter leaves out."""
    booking, inspector, _enterprise = _held_visit()
    results = released_together(
        [
            partial(services.letter_issue, booking=booking, actor=inspector),
            partial(services.advice_record, booking=booking, actor=inspector, text="最后一刻的建议"),
        ]
    )
    assert failures(results, expected=(ValidationError,)) == []
    recorded = Advice.objects.filter(booking=booking, text="最后一刻的建议").exists()
    assert ("最后一刻的建议" in pdf_text(document_bytes(selectors.letter_document(booking=booking)))) == recorded
