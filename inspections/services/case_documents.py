"""The documents of a penalty case, issued once as PDFs through ``programs.documents``: the advance notice
(行政处罚告知书) when the notice is served and the decision (行政处罚决定书) when the case is decided. Each
carries a QR code to the public verify page (valid or not, which department, which case number: nothing
else). From then on the stored bytes are the document: a later change of the case changes nothing issued.

The enterprise is told by SMS, email and in the app, with a link to its case page, where it reads the PDF and
confirms receipt (电子送达)."""

from datetime import timedelta

import segno
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.documents import document_current, document_issue
from programs.models import IssuedDocument
from programs.notify import notify_enterprise

from ..models import PenaltyCase
from ..models.cases import DEFENCE_DAYS

NOTICE = "penalty_notice"
DECISION = "penalty_decision"
# kind → (template, number prefix); the kind is also the slug of the download page.
CASE_DOCUMENT_KINDS = {
    NOTICE: ("inspections/cases/documents/notice.html", "GZS"),
    DECISION: ("inspections/cases/documents/decision.html", "JDS"),
}
STALLED_AFTER = timedelta(minutes=2)
STALLED_LOOKBACK = timedelta(days=14)


def case_document_title(kind: str) -> str:
    return {NOTICE: _("Advance notice of administrative penalty"), DECISION: _("Administrative penalty decision")}[kind]


def case_document_number(case: PenaltyCase, kind: str) -> str:
    return f"{CASE_DOCUMENT_KINDS[kind][1]}-{case.number}"


def case_verify_url(case: PenaltyCase) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("inspections:case-verify", kwargs={"code": case.verify_code})


def case_page_url(case: PenaltyCase) -> str:
    return settings.GUIDANCE_SITE_URL + reverse("inspections:case-detail", kwargs={"pk": case.pk})


def case_document(case: PenaltyCase, kind: str) -> IssuedDocument | None:
    if kind not in CASE_DOCUMENT_KINDS:
        return None
    return document_current(kind=kind, obj=case)


def case_documents(case: PenaltyCase) -> list[IssuedDocument]:
    """The case's documents in force, the notice first."""
    return [d for d in (case_document(case, kind) for kind in CASE_DOCUMENT_KINDS) if d is not None]


def _kinds_due(case: PenaltyCase) -> list[str]:
    kinds = []
    if case.notice_issued_at is not None:
        kinds.append(NOTICE)
    if case.decided_at is not None:
        kinds.append(DECISION)
    return kinds


def _context(case: PenaltyCase, *, kind: str, number: str) -> dict:
    case = PenaltyCase.objects.select_related(
        "enterprise", "department", "item", "finding", "inspection", "decided_by", "approved_by"
    ).get(pk=case.pk)
    verify_url = case_verify_url(case)
    photos = list(case.finding.photos.order_by("pk")) if case.finding_id else []
    return {
        "kind": kind,
        "case": case,
        "enterprise": case.enterprise,
        "department": case.department,
        "number": number,
        "issued_at": timezone.now(),
        "defences": list(case.defences.order_by("submitted_at", "pk")),
        "defence_days": DEFENCE_DAYS,
        "photo_count": len(photos),
        "record_number": _record_number(case),
        "qr": segno.make(verify_url, error="m").svg_data_uri(scale=4, border=2),
        "verify_url": verify_url,
        "case_url": case_page_url(case),
    }


def _record_number(case: PenaltyCase) -> str:
    """The number of the inspection record the case rests on, when it came from an inspection."""
    if case.inspection_id is None:
        return ""
    record = document_current(kind="inspection_record", obj=case.inspection)
    return record.number if record else ""


def _tell_the_enterprise(case: PenaltyCase, documents: list[IssuedDocument]) -> None:
    for document in documents:
        title = case_document_title(document.kind)
        url = case_page_url(case)
        notify_enterprise(
            enterprise_id=case.enterprise_id,
            key=f"inspections:case:{case.pk}:{document.kind}",
            subject=_("%(title)s %(number)s served") % {"title": title, "number": document.number},
            body=_(
                "Case %(case)s: the %(title)s is served electronically. Read it and confirm receipt in your "
                "enterprise area, without visiting the office: %(url)s"
            )
            % {"case": case.number, "title": title, "url": url},
            sms_text=_("Case %(case)s: %(title)s served. Read and confirm receipt online: %(url)s")
            % {"case": case.number, "title": title, "url": url},
            email=case.enterprise.contact_email,
            phone=case.enterprise.contact_phone,
        )


def case_documents_issue(*, case: PenaltyCase) -> list[IssuedDocument]:
    """Issue what the case is still missing (the notice once served, the decision once decided), each rendered
    once from the case as it is now and stored; the enterprise is told. Running it again issues nothing more."""
    issued = []
    with transaction.atomic():
        locked = PenaltyCase.objects.select_for_update().select_related("enterprise").get(pk=case.pk)
        for kind in _kinds_due(locked):
            if document_current(kind=kind, obj=locked) is not None:
                continue
            number = case_document_number(locked, kind)
            issued.append(
                document_issue(
                    kind=kind,
                    obj=locked,
                    template=CASE_DOCUMENT_KINDS[kind][0],
                    context=_context(locked, kind=kind, number=number),
                    number=number,
                    actor=None,
                )
            )
        if issued:
            _tell_the_enterprise(locked, issued)
    return case_documents(locked)


def stalled_case_documents(*, now=None) -> QuerySet[PenaltyCase]:
    """Cases whose notice or decision is due a while ago and still not issued (the task was lost)."""
    now = now or timezone.now()
    documents = IssuedDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(PenaltyCase, for_concrete_model=False),
        object_id=OuterRef("pk"),
    )
    notice_missing = Q(notice_issued_at__lt=now - STALLED_AFTER, notice_issued_at__gte=now - STALLED_LOOKBACK) & ~Q(
        Exists(documents.filter(kind=NOTICE))
    )
    decision_missing = Q(decided_at__lt=now - STALLED_AFTER, decided_at__gte=now - STALLED_LOOKBACK) & ~Q(
        Exists(documents.filter(kind=DECISION))
    )
    return PenaltyCase.objects.filter(notice_missing | decision_missing)
