"""The recommendation letter (建议书): issued once as a PDF through the core's document service, and from then on
the stored bytes are the letter. The advice, the risks and the summary it shows no longer change on their own:
a correction comes with a new version (``letter_reissue``), which keeps the old one.

Nothing here reads or writes ``Enterprise.grade``: guidance is a service, never enforcement.
"""

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from programs.audit import TransitionError, audit_record
from programs.documents import document_issue, document_reissue
from programs.models import IssuedDocument, User

from .. import selectors
from ..models import Booking
from ..selectors import LETTER_KIND, letter_document
from ._common import advice_add, lock_for_records, risk_add
from .links import booking_manage_url
from .notifications import notify_booker

LETTER_TEMPLATE = "guidance/letter_document.html"


def letter_number(booking: Booking) -> str:
    return f"{booking.reference}-JY"


def _context(booking: Booking, *, number: str, version: int, supersedes=None, reason: str = "") -> dict:
    return {
        "booking": selectors.booking_detail(booking=booking),
        "number": number,
        "version": version,
        "issued_at": timezone.now(),
        "supersedes": supersedes,
        "reason": reason,
    }


def letter_issue(*, booking: Booking, actor: User) -> Booking:
    """Issue the recommendation letter (建议书) of a completed visit, once: rendered to PDF from the advice, risks
    and summary as they are now and stored; the enterprise is told where to read it. Issuing again answers the
    letter already issued."""
    with transaction.atomic():
        # The lock keeps advice and risks (recorded under the same lock) from slipping in between the rendering
        # and the issue: the stored letter is exactly what the visit's records say at this moment.
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != Booking.Status.COMPLETED:
            raise TransitionError(_("A recommendation letter is issued after the visit is completed."), code="closed")
        if locked.letter_issued_at is None:
            number = letter_number(locked)
            document = document_issue(
                kind=LETTER_KIND,
                obj=locked,
                template=LETTER_TEMPLATE,
                context=_context(locked, number=number, version=1),
                number=number,
                actor=actor,
            )
            Booking.objects.filter(pk=locked.pk).update(letter_issued_at=document.issued_at, letter_number=number)
            audit_record(obj=locked, field="letter", old="", new=number, actor=actor, action="booking.letter")
            locked = Booking.objects.select_related("slot", "theme").get(pk=locked.pk)
            url = booking_manage_url(locked)
            notify_booker(
                locked,
                key=f"guidance:booking:{locked.pk}:letter",
                subject=_("Recommendation letter %(number)s") % {"number": number},
                body=_("The recommendation letter of your guidance visit is ready: %(url)s") % {"url": url},
                # A phone has no other way to the letter than the link: the SMS carries it.
                sms_text=_("Recommendation letter %(number)s of your guidance visit is ready: %(url)s")
                % {"number": number, "url": url},
            )
    return Booking.objects.select_related("slot", "theme").get(pk=booking.pk)


def letter_reissue(
    *,
    booking: Booking,
    actor: User,
    reason: str,
    summary: str | None = None,
    advice: Iterable[Mapping] = (),
    risks: Iterable[Mapping] = (),
) -> IssuedDocument:
    """A new version of the issued letter, with the corrections it brings: a new ``summary``, more ``advice``
    (``{"text", "item"}``) and ``risks`` (``{"description", "item", "suggestion", "deadline"}``), recorded in the
    same transaction as the new version is rendered and stored. The old version stays, readable; the
    enterprise is told."""
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Give a reason for the new version."), code="reason_required")}
        )
    advice, risks = list(advice), list(risks)
    with transaction.atomic():
        locked = lock_for_records(booking, field="reason", reissue=True)
        current = letter_document(booking=locked)
        if current is None:
            raise ValidationError(
                _("The recommendation letter has not been issued yet; issue it first."), code="letter_not_issued"
            )
        added_advice = [advice_add(booking=locked, actor=actor, **entry).pk for entry in advice]
        added_risks = [risk_add(booking=locked, actor=actor, **entry).pk for entry in risks]
        summary_changed = summary is not None and summary.strip() != locked.summary
        if summary_changed:
            locked.summary = summary.strip()
            locked.save(update_fields=["summary"])
        version = current.version + 1
        document = document_reissue(
            document=current,
            template=LETTER_TEMPLATE,
            context=_context(locked, number=current.number, version=version, supersedes=current, reason=reason),
            actor=actor,
            reason=reason,
        )
        audit_record(
            obj=locked,
            field="letter",
            old=f"{current.number} v{current.version}",
            new=f"{document.number} v{document.version}",
            actor=actor,
            reason=reason,
            action="booking.letter_reissue",
            data={"advice": added_advice, "risks": added_risks, "summary_changed": summary_changed},
        )
        locked = Booking.objects.select_related("slot", "theme").get(pk=locked.pk)
        url = booking_manage_url(locked)
        notify_booker(
            locked,
            key=f"guidance:booking:{locked.pk}:letter:v{version}",
            subject=_("Recommendation letter %(number)s, version %(version)s")
            % {"number": document.number, "version": version},
            body=_("A corrected recommendation letter replaces the previous one (%(reason)s): %(url)s")
            % {"reason": reason, "url": url},
            sms_text=_("Recommendation letter %(number)s, version %(version)s, replaces the previous one: %(url)s")
            % {"number": document.number, "version": version, "url": url},
        )
    return document
