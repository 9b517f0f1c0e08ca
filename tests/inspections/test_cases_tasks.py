"""The task that issues a penalty case's documents, in a real Celery worker through the Redis broker: sent twice
(a retry), it issues the advance notice once and tells the enterprise once; the sweep finds nothing left."""

import pytest

from inspections.models import PenaltyCase
from inspections.services import cases as case_services
from inspections.services.case_documents import NOTICE, case_document, stalled_case_documents
from inspections.tasks import case_documents_issue
from programs.models import IssuedDocument, Notification
from tests.cast import Cast
from tests.conftest import CeleryWorker, wait_until
from tests.inspections.case_factories import direct_case


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_notice_is_issued_once_by_a_worker(tmp_path, monkeypatch):
    cast = Cast()
    cast.enterprise_user  # the enterprise's account, told in the app
    sent = []
    monkeypatch.setattr(case_services, "enqueue_on_commit", lambda name, *args: sent.append((name, args)))
    case = case_services.case_notify(case=direct_case(cast), actor=cast.market_officer)
    assert sent == [("inspections.case_documents_issue", (case.pk,))]  # what the service sends, by name
    worker = CeleryWorker(queue="cases-test", log_path=tmp_path / "worker.log")
    try:
        case_documents_issue.apply_async(args=[case.pk], queue="cases-test")
        case_documents_issue.apply_async(args=[case.pk], queue="cases-test")  # a retry: no second effect
        wait_until(lambda: case_document(case, NOTICE) is not None, timeout=90, message="notice issued")
        wait_until(
            lambda: Notification.objects.filter(dedupe_key__startswith=f"inspections:case:{case.pk}:").exists(),
            timeout=30,
            message="enterprise told",
        )
    finally:
        worker.stop()
    assert IssuedDocument.objects.filter(kind=NOTICE, object_id=case.pk).count() == 1
    in_app = Notification.objects.filter(dedupe_key__startswith=f"inspections:case:{case.pk}:", channel="in_app")
    assert in_app.count() == 1
    assert not stalled_case_documents().filter(pk=case.pk).exists()
    assert PenaltyCase.objects.get(pk=case.pk).status == PenaltyCase.Status.NOTIFIED
