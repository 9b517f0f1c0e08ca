"""The recommendation letter (建议书) of a session: issued once as a PDF through the core's document service, and
from then on the stored bytes are the letter. The advice, the risks and the summary of the session it shows no
longer change on their own: a correction comes with a new version (``letter_reissue``), which keeps the old one.
A booking's first session's letter is numbered ``<reference>-JY``, a follow-up session's ``<reference>-JY<n>``;
the booking keeps its first session's number and date (``Booking.letter_number``, ``letter_issued_at``).

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
from ..models import Booking, Session
from ..selectors import LETTER_KIND, letter_document
from ._common import advice_add, lock_for_records, risk_add
from .links import booking_manage_url
from .notifications import notify_booker

LETTER_TEMPLATE = "guidance/letter_document.html"


def letter_number(booking: Booking, session: Session | None = None) -> str:
    if session is None or session.kind == Session.Kind.FIRST:
        return f"{booking.reference}-JY"
    follow_ups = Session.objects.filter(booking=booking, kind=Session.Kind.FOLLOW_UP, pk__lte=session.pk).count()
    return f"{booking.reference}-JY{follow_ups + 1}"


def _context(booking: Booking, session: Session, *, number: str, version: int, supersedes=None, reason="") -> dict:
    return {
        "booking": selectors.booking_detail(booking=booking),
        "session": selectors.session_list(booking=booking).get(pk=session.pk),
        "number": number,
        "version": version,
        "issued_at": timezone.now(),
        "supersedes": supersedes,
        "reason": reason,
    }


def _session_of(locked: Booking, session: Session | None) -> Session:
    """The session named (it must be the booking's), by default the booking's first."""
    if session is None:
        first = locked.sessions.filter(kind=Session.Kind.FIRST).first()
        if first is None:  # a completed booking always has one; a row written around the services may not
            raise TransitionError(_("No session of this booking is recorded."), code="no_session")
        return first
    if session.booking_id != locked.pk:
        raise ValidationError(
            {"session": ValidationError(_("This session is not the booking's."), code="other_booking")}
        )
    return Session.objects.get(pk=session.pk)


def letter_issue(*, booking: Booking, actor: User, session: Session | None = None) -> Booking:
    """Issue the recommendation letter (建议书) of a session held (by default the booking's first), once:
    rendered to PDF from the session's advice, risks and summary as they are now and stored; the enterprise is
    told where to read it. Issuing again answers the letter already issued."""
    with transaction.atomic():
        # The lock keeps advice and risks (recorded under the same lock) from slipping in between the rendering
        # and the issue: the stored letter is exactly what the session's records say at this moment.
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if locked.status != Booking.Status.COMPLETED:
            raise TransitionError(_("A recommendation letter is issued after the visit is completed."), code="closed")
        target = _session_of(locked, session)
        if target.letter_issued_at is None:
            number = letter_number(locked, target)
            document = document_issue(
                kind=LETTER_KIND,
                obj=target,
                template=LETTER_TEMPLATE,
                context=_context(locked, target, number=number, version=1),
                number=number,
                actor=actor,
            )
            Session.objects.filter(pk=target.pk).update(letter_issued_at=document.issued_at, letter_number=number)
            first = target.kind == Session.Kind.FIRST
            if first:
                Booking.objects.filter(pk=locked.pk).update(letter_issued_at=document.issued_at, letter_number=number)
            audit_record(
                obj=locked,
                field="letter",
                old="",
                new=number,
                actor=actor,
                action="booking.letter",
                data={"session": target.pk},
            )
            locked = Booking.objects.select_related("slot", "theme").get(pk=locked.pk)
            url = booking_manage_url(locked)
            notify_booker(
                locked,
                key=f"guidance:booking:{locked.pk}:letter" + ("" if first else f":session-{target.pk}"),
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
    session: Session | None = None,
) -> IssuedDocument:
    """A new version of the issued letter of ``session`` (by default the booking's first), with the corrections
    it brings: a new ``summary``, more ``advice`` (``{"text", "item"}``) and ``risks`` (``{"description",
    "item", "suggestion", "deadline"}``) of that session, recorded in the same transaction as the new version is
    rendered and stored. The old version stays, readable; the enterprise is told."""
    if not reason.strip():
        raise ValidationError(
            {"reason": ValidationError(_("Give a reason for the new version."), code="reason_required")}
        )
    advice, risks = list(advice), list(risks)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        target = _session_of(locked, session) if locked.sessions.exists() else None
        locked, target = lock_for_records(locked, field="reason", reissue=True, session=target)
        current = letter_document(booking=locked, session=target) if target is not None else None
        if current is None:
            raise ValidationError(
                _("The recommendation letter has not been issued yet; issue it first."), code="letter_not_issued"
            )
        added_advice = [advice_add(booking=locked, session=target, actor=actor, **entry).pk for entry in advice]
        added_risks = [risk_add(booking=locked, session=target, actor=actor, **entry).pk for entry in risks]
        summary_changed = summary is not None and summary.strip() != target.summary
        if summary_changed:
            Session.objects.filter(pk=target.pk).update(summary=summary.strip())
            if target.kind == Session.Kind.FIRST:
                locked.summary = summary.strip()
                locked.save(update_fields=["summary"])
        version = current.version + 1
        document = document_reissue(
            document=current,
            template=LETTER_TEMPLATE,
            context=_context(locked, target, number=current.number, version=version, supersedes=current, reason=reason),
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
            data={
                "session": target.pk,
                "advice": added_advice,
                "risks": added_risks,
                "summary_changed": summary_changed,
            },
        )
        locked = Booking.objects.select_related("slot", "theme").get(pk=locked.pk)
        url = booking_manage_url(locked)
        notify_booker(
            locked,
            key=f"guidance:booking:{locked.pk}:letter:v{version}"
            + ("" if target.kind == Session.Kind.FIRST else f":session-{target.pk}"),
            subject=_("Recommendation letter %(number)s, version %(version)s")
            % {"number": document.number, "version": version},
            body=_("A corrected recommendation letter replaces the previous one (%(reason)s): %(url)s")
            % {"reason": reason, "url": url},
            sms_text=_("Recommendation letter %(number)s, version %(version)s, replaces the previous one: %(url)s")
            % {"number": document.number, "version": version, "url": url},
        )
    return document
