"""Writes of the shared core. Every status change in every app goes through ``transition``; every other
tracked change writes its audit row through ``audit_record``; every message goes through the outbox."""

import logging
import uuid
from datetime import datetime, timedelta

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from .audit import SCHEDULER, TransitionError, audit_bulk, audit_history, audit_record, bulk_transition, transition
from .delivery import DELIVERY_ERRORS, deliver
from .models import Department, Enterprise, MicroGrid, Notification, Region, StoresRegionCode, User
from .selectors import scope
from .validators import normalize_credit_code

# The audit primitives live in programs.audit; they are re-exported here, where every app has found them.
__all__ = [
    "ENTERPRISE_FIELDS",
    "SCHEDULER",
    "TransitionError",
    "api_token_issue",
    "api_tokens_revoke",
    "audit_bulk",
    "audit_history",
    "audit_record",
    "bulk_transition",
    "department_create",
    "enterprise_create",
    "enterprise_update",
    "notification_mark_read",
    "notification_schedule",
    "notifications_cancel",
    "notifications_send_due",
    "refuse_unknown_fields",
    "region_create",
    "region_scope_check",
    "transition",
    "user_deactivate",
    "user_password_change",
]

logger = logging.getLogger(__name__)

# Outcomes of a claimed batch are written this often, so that a kill loses few of them.
OUTCOME_FLUSH = 100


# --- Accounts and API tokens ---------------------------------------------------------------------------


def api_token_issue(*, user: User) -> Token:
    """The user's API token; an expired one (``API_TOKEN_MAX_AGE_DAYS``) is replaced by a new one."""
    oldest_valid = timezone.now() - timedelta(days=settings.API_TOKEN_MAX_AGE_DAYS)
    Token.objects.filter(user=user, created__lt=oldest_valid).delete()
    token, _created = Token.objects.get_or_create(user=user)
    return token


def api_tokens_revoke(*, user: User) -> int:
    """Delete the user's API tokens: every client signed in with one must sign in again. Returns how many."""
    deleted, _per_model = Token.objects.filter(user=user).delete()
    return deleted


def user_password_change(*, user: User, password: str | None) -> User:
    """Set the password (``None``: turn password sign-in off) and revoke the user's API tokens, so that a token
    obtained with the old password stops working. Who changed it is in the admin's history when an
    administrator did; a user's own change is theirs."""
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save(update_fields=["password"])
        api_tokens_revoke(user=user)
    return user


def user_deactivate(*, user: User, actor: User | None) -> User:
    """Deactivate the account and revoke its API tokens; idempotent (the audit row is written once)."""
    with transaction.atomic():
        deactivated = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
        revoked = api_tokens_revoke(user=user)
        if deactivated:
            audit_record(
                obj=user,
                field="is_active",
                old="True",
                new="False",
                actor=actor,
                action="user.deactivate",
                data={"api_tokens_revoked": revoked},
            )
    user.is_active = False
    return user


# --- Enterprises ------------------------------------------------------------------------------------


# What a person may set on an enterprise; the grade follows from findings and is never set by hand.
ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "region",
    "address",
    "industry",
    "size",
    "is_key",
    "micro_grid",
    "is_four_new",
    "contact_name",
    "contact_phone",
    "contact_email",
)


def refuse_unknown_fields(fields: dict, allowed: tuple[str, ...]) -> None:
    """An update service takes the fields it declares and refuses any other by name, so that a caller's typo
    or a field that is not for it (a grade, a status) is an error, never silently saved or dropped."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationError(
            {name: ValidationError(_("This field cannot be set here."), code="field_not_settable") for name in unknown}
        )


def region_scope_check(*, region: Region | None, actor: User | None, field: str = "region") -> None:
    """Staff place a record (an enterprise, a resident, a workshop, a slot…) only inside their own region's
    subtree (``actor`` None: the system itself). Every admin region picker checks with this one rule."""
    if actor is None or region is None or actor.is_superuser:
        return
    if not scope(Region.objects.filter(pk=region.pk), actor, region="").exists():
        raise ValidationError({field: ValidationError(_("This region is outside yours."), code="region_out_of_scope")})


def micro_grid_check(*, micro_grid: MicroGrid | None, region: Region | None, actor: User | None) -> None:
    """An enterprise goes into a micro-grid its editor may see (``actor`` None: the system), of a grid of the
    community the enterprise lies in."""
    if micro_grid is None:
        return
    if actor is not None and not scope(
        MicroGrid.objects.filter(pk=micro_grid.pk), actor, region="grid__community", micro_grid="pk"
    ).exists():
        raise ValidationError(
            {"micro_grid": ValidationError(_("This micro-grid is outside yours."), code="micro_grid_out_of_scope")}
        )
    community = micro_grid.grid.community
    if region is not None and not region.code.startswith(community.prefix):
        raise ValidationError(
            {
                "micro_grid": ValidationError(
                    _("The micro-grid belongs to %(community)s, not to the enterprise's community.")
                    % {"community": community.name},
                    code="micro_grid_other_community",
                )
            }
        )


def enterprise_create(*, actor: User | None, **fields) -> Enterprise:
    """Create an enterprise after full validation; the credit code is normalised (spaces, case) first."""
    refuse_unknown_fields(fields, ENTERPRISE_FIELDS)
    region_scope_check(region=fields.get("region"), actor=actor)
    micro_grid_check(micro_grid=fields.get("micro_grid"), region=fields.get("region"), actor=actor)
    fields["credit_code"] = normalize_credit_code(fields["credit_code"]) if fields.get("credit_code") else None
    enterprise = Enterprise(**fields)
    enterprise.full_clean()
    with transaction.atomic():
        enterprise.save()
        audit_record(
            obj=enterprise, field="created", old="", new=enterprise.name, actor=actor, action="enterprise.create"
        )
    return enterprise


def enterprise_update(*, enterprise: Enterprise, actor: User | None, **fields) -> Enterprise:
    """Change the fields given (of ``ENTERPRISE_FIELDS``), fully validated, with an audit row naming them."""
    refuse_unknown_fields(fields, ENTERPRISE_FIELDS)
    if "region" in fields:
        region_scope_check(region=fields["region"], actor=actor)
    if "credit_code" in fields:
        fields["credit_code"] = normalize_credit_code(fields["credit_code"]) or None
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        old_micro_grid = locked.micro_grid_id
        for name, value in fields.items():
            setattr(locked, name, value)
        if {"micro_grid", "region"} & set(fields):
            check_actor = actor if "micro_grid" in fields else None  # a move of region keeps the micro-grid's rule
            micro_grid_check(micro_grid=locked.micro_grid, region=locked.region, actor=check_actor)
        locked.full_clean()
        locked.save(update_fields=list(fields) or None)
        if fields:
            audit_record(
                obj=locked,
                field="updated",
                old="",
                new="",
                actor=actor,
                action="enterprise.update",
                data={"fields": sorted(fields)}
                | ({"micro_grid": [old_micro_grid, locked.micro_grid_id]} if "micro_grid" in fields else {}),
            )
        if "region" in fields:
            # The rows that store the enterprise's division code for the scope (any app's) move with it.
            for model in apps.get_models():
                if issubclass(model, StoresRegionCode):
                    model._base_manager.filter(enterprise=locked).update(region_code=locked.region.code)
    return locked


def region_create(*, code: str, name: str, parent: Region | None = None) -> Region:
    region = Region(code=code, name=name, parent=parent, level=Region.level_of_code(code))
    region.full_clean()
    region.save()
    return region


def department_create(*, name: str, kind: str, region: Region) -> Department:
    department = Department(name=name, kind=kind, region=region)
    department.full_clean()
    department.save()
    return department


# --- Notifications: the outbox ----------------------------------------------------------------------


def notification_schedule(
    *,
    dedupe_key: str,
    channel: str,
    subject: str,
    body: str,
    due_at: datetime | None = None,
    recipient: User | None = None,
    address: str = "",
    attachments: list[dict] | None = None,
    html_body: str = "",
) -> tuple[Notification, bool]:
    """Put a message in the outbox, once per dedupe key. Returns (row, created).

    Asking again with the same key returns the existing row unchanged, so a retried request or a task run
    twice never queues a second message.
    """
    if channel == Notification.Channel.IN_APP and recipient is None:
        raise ValidationError({"recipient": _("An in-app notification needs a recipient.")})
    if channel in (Notification.Channel.EMAIL, Notification.Channel.SMS) and not address:
        raise ValidationError({"address": _("An email or SMS needs an address.")})
    return Notification.objects.get_or_create(
        dedupe_key=dedupe_key,
        defaults={
            "channel": channel,
            "recipient": recipient,
            "address": address,
            "subject": subject[:200],
            "body": body,
            "attachments": attachments or [],
            "html_body": html_body if channel == Notification.Channel.EMAIL else "",
            "due_at": due_at or timezone.now(),
        },
    )


def notifications_cancel(*, dedupe_key_prefix: str) -> int:
    """Cancel the pending messages whose key starts with the prefix (a moved or cancelled booking's reminders)."""
    return Notification.objects.filter(
        dedupe_key__startswith=dedupe_key_prefix, status=Notification.Status.PENDING
    ).update(status=Notification.Status.CANCELLED)


def notifications_send_due(*, now: datetime | None = None, batch_size: int | None = None) -> int:
    """Deliver due messages; returns how many were sent. Safe to run any number of times at once.

    No network call happens inside a transaction that holds row locks: a batch is claimed in a short
    transaction (``SELECT … FOR UPDATE SKIP LOCKED``, then a lease and a claim token written on the rows) and
    committed; then each message is delivered, and the outcome recorded with a compare-and-set on the token.
    Another sweep skips rows under a live lease, and the lease outlives the task's hard time limit, so a slow
    delivery is never handed over twice by two sweeps. A worker killed mid-batch leaves its undelivered rows
    claimed until the lease ends, then they go out; backends receive the dedupe key so that a gateway can drop
    the repeat of a message it accepted just before the kill.
    """
    due_by = now or timezone.now()
    batch_size = batch_size or settings.OUTBOX_BATCH_SIZE
    sent_total = 0
    while True:
        token, batch = _notifications_claim(due_by=due_by, batch_size=batch_size)
        if not batch:
            return sent_total
        sent_total += _notifications_deliver(token, batch)
        if len(batch) < batch_size:
            return sent_total


def _notifications_claim(*, due_by: datetime, batch_size: int) -> tuple[str, list[Notification]]:
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, due_at__lte=due_by)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
            .order_by("due_at", "id")
            .values_list("pk", flat=True)[:batch_size]
        )
        Notification.objects.filter(pk__in=ids).update(
            claim_token=token, claimed_until=now + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS)
        )
    return token, list(Notification.objects.filter(pk__in=ids, claim_token=token).order_by("due_at", "id"))


def _notifications_deliver(token: str, batch: list[Notification]) -> int:
    """Deliver a claimed batch outside any transaction. Outcomes are written every ``OUTCOME_FLUSH`` messages
    and, in ``finally``, when the task's soft time limit (or any error) stops the batch, so what went out is
    recorded as sent; a hard kill loses at most the last few outcomes, which the dedupe key covers."""
    sent: list[int] = []
    failed: list[Notification] = []
    sent_total = 0
    try:
        for notification in batch:
            try:
                deliver(notification)
            except DELIVERY_ERRORS as exc:  # the gateway or the mail server refused, timed out or hung up
                _note_failure(notification, exc)
                failed.append(notification)
            else:
                sent.append(notification.pk)
            if len(sent) + len(failed) >= OUTCOME_FLUSH:
                sent_total += _record_outcomes(token, sent, failed)
                sent, failed = [], []
    finally:
        sent_total += _record_outcomes(token, sent, failed)
    return sent_total


def _note_failure(notification: Notification, exc: BaseException) -> None:
    notification.attempts += 1
    logger.warning(
        "notification %s delivery failed (attempt %s): %s", notification.pk, notification.attempts, type(exc).__name__
    )
    notification.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if notification.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        notification.status = Notification.Status.FAILED
    else:
        notification.due_at = timezone.now() + timedelta(minutes=2**notification.attempts)


def _record_outcomes(token: str, sent: list[int], failed: list[Notification]) -> int:
    """Write what happened, only on rows this claim still holds (the token is the compare-and-set)."""
    done = Notification.objects.filter(pk__in=sent, claim_token=token, status=Notification.Status.PENDING).update(
        status=Notification.Status.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        claim_token="",
        claimed_until=None,
    )
    for notification in failed:
        Notification.objects.filter(pk=notification.pk, claim_token=token).update(
            status=notification.status,
            attempts=notification.attempts,
            last_error=notification.last_error,
            due_at=notification.due_at,
            claim_token="",
            claimed_until=None,
        )
    return done


def notification_mark_read(*, notification: Notification, actor: User) -> Notification:
    if notification.recipient_id != actor.pk:
        raise ValidationError(_("This notification is not yours."))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification
