"""Issued documents (programs.documents): rendered once to PDF, stored with their hash, served as stored; a
change after issue is a new version that keeps the old one."""

import hashlib
import re
from functools import partial
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import RequestFactory

from programs.documents import (
    DocumentIntegrityError,
    DocumentRenderError,
    document_bytes,
    document_current,
    document_issue,
    document_reissue,
    document_response,
    document_versions,
)
from programs.models import AuditEntry, IssuedDocument
from tests.conftest import failures, released_together
from tests.factories import EnterpriseFactory, coordinator
from tests.pdf import pdf_fonts, pdf_text

pytestmark = pytest.mark.django_db
TEMPLATE = "tests/enterprise_record.html"
KIND = "tests.enterprise_record"


@pytest.fixture(autouse=True)
def _test_templates(settings):
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}
    ]


@pytest.fixture
def enterprise():
    return EnterpriseFactory(name="宁波市鄞州区周女士餐饮店", address="鄞州区首南街道天童南路 88 号")


def _issue(enterprise, actor=None, **kw):
    return document_issue(
        kind=KIND,
        obj=enterprise,
        template=TEMPLATE,
        context={"enterprise": enterprise, "number": "DA-2025-001", **kw},
        number="DA-2025-001",
        actor=actor,
    )


def _served(document, **headers) -> bytes:
    request = RequestFactory().get("/document/", headers=headers)
    return document_response(document, request)


def test_issue_stores_the_pdf_once_with_its_hash_under_a_random_name(enterprise):
    actor = coordinator()
    document = _issue(enterprise, actor)

    assert re.fullmatch(r"documents/[0-9a-f]{32}\.pdf", document.file.name)
    with default_storage.open(document.file.name, "rb") as stored:
        pdf = stored.read()
    assert pdf.startswith(b"%PDF-")
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()
    assert (document.size, document.version, document.supersedes, document.issued_by) == (len(pdf), 1, None, actor)
    assert document_current(kind=KIND, obj=enterprise) == document
    [entry] = AuditEntry.objects.filter(action="document.issue")
    assert (entry.object_id, entry.field, entry.new_value, entry.actor) == (enterprise.pk, "document", "DA-2025-001 v1",
                                                                          actor)
    assert entry.data == {"document": document.pk, "kind": KIND, "number": "DA-2025-001", "version": 1,
                          "sha256": document.sha256, "size": len(pdf), "supersedes": None}


def test_the_pdf_carries_the_chinese_text_in_an_embedded_cjk_font(enterprise):
    pdf = document_bytes(_issue(enterprise))
    text = pdf_text(pdf)
    assert "企业档案DA-2025-001" in text
    assert "宁波市鄞州区周女士餐饮店" in text
    assert "天童南路88号" in text
    assert "Noto-Sans-CJK-SC" in pdf_fonts(pdf)


def test_served_twice_byte_identical_as_a_download(enterprise):
    document = _issue(enterprise)
    first, second = _served(document), _served(document)

    assert first.content == second.content == document_bytes(document)
    assert first["Content-Type"] == "application/pdf"
    assert first["Content-Disposition"] == 'attachment; filename="DA-2025-001-v1.pdf"'
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["ETag"] == f'"{document.sha256}"'
    assert "private" in first["Cache-Control"]
    assert _served(document, if_none_match=f'"{document.sha256}"').status_code == 304


def test_a_change_of_the_source_after_issue_leaves_the_served_pdf_as_issued(enterprise):
    document = _issue(enterprise)
    issued = _served(document).content

    enterprise.name = "改名后的企业"
    enterprise.save()

    served = _served(IssuedDocument.objects.get(pk=document.pk)).content
    assert served == issued
    assert "宁波市鄞州区周女士餐饮店" in pdf_text(served)
    assert "改名后的企业" not in pdf_text(served)


def test_a_second_issue_is_refused_and_leaves_no_file(enterprise):
    _issue(enterprise)
    files_before = _stored_files()

    with pytest.raises(ValidationError) as caught:
        _issue(enterprise)

    assert caught.value.code == "document_exists"
    assert IssuedDocument.objects.count() == 1
    assert _stored_files() == files_before


def test_a_copy_that_slipped_past_the_check_is_refused_by_the_constraint_and_leaves_no_file(enterprise):
    """What the second of two simultaneous issues meets: the unique constraint, turned into the same refusal."""
    _issue(enterprise)
    files_before = _stored_files()

    with mock.patch("django.db.models.query.QuerySet.exists", return_value=False), pytest.raises(
        ValidationError
    ) as caught:
        _issue(enterprise)

    assert caught.value.code == "document_exists"
    assert IssuedDocument.objects.count() == 1
    assert _stored_files() == files_before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_issues_at_the_same_instant_make_one_document_and_leave_one_file(enterprise):
    """Both pass the first check, render, store, and race to the unique constraint: one wins."""
    files_before = _stored_files()
    results = released_together([partial(_issue, enterprise), partial(_issue, enterprise)])

    assert failures(results, expected=(ValidationError,)) == []
    [document] = [r for r in results if isinstance(r, IssuedDocument)]
    [refused] = [r for r in results if isinstance(r, ValidationError)]
    assert refused.code == "document_exists"
    assert list(IssuedDocument.objects.values_list("pk", flat=True)) == [document.pk]
    assert _stored_files() - files_before == {document.file.name.split("/")[-1]}


def test_reissue_makes_a_new_version_and_keeps_the_old(enterprise):
    actor = coordinator()
    first = _issue(enterprise)
    first_pdf = _served(first).content
    enterprise.name = "更正后的企业名称"
    enterprise.save()

    second = document_reissue(
        document=first,
        template=TEMPLATE,
        context={"enterprise": enterprise, "number": "DA-2025-001"},
        actor=actor,
        reason="名称有误",
    )

    assert (second.version, second.number, second.supersedes, second.reason) == (2, "DA-2025-001", first, "名称有误")
    assert second.file.name != first.file.name
    assert list(document_versions(kind=KIND, obj=enterprise)) == [second, first]
    assert document_current(kind=KIND, obj=enterprise) == second
    assert "更正后的企业名称" in pdf_text(_served(second).content)
    assert _served(IssuedDocument.objects.get(pk=first.pk)).content == first_pdf  # the old version, as issued
    assert _served(second)["Content-Disposition"] == 'attachment; filename="DA-2025-001-v2.pdf"'
    entry = AuditEntry.objects.get(action="document.reissue")
    assert (entry.old_value, entry.new_value, entry.reason, entry.data["supersedes"]) == (
        "DA-2025-001 v1", "DA-2025-001 v2", "名称有误", first.pk
    )


def test_only_the_version_in_force_can_be_superseded_and_only_with_a_reason(enterprise):
    first = _issue(enterprise)
    context = {"enterprise": enterprise, "number": "DA-2025-001"}
    with pytest.raises(ValidationError) as caught:
        document_reissue(document=first, template=TEMPLATE, context=context, actor=None, reason=" ")
    assert caught.value.error_dict["reason"][0].code == "reason_required"

    document_reissue(document=first, template=TEMPLATE, context=context, actor=None, reason="更正")
    with pytest.raises(ValidationError) as caught:
        document_reissue(document=first, template=TEMPLATE, context=context, actor=None, reason="再次更正")
    assert caught.value.code == "document_superseded"
    assert IssuedDocument.objects.count() == 2


def test_an_issued_document_row_is_never_edited(enterprise):
    document = _issue(enterprise)
    document.number = "DA-2025-999"
    with pytest.raises(ValidationError):
        document.save()
    assert IssuedDocument.objects.get(pk=document.pk).number == "DA-2025-001"


def test_a_stored_file_that_no_longer_matches_its_hash_is_never_served(enterprise):
    document = _issue(enterprise)
    with default_storage.open(document.file.name, "wb") as stored:
        stored.write(b"%PDF-1.7 altered")

    with pytest.raises(DocumentIntegrityError):
        _served(document)


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/logo.png", "file:///etc/passwd"])
def test_rendering_fetches_nothing_from_outside_and_stores_nothing_on_failure(enterprise, url):
    files_before = _stored_files()
    with pytest.raises(DocumentRenderError):
        _issue(enterprise, image=url)
    assert not IssuedDocument.objects.exists()
    assert _stored_files() == files_before


def _stored_files() -> set[str]:
    return set(default_storage.listdir("documents")[1]) if default_storage.exists("documents") else set()
