"""The documents of a completed visit: the inspection record (检查记录) of every completed inspection and the
rectification notice (责令整改通知书) of one with findings, issued once as stored PDFs by the task sent at
completion, served as stored to whoever may see the inspection, and corrected only by a new version that keeps
the old one."""

import os
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from inspections import services
from inspections.models import Finding, Inspection, ItemCheck
from inspections.tasks import requeue_missing_visit_documents
from programs.audit import TransitionError
from programs.celery import app as celery_app
from programs.models import AuditEntry, IssuedDocument, Notification
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.factories import EnterpriseFactory, UserFactory, enterprise_user
from tests.pdf import pdf_text
from tests.reliability.test_broker_outage import use_broker

from .factories import InspectionFactory, ItemFactory, answered

pytestmark = pytest.mark.django_db

RECORD, NOTICE = "inspection_record", "rectification_notice"


def _completed(cast, *, finding: str | None = "消防通道被货物堵塞", summary="现场检查完毕", enterprise=None):
    """The cast's market inspection of ``enterprise`` (the cast's) completed by its officer: one item not
    compliant with a finding (unless ``finding`` is None), a second one compliant. No document issued yet."""
    items = [ItemFactory(department=cast.market, name="消防通道畅通"), ItemFactory(department=cast.market)]
    inspection = InspectionFactory(cast=cast, items=items, enterprise=enterprise or cast.enterprise)
    if finding is not None:
        services.finding_record(
            inspection=inspection,
            item=items[0],
            severity=Finding.Severity.GENERAL,
            description=finding,
            deadline=timezone.localdate() + timedelta(days=10),
            actor=cast.market_officer,
        )
    answered(inspection, cast.market_officer)
    return services.inspection_complete(inspection=inspection, actor=cast.market_officer, summary=summary)


def _download(client, inspection, kind=RECORD, **params):
    response = client.get(f"/inspections/{inspection.pk}/documents/{kind}/", params)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return response


def test_the_record_holds_the_enterprise_the_answers_the_finding_and_the_code(cast, client):
    inspection = _completed(cast)
    services.visit_documents_issue(inspection=inspection)

    client.force_login(cast.enterprise_user)
    text = pdf_text(_download(client, inspection).content)
    for expected in (
        cast.enterprise.name,
        cast.enterprise.credit_code,
        services.format_code(inspection.code),
        "消防通道畅通",
        "消防通道被货物堵塞",
        cast.market.name,
        cast.market_officer.username,
        "现场检查完毕",
    ):
        assert expected in text, expected
    assert str(ItemCheck.Result.NON_COMPLIANT.label) in text and str(ItemCheck.Result.COMPLIANT.label) in text


def test_a_delegated_check_is_marked_in_the_record(cast, client):
    simple = ItemFactory(department=cast.fire, simple=True, name="灭火器在有效期内")
    inspection = InspectionFactory(cast=cast, items=[ItemFactory(department=cast.market), simple])
    answered(inspection, cast.market_officer)
    inspection = services.inspection_complete(inspection=inspection, actor=cast.market_officer)
    services.visit_documents_issue(inspection=inspection)

    client.force_login(cast.coordinator)
    text = pdf_text(_download(client, inspection).content)
    assert f"代{cast.fire.name}检查" in text  # 部门代检查: the market officer answered the fire item


def test_a_document_downloads_byte_identical_and_does_not_change_when_the_finding_is_edited(cast, client):
    inspection = _completed(cast)
    services.visit_documents_issue(inspection=inspection)
    client.force_login(cast.enterprise_user)
    first = _download(client, inspection)
    second = _download(client, inspection)
    assert first.content == second.content
    assert first["ETag"] == second["ETag"]
    notice = _download(client, inspection, NOTICE).content

    Finding.objects.filter(inspection=inspection).update(description="描述事后被改动")

    assert _download(client, inspection).content == first.content
    assert _download(client, inspection, NOTICE).content == notice
    assert "描述事后被改动" not in pdf_text(first.content)


def test_a_reissue_makes_version_2_and_keeps_version_1_downloadable(cast, client):
    inspection = _completed(cast)
    [record, _notice] = services.visit_documents_issue(inspection=inspection)
    client.force_login(cast.enterprise_user)
    version_1 = _download(client, inspection).content
    Finding.objects.filter(inspection=inspection).update(description="消防通道堆放纸箱三十余件")

    with pytest.raises(ValidationError) as refused:
        services.visit_document_reissue(inspection=inspection, kind=RECORD, actor=cast.market_officer, reason=" ")
    assert "reason" in refused.value.message_dict
    corrected = services.visit_document_reissue(
        inspection=inspection, kind=RECORD, actor=cast.market_officer, reason="问题描述补充数量"
    )

    assert (corrected.number, corrected.version, corrected.supersedes) == (record.number, 2, record)
    current = _download(client, inspection).content
    assert "消防通道堆放纸箱三十余件" in pdf_text(current)
    assert _download(client, inspection, version=1).content == version_1
    assert _download(client, inspection, version=2).content == current
    assert client.get(f"/inspections/{inspection.pk}/documents/{RECORD}/", {"version": 3}).status_code == 404
    assert [d.version for d in services.visit_documents(inspection) if d.kind == RECORD] == [2]
    assert AuditEntry.objects.filter(object_id=inspection.pk, action="document.reissue").count() == 1


def test_the_notice_is_issued_only_for_an_inspection_with_findings(cast, client):
    with_findings = _completed(cast)
    without = _completed(cast, finding=None, enterprise=EnterpriseFactory(region=cast.village))

    assert [d.kind for d in services.visit_documents_issue(inspection=with_findings)] == [RECORD, NOTICE]
    assert [d.kind for d in services.visit_documents_issue(inspection=without)] == [RECORD]

    client.force_login(enterprise_user(with_findings.enterprise))
    notice = pdf_text(_download(client, with_findings, NOTICE).content)
    assert "消防通道被货物堵塞" in notice and cast.enterprise.name in notice
    deadline = (timezone.localdate() + timedelta(days=10)).isoformat()
    assert deadline in notice
    assert "/inspections/mine/" in notice  # where the evidence is submitted
    client.force_login(enterprise_user(without.enterprise))
    assert client.get(f"/inspections/{without.pk}/documents/{NOTICE}/").status_code == 404


def test_issuing_again_issues_nothing_more_and_the_enterprise_is_told_once(cast):
    inspection = _completed(cast)
    user = cast.enterprise_user
    first = services.visit_documents_issue(inspection=inspection)
    again = services.visit_documents_issue(inspection=inspection)
    assert again == first
    assert IssuedDocument.objects.count() == 2
    assert AuditEntry.objects.filter(object_id=inspection.pk, action="document.issue").count() == 2
    told = Notification.objects.filter(dedupe_key__startswith=f"inspections:inspection:{inspection.pk}:documents")
    assert told.filter(recipient=user).count() == 1


def test_documents_are_issued_only_for_a_completed_inspection(cast):
    inspection = InspectionFactory(cast=cast)
    with pytest.raises(TransitionError):
        services.visit_documents_issue(inspection=inspection)
    assert not IssuedDocument.objects.exists()


def test_another_enterprise_and_an_officer_of_an_unrelated_department_get_404(cast, client):
    inspection = _completed(cast)
    services.visit_documents_issue(inspection=inspection)
    url = f"/inspections/{inspection.pk}/documents/{RECORD}/"
    strangers = [enterprise_user(EnterpriseFactory(region=cast.village)), cast.fire_officer, cast.organiser]
    for stranger in strangers:
        client.force_login(stranger)
        assert client.get(url).status_code == 404, stranger.role
    for allowed in (cast.enterprise_user, cast.market_officer, cast.coordinator):
        client.force_login(allowed)
        assert client.get(url).status_code == 200, allowed.role
    client.force_login(cast.enterprise_user)
    assert client.get(f"/inspections/{inspection.pk}/documents/no_such_kind/").status_code == 404
    assert client.get(url, {"version": "x"}).status_code == 404


def test_the_verify_page_says_a_record_exists_without_its_content(cast, client):
    inspection = _completed(cast, finding="仓库内私拉电线")
    before = client.get(f"/verify/{inspection.code}/").content.decode()
    assert 'id="record"' not in before
    [record, _notice] = services.visit_documents_issue(inspection=inspection)

    html = client.get(f"/verify/{inspection.code}/").content.decode()
    assert 'id="record"' in html
    assert record.number in html and inspection.lead_department.name in html
    for secret in ("仓库内私拉电线", "现场检查完毕", cast.enterprise.credit_code, "/documents/"):
        assert secret not in html


def test_the_enterprise_area_and_the_admin_link_the_documents(cast, client):
    inspection = _completed(cast)
    services.visit_documents_issue(inspection=inspection)
    services.visit_document_reissue(inspection=inspection, kind=NOTICE, actor=cast.coordinator, reason="期限更正")
    link = f"/inspections/{inspection.pk}/documents/{NOTICE}/"

    client.force_login(cast.enterprise_user)
    for page in ("/enterprise/", "/inspections/mine/"):
        html = client.get(page).content.decode()
        assert link in html and f"/inspections/{inspection.pk}/documents/{RECORD}/" in html, page

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    html = client.get(f"/admin/inspections/inspection/{inspection.pk}/change/").content.decode()
    assert f"{link}?version=1" in html and f"{link}?version=2" in html


def test_the_sweep_sends_the_task_again_for_a_record_that_was_never_issued(cast):
    inspection = _completed(cast)  # its task was never run (the on-commit send is not run in this test)
    assert requeue_missing_visit_documents() == 0  # too recent to call lost
    Inspection.objects.filter(pk=inspection.pk).update(completed_at=timezone.now() - timedelta(minutes=10))
    assert requeue_missing_visit_documents() == 1  # sent again, run (eagerly here)
    assert {d.kind for d in services.visit_documents(inspection)} == {RECORD, NOTICE}
    assert requeue_missing_visit_documents() == 0


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_completing_an_inspection_issues_its_documents_through_the_broker_and_the_worker(monkeypatch, tmp_path):
    use_broker(monkeypatch, os.environ["CELERY_BROKER_URL"])
    monkeypatch.setitem(celery_app.conf, "task_default_queue", "visit-documents-test")
    worker = CeleryWorker(queue="visit-documents-test", log_path=tmp_path / "worker.log")
    try:
        inspection = _completed(Cast())  # the completion sends the task when it commits; nothing else issues
        wait_until(
            lambda: len(services.visit_documents(inspection)) == 2,
            timeout=60,
            message="the worker to issue the record and the notice",
        )
    finally:
        worker.stop()
    assert "Traceback" not in (tmp_path / "worker.log").read_text(errors="replace")
    documents = services.visit_documents(inspection)
    assert [(d.kind, d.version, d.issued_by) for d in documents] == [(RECORD, 1, None), (NOTICE, 1, None)]
