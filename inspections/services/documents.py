"""The documents of a completed visit, issued once as PDFs through the core's document service
(``programs.documents``): the inspection record (检查记录) of every completed inspection and the rectification
notice (责令整改通知书) of one with findings. From then on the stored bytes are the document: editing a finding
changes nothing issued; a correction is a new version (``visit_document_reissue``), which keeps the old one."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

import segno
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.documents import document_current, document_issue, document_reissue, document_versions
from programs.models import IssuedDocument, User
from programs.notify import notify_enterprise
from programs.roles import ENFORCEMENT, require_role
from programs.services import TransitionError

from ..codes import format_code
from ..models import Finding, Inspection, ItemCheck
from ._common import require_inspection_officer

RECORD = "inspection_record"
NOTICE = "rectification_notice"
# kind → (template, number prefix); the kind is also the slug of the download page.
DOCUMENT_KINDS = {
    RECORD: ("inspections/documents/record.html", "JCJL"),
    NOTICE: ("inspections/documents/notice.html", "ZGTZ"),
}
# A completed inspection still without its record this long after completion has lost its task.
DOCUMENTS_STALLED_AFTER = timedelta(minutes=2)
STALLED_LOOKBACK = timedelta(days=7)


def visit_document_number(inspection: Inspection, kind: str) -> str:
    """E.g. ``JCJL-202406-000042``: the kind, the month completed and the inspection."""
    completed = timezone.localtime(inspection.completed_at)
    return f"{DOCUMENT_KINDS[kind][1]}-{completed:%Y%m}-{inspection.pk:06d}"


# --- Reads ---------------------------------------------------------------------------------------------------


def visit_documents(inspection: Inspection) -> list[IssuedDocument]:
    """The documents in force of ``inspection`` (the newest version of each kind), the record first."""
    return visit_documents_by_inspection([inspection.pk]).get(inspection.pk, [])


def visit_documents_by_inspection(inspection_ids: Iterable[int]) -> dict[int, list[IssuedDocument]]:
    """The documents in force of each inspection, in one query, for a list of inspections."""
    rows = IssuedDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(Inspection, for_concrete_model=False),
        object_id__in=list(inspection_ids),
        kind__in=list(DOCUMENT_KINDS),
    ).order_by("object_id", "kind", "-version")
    current: dict[int, dict[str, IssuedDocument]] = defaultdict(dict)
    for document in rows:
        current[document.object_id].setdefault(document.kind, document)
    order = list(DOCUMENT_KINDS)
    return {pk: sorted(kinds.values(), key=lambda d: order.index(d.kind)) for pk, kinds in current.items()}


def visit_document(*, inspection: Inspection, kind: str, version: int | None = None) -> IssuedDocument | None:
    """The ``kind`` document of ``inspection``: the version in force, or the given ``version``; ``None`` when
    there is none (or the kind is not one of the visit's)."""
    if kind not in DOCUMENT_KINDS:
        return None
    if version is None:
        return document_current(kind=kind, obj=inspection)
    return document_versions(kind=kind, obj=inspection).filter(version=version).first()


def visit_document_versions(inspection: Inspection) -> list[IssuedDocument]:
    """Every version of every document of ``inspection``: by kind (the record first), the newest first."""
    order = list(DOCUMENT_KINDS)
    rows = IssuedDocument.objects.filter(
        content_type=ContentType.objects.get_for_model(Inspection, for_concrete_model=False),
        object_id=inspection.pk,
        kind__in=order,
    ).select_related("issued_by")
    return sorted(rows, key=lambda d: (order.index(d.kind), -d.version))


def stalled_visit_documents(*, now=None) -> QuerySet[Inspection]:
    """Inspections completed in the last week, a while ago, still without their record (the task sent at
    completion was lost to a broker outage): the sweep sends the task again, and issuing is idempotent."""
    now = now or timezone.now()
    issued = IssuedDocument.objects.filter(
        kind=RECORD, content_type=ContentType.objects.get_for_model(Inspection, for_concrete_model=False)
    ).values("object_id")
    return Inspection.objects.filter(
        status=Inspection.Status.COMPLETED,
        completed_at__gte=now - STALLED_LOOKBACK,
        completed_at__lt=now - DOCUMENTS_STALLED_AFTER,
    ).exclude(pk__in=issued)


# --- What a document shows, at the moment it is issued --------------------------------------------------------


def _qr_data_uri(url: str) -> str:
    """The QR code as an inline image: the document fetcher loads nothing but ``data:`` URIs."""
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _context(inspection: Inspection, *, kind: str, number: str, version: int, supersedes=None, reason="") -> dict:
    inspection = Inspection.objects.select_related("enterprise", "lead_department", "code_shown_by").get(
        pk=inspection.pk
    )
    checks = {
        check.item_id: check
        for check in ItemCheck.objects.filter(inspection=inspection).select_related(
            "checked_by_department", "on_behalf_of", "officer"
        )
    }
    items = inspection.items.select_related("department").order_by("code")
    findings = (
        Finding.objects.filter(inspection=inspection)
        .select_related("item")
        .prefetch_related("photos")
        .order_by("recorded_at", "pk")
    )
    # The site's public address (the setting every app's links use) in front of the verify page.
    verify_url = (
        settings.GUIDANCE_SITE_URL + reverse("inspections:verify", kwargs={"code": inspection.code})
        if inspection.code
        else ""
    )
    return {
        "kind": kind,
        "inspection": inspection,
        "enterprise": inspection.enterprise,
        "departments": list(inspection.departments.order_by("name")),
        "officers": list(inspection.officers.select_related("department").order_by("department__name", "username")),
        "rows": [{"item": item, "check": checks.get(item.pk)} for item in items],
        "findings": list(findings),
        "code": format_code(inspection.code) if inspection.code else "",
        "qr": _qr_data_uri(verify_url) if verify_url else "",
        "verify_url": verify_url,
        "evidence_url": settings.GUIDANCE_SITE_URL + reverse("inspections:enterprise-home"),
        "record_number": visit_document_number(inspection, RECORD),
        "number": number,
        "version": version,
        "issued_at": timezone.now(),
        "supersedes": supersedes,
        "reason": reason,
    }


def _kinds_due(inspection: Inspection) -> list[str]:
    has_findings = Finding.objects.filter(inspection=inspection).exists()
    return [RECORD, NOTICE] if has_findings else [RECORD]


def _require_staff(inspection: Inspection, actor: User) -> None:
    require_role(actor, *ENFORCEMENT)
    if actor.role == User.Role.OFFICER:
        require_inspection_officer(inspection, actor)


def _tell_the_enterprise(inspection: Inspection, documents: list[IssuedDocument], *, key: str) -> None:
    names = "、".join(f"{visit_document_title(d.kind)} {d.number}" for d in documents)
    url = settings.GUIDANCE_SITE_URL + reverse("inspections:enterprise-home")
    notify_enterprise(
        enterprise_id=inspection.enterprise_id,
        key=key,
        subject=_("Inspection documents issued: %(names)s") % {"names": names},
        body=_("The documents of your inspection are ready to download in your enterprise area: %(url)s")
        % {"url": url},
        email=inspection.enterprise.contact_email,
    )


def visit_document_title(kind: str) -> str:
    return {RECORD: _("Inspection record"), NOTICE: _("Rectification notice")}[kind]


# --- Writes ----------------------------------------------------------------------------------------------------


def visit_documents_issue(*, inspection: Inspection, actor: User | None = None) -> list[IssuedDocument]:
    """Issue what a completed inspection is still missing: its record, and its rectification notice when it has
    findings; each rendered once from the records as they are now and stored. Running it again issues nothing
    more. ``actor`` ``None`` is the system (the task sent at completion); a person must be staff of the visit.
    The enterprise is told where to download what was issued. Answers the documents in force."""
    if actor is not None:
        _require_staff(inspection, actor)
    issued = []
    with transaction.atomic():
        # The lock keeps a second run (the task sent twice) waiting until this one has stored its documents.
        locked = Inspection.objects.select_for_update().select_related("enterprise").get(pk=inspection.pk)
        if locked.status != Inspection.Status.COMPLETED:
            raise TransitionError(
                _("The inspection record is issued when the inspection is completed."), code="not_completed"
            )
        for kind in _kinds_due(locked):
            if document_current(kind=kind, obj=locked) is not None:
                continue
            number = visit_document_number(locked, kind)
            issued.append(
                document_issue(
                    kind=kind,
                    obj=locked,
                    template=DOCUMENT_KINDS[kind][0],
                    context=_context(locked, kind=kind, number=number, version=1),
                    number=number,
                    actor=actor,
                )
            )
        if issued:
            _tell_the_enterprise(locked, issued, key=f"inspections:inspection:{locked.pk}:documents")
    return visit_documents(locked)


def visit_document_reissue(*, inspection: Inspection, kind: str, actor: User, reason: str) -> IssuedDocument:
    """A corrected version of an issued document, rendered from the records as they are now; the old version
    stays stored and downloadable. A reason is required; the enterprise is told."""
    _require_staff(inspection, actor)
    if kind not in DOCUMENT_KINDS:
        raise ValidationError({"kind": _("Not a document of an inspection.")})
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Give a reason for the new version."), code="reason_required")}
        )
    with transaction.atomic():
        locked = Inspection.objects.select_for_update().select_related("enterprise").get(pk=inspection.pk)
        current = document_current(kind=kind, obj=locked)
        if current is None:
            raise ValidationError(
                {"kind": ValidationError(_("This document has not been issued yet."), code="document_not_issued")}
            )
        version = current.version + 1
        document = document_reissue(
            document=current,
            template=DOCUMENT_KINDS[kind][0],
            context=_context(
                locked, kind=kind, number=current.number, version=version, supersedes=current, reason=reason
            ),
            actor=actor,
            reason=reason,
        )
        _tell_the_enterprise(locked, [document], key=f"inspections:inspection:{locked.pk}:{kind}:v{version}")
    return document
