"""Issued documents: rendered once, stored, served as stored.

A document that is given to someone (a recommendation letter, a field record, a case document) is made once at
issue: its Django template is rendered to HTML with the context of that moment, WeasyPrint turns the HTML into
a PDF (Noto Sans CJK for the Chinese text), and the bytes are stored under a random name with their SHA-256.
From then on the document is the stored bytes: serving reads them back, checks the hash and answers them; it
never renders again, so a later change of the source object cannot change what was issued. A correction is a
new version (``document_reissue``) that points to the one it supersedes; the old version stays, readable.

Every app issues its documents here: ``document_issue`` / ``document_reissue`` to write, ``document_current``
to find the one in force, ``document_response`` to serve it.
"""

import hashlib
import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from rest_framework.renderers import BaseRenderer, JSONRenderer
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher

from .audit import audit_record
from .models import IssuedDocument, User

__all__ = [
    "DocumentIntegrityError",
    "DocumentRenderError",
    "PdfRenderer",
    "document_bytes",
    "document_current",
    "document_issue",
    "document_reissue",
    "document_render",
    "document_response",
    "document_versions",
]

STORAGE_FOLDER = "documents"
# A document carries everything it shows: images and styles come inline (data: URIs) or from the template's
# own <style>. Nothing is fetched from the network or the file system while rendering (no SSRF, no local file
# read through a crafted URL), and a resource that cannot be read stops the issue instead of leaving a gap.
_FETCHER = URLFetcher(allowed_protocols=["data"], fail_on_errors=True)


class DocumentRenderError(RuntimeError):
    """The template asks for something a document may not load (a URL other than ``data:``): a template bug."""


class DocumentIntegrityError(RuntimeError):
    """The stored bytes no longer match the hash recorded at issue: the file was altered or lost. Never served."""


def document_render(*, template: str, context: dict, language: str | None = None) -> bytes:
    """The PDF of ``template`` rendered with ``context``, in ``language`` (the site's language by default, so
    what is issued does not depend on the language of whoever clicked)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        html = render_to_string(template, context)
    try:
        return HTML(string=html, base_url=None, url_fetcher=_FETCHER).write_pdf()
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: made an ordinary error here
        raise DocumentRenderError(f"{template}: {exc}") from exc


def document_issue(
    *,
    kind: str,
    obj: models.Model,
    template: str,
    context: dict,
    number: str,
    actor: User | None,
) -> IssuedDocument:
    """Issue the first version of the ``kind`` document of ``obj``: render it once, store the PDF and its hash,
    audit it. A second issue of the same document is refused (``document_reissue`` makes a new version).

    Call it inside the transaction that locks ``obj`` when what the document shows must not change between the
    rendering and the issue."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    if IssuedDocument.objects.filter(kind=kind, content_type=content_type, object_id=obj.pk).exists():
        raise _already_issued()
    return _store(
        kind=kind,
        content_type=content_type,
        obj=obj,
        pdf=document_render(template=template, context=context),
        number=number,
        version=1,
        actor=actor,
    )


def document_reissue(
    *,
    document: IssuedDocument,
    template: str,
    context: dict,
    actor: User | None,
    reason: str,
    number: str | None = None,
) -> IssuedDocument:
    """A new version of ``document`` (the one in force), rendered from ``context`` now; it supersedes the old
    one, which stays stored and readable. Keeps the number unless ``number`` is given; a reason is required."""
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Give a reason for the new version."), code="reason_required")}
        )
    if IssuedDocument.objects.filter(supersedes=document).exists():
        raise ValidationError(
            _("Version %(version)s of %(number)s has already been superseded; correct the version in force.")
            % {"version": document.version, "number": document.number},
            code="document_superseded",
        )
    return _store(
        kind=document.kind,
        content_type=document.content_type,
        obj=document.subject,
        pdf=document_render(template=template, context=context),
        number=number or document.number,
        version=document.version + 1,
        actor=actor,
        supersedes=document,
        reason=reason,
    )


def document_versions(*, kind: str, obj: models.Model) -> models.QuerySet[IssuedDocument]:
    """Every version of the ``kind`` document of ``obj``, the newest first."""
    return IssuedDocument.objects.filter(
        kind=kind,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=obj.pk,
    ).order_by("-version")


def document_current(*, kind: str, obj: models.Model) -> IssuedDocument | None:
    """The version in force (the newest), or ``None`` when nothing has been issued."""
    return document_versions(kind=kind, obj=obj).select_related("issued_by").first()


def document_bytes(document: IssuedDocument) -> bytes:
    """The stored PDF, checked against the hash recorded at issue."""
    with default_storage.open(document.file.name, "rb") as stored:
        pdf = stored.read()
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        raise DocumentIntegrityError(f"{document.file.name} does not match the SHA-256 recorded at issue")
    return pdf


def document_response(document: IssuedDocument, request: HttpRequest | None = None) -> HttpResponse:
    """The stored PDF as a download: the same bytes every time, their hash as the ETag (a client that already
    has this version gets 304 Not Modified when ``request`` is given)."""
    etag = f'"{document.sha256}"'
    if request is not None:
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            not_modified["Cache-Control"] = "private, no-cache"
            return not_modified
    response = HttpResponse(document_bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{document.number}-v{document.version}.pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["ETag"] = etag
    # Personal documents stay out of shared caches; a reissue serves a new version at the same address, so
    # the browser checks the ETag each time.
    response["Cache-Control"] = "private, no-cache"
    return response


class PdfRenderer(BaseRenderer):
    """Lets an API action that answers ``document_response`` accept ``Accept: application/pdf``. The action
    returns the stored bytes itself; what this renders is only an error answer, and that as JSON."""

    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Type"] = JSONRenderer.media_type
        return JSONRenderer().render(data, JSONRenderer.media_type, renderer_context)


def _store(
    *,
    kind: str,
    content_type: ContentType,
    obj: models.Model,
    pdf: bytes,
    number: str,
    version: int,
    actor: User | None,
    supersedes: IssuedDocument | None = None,
    reason: str = "",
) -> IssuedDocument:
    """Write the bytes under a random name, then the row and its audit entry; a refused row leaves no file."""
    digest = hashlib.sha256(pdf).hexdigest()
    name = default_storage.save(f"{STORAGE_FOLDER}/{uuid.uuid4().hex}.pdf", ContentFile(pdf))
    saved = False
    try:
        with transaction.atomic():
            document = IssuedDocument.objects.create(
                kind=kind,
                content_type=content_type,
                object_id=obj.pk,
                number=number,
                version=version,
                file=name,
                sha256=digest,
                size=len(pdf),
                issued_at=timezone.now(),
                issued_by=actor if actor is not None and actor.is_authenticated else None,
                supersedes=supersedes,
                reason=reason,
            )
            audit_record(
                obj=obj,
                field="document",
                old=f"{supersedes.number} v{supersedes.version}" if supersedes else "",
                new=f"{number} v{version}",
                actor=actor,
                reason=reason,
                at=document.issued_at,
                action="document.reissue" if supersedes else "document.issue",
                data={
                    "document": document.pk,
                    "kind": kind,
                    "number": number,
                    "version": version,
                    "sha256": digest,
                    "size": len(pdf),
                    "supersedes": supersedes.pk if supersedes else None,
                },
            )
        saved = True
    except IntegrityError as exc:
        # Another issue of the same version won the race (the unique constraint is the guarantee).
        raise _already_issued() from exc
    finally:
        if not saved:
            default_storage.delete(name)
    return document


def _already_issued() -> ValidationError:
    return ValidationError(
        _("This document has already been issued; issue a new version to change it."), code="document_exists"
    )
