"""Payments through a pluggable backend (``PAYMENT_BACKEND``), like the SMS backend of the outbox.

An app that collects money creates a ``PaymentOrder`` (``payment_order_create``) and sends the payer to the
backend's cashier (``payment_backend().cashier_url(order)``). The gateway tells the site the outcome by a signed
notification posted to ``/payments/callback/`` (``payment_notification_receive``): HMAC-SHA256 over the body with
``PAYMENT_GATEWAY_SECRET``, compared in constant time; the gateway's transaction id is unique and the amount must
equal the order's. A repeated notification answers success and changes nothing; a forged or mismatched one is
refused and logged (no body, no signature). Money the gateway took for an order that can no longer be paid
(cancelled, or past its ``expires_at``: an amount priced for one day, such as a fine with its late fee, expires at
the end of that day, the way a real cashier's order carries an expiry time) is never refused: the order is marked
``unapplied`` (visible in the admin, its department's officers told), answered success, and refunded or applied by
an officer; the payer starts a new order, priced for the new day.

The paid order goes to the owning app's handler, named by dotted path in its ``AppConfig.payment_handlers``
(``{"inspections.fine": "inspections.services.fine_payments.…"}``): the core imports no app.

The default backend, ``SimulatedGateway``, is a gateway on this machine that behaves like a real one: its cashier
page (``/payments/simulator/<reference>/``) takes the payment, and its notification arrives later, from a Celery
task that posts the signed body over HTTP, with knobs for a slow, failing or repeated notification
(``PAYMENT_SIMULATOR_DELAY``, ``PAYMENT_SIMULATOR_FAILURES``, ``PAYMENT_SIMULATOR_DUPLICATES``)."""

import hashlib
import hmac
import json
import logging
import secrets
import urllib.error
import urllib.request
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Protocol

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .audit import audit_record, transition
from .celery import app as celery_app
from .models import User
from .notify import notify_user
from .payment_models import PAYMENT_ORDER_MOVES, PaymentOrder

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Payment-Signature"
NOTIFY_TASK = "programs.simulated_gateway_notify"


class CallbackRefused(Exception):
    """A notification the site does not believe or cannot apply; ``code`` says why (logged, answered 400)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class PaymentNotice:
    reference: str
    transaction_id: str
    amount: Decimal
    status: str


class PaymentBackend(Protocol):
    """What a payment gateway adapter implements. ``cashier_url``: where the payer is sent to pay ``order``;
    ``parse_notification``: the gateway's notification checked (signature first) and read, or
    ``CallbackRefused``. A real adapter sets ``settings.PAYMENT_TIMEOUT`` on its network calls."""

    name: str

    def cashier_url(self, order: PaymentOrder) -> str: ...

    def parse_notification(self, *, body: bytes, headers) -> PaymentNotice: ...


def sign(body: bytes, secret: str | None = None) -> str:
    key = (secret if secret is not None else settings.PAYMENT_GATEWAY_SECRET).encode()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(body).encode(), (signature or "").encode())


def notification_body(*, reference: str, transaction_id: str, amount: Decimal | str, status: str = "paid") -> bytes:
    return json.dumps(
        {"reference": reference, "transaction_id": transaction_id, "amount": str(amount), "status": status},
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


class SimulatedGateway:
    """The default: a gateway on this machine (cashier page and asynchronous signed notification)."""

    name = "simulated"

    def cashier_url(self, order: PaymentOrder) -> str:
        return reverse("payments:simulator-cashier", args=[order.reference])

    def parse_notification(self, *, body: bytes, headers) -> PaymentNotice:
        if not signature_valid(body, headers.get(SIGNATURE_HEADER, "")):
            raise CallbackRefused("forged")
        try:
            data = json.loads(body)
            return PaymentNotice(
                reference=str(data["reference"]),
                transaction_id=str(data["transaction_id"])[:64],
                amount=Decimal(str(data["amount"])),
                status=str(data["status"]),
            )
        except (ValueError, KeyError, TypeError, InvalidOperation):
            raise CallbackRefused("malformed") from None

    def take_payment(self, order: PaymentOrder) -> str:
        """The payer confirmed on the cashier page: the gateway's transaction, notified later by a task."""
        transaction_id = f"SIM{timezone.localdate():%Y%m%d}{secrets.token_hex(8).upper()}"
        publish_later(reference=order.reference, transaction_id=transaction_id, amount=str(order.amount))
        return transaction_id


def publish_later(**kwargs) -> None:
    """The gateway's notification, sent by name once the page's transaction commits (tasks import this module)."""
    transaction.on_commit(
        lambda: celery_app.tasks[NOTIFY_TASK].apply_async(kwargs=kwargs, countdown=settings.PAYMENT_SIMULATOR_DELAY)
    )


class NotificationNotDelivered(Exception):
    """The simulated gateway could not deliver its notification this time; its task tries again later."""


def simulated_notification_post(*, reference: str, transaction_id: str, amount: str, attempt: int = 0) -> int:
    """What the simulated gateway's task does: post the signed notification to the site's callback, as many
    times as ``PAYMENT_SIMULATOR_DUPLICATES`` says; the first ``PAYMENT_SIMULATOR_FAILURES`` attempts fail as a
    network failure would. Returns the HTTP status of the last post."""
    if attempt < settings.PAYMENT_SIMULATOR_FAILURES:
        raise NotificationNotDelivered(f"simulated failure {attempt + 1}")
    body = notification_body(reference=reference, transaction_id=transaction_id, amount=amount)
    base = (settings.PAYMENT_CALLBACK_BASE_URL or settings.GUIDANCE_SITE_URL).rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise NotificationNotDelivered("the callback base URL is not http(s)")
    request = urllib.request.Request(  # noqa: S310 - an http(s) URL, checked above
        base + reverse("payments:callback"),
        data=body,
        headers={"Content-Type": "application/json", SIGNATURE_HEADER: sign(body)},
        method="POST",
    )
    status = 0
    for _copy in range(max(1, settings.PAYMENT_SIMULATOR_DUPLICATES)):
        try:
            with urllib.request.urlopen(request, timeout=settings.PAYMENT_TIMEOUT) as response:  # noqa: S310
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
            if status >= 500:
                raise NotificationNotDelivered(f"callback answered {status}") from None
        except OSError as exc:
            raise NotificationNotDelivered(type(exc).__name__) from None
    return status


@cache
def payment_backend() -> PaymentBackend:
    return import_string(settings.PAYMENT_BACKEND)()


def _handler(owner: str):
    for config in apps.get_app_configs():
        path = getattr(config, "payment_handlers", {}).get(owner)
        if path:
            return import_string(path)
    raise CallbackRefused("no_handler")


# --- Orders -------------------------------------------------------------------------------------------------------


def payment_order_create(
    *,
    owner: str,
    owner_id: int,
    enterprise_id: int,
    subject: str,
    amount: Decimal,
    breakdown: dict | None = None,
    return_path: str = "",
    department_id: int | None = None,
    expires_at=None,
    actor: User | None,
) -> PaymentOrder:
    if amount <= 0:
        raise ValidationError({"amount": _("An order needs an amount above zero.")}, code="amount")
    if return_path and not (return_path.startswith("/") and not return_path.startswith("//")):
        return_path = ""  # only a path on this site
    order = PaymentOrder.objects.create(
        owner=owner,
        owner_id=owner_id,
        enterprise_id=enterprise_id,
        subject=subject[:200],
        amount=amount,
        breakdown=dict(breakdown or {}),
        backend=settings.PAYMENT_BACKEND,
        return_path=return_path,
        department_id=department_id,
        expires_at=expires_at,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(obj=order, field="created", old="", new=order.status, actor=actor, data={"amount": str(amount)})
    return order


def payment_orders_cancel(*, owner: str, owner_id: int, actor: User | None, reason: str = "") -> int:
    """Cancel the owner's orders still awaiting payment (a notification for one of them is then refused)."""
    cancelled = 0
    for order in PaymentOrder.objects.filter(owner=owner, owner_id=owner_id, status=PaymentOrder.Status.PENDING):
        transition(
            instance=order, to=PaymentOrder.Status.CANCELLED, actor=actor, allowed=PAYMENT_ORDER_MOVES, reason=reason
        )
        cancelled += 1
    return cancelled


def _expired(order: PaymentOrder) -> bool:
    return (
        order.status == PaymentOrder.Status.PENDING
        and order.expires_at is not None
        and order.expires_at <= timezone.now()
    )


def payment_order_expire(order: PaymentOrder) -> PaymentOrder:
    """Cancel ``order`` (locked by the caller) if it is past its expiry; the order either way."""
    if not _expired(order):
        return order
    return transition(
        instance=order,
        to=PaymentOrder.Status.CANCELLED,
        actor=None,
        actor_label="payment:expiry",
        allowed=PAYMENT_ORDER_MOVES,
        reason="expired",
    )


def payment_orders_expire() -> int:
    """The sweep: pending orders past their expiry are cancelled (a second run finds none). Returns how many."""
    expired = 0
    for pk in PaymentOrder.objects.filter(
        status=PaymentOrder.Status.PENDING, expires_at__lte=timezone.now()
    ).values_list("pk", flat=True):
        with transaction.atomic():
            order = PaymentOrder.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
            if order is not None and _expired(order):
                payment_order_expire(order)
                expired += 1
    return expired


def _record_unapplied(order: PaymentOrder, notice: PaymentNotice, why: str) -> None:
    """Money taken for an order that cannot take it (locked by the caller): kept on the order, to be refunded or
    applied by an officer of its department, who is told."""
    if order.status == PaymentOrder.Status.PENDING:
        transition(
            instance=order, to=PaymentOrder.Status.CANCELLED, actor=None, allowed=PAYMENT_ORDER_MOVES, reason=why
        )
    transition(
        instance=order,
        to=PaymentOrder.Status.UNAPPLIED,
        actor=None,
        actor_label=f"payment:{payment_backend().name}",
        allowed=PAYMENT_ORDER_MOVES,
        reason=why,
        changes={"transaction_id": notice.transaction_id, "paid_at": timezone.now()},
        data={"transaction_id": notice.transaction_id, "amount": str(notice.amount)},
    )
    logger.warning("payment for an order not payable recorded: %s (order %s…)", why, order.reference[:10])
    if order.department_id is None:
        return
    for officer in User.objects.filter(department_id=order.department_id, role=User.Role.OFFICER, is_active=True):
        notify_user(
            user=officer,
            key=f"programs:payment-order:{order.pk}:unapplied",
            subject=_("Payment %(reference)s received but not applied: refund or apply it")
            % {"reference": order.reference},
            body=_(
                "%(amount)s yuan was paid for %(subject)s after the order was no longer payable. Refund it or apply "
                "it in the admin (payment orders, status: paid, not applied)."
            )
            % {"amount": order.amount, "subject": order.subject},
        )


def _refuse(code: str, reference: str = "") -> CallbackRefused:
    # Never the body or the signature: the reference's first characters tell orders apart.
    logger.warning("payment notification refused: %s (order %s…)", code, reference[:10])
    return CallbackRefused(code)


def payment_notification_receive(*, body: bytes, headers) -> str:
    """Apply a gateway's notification: ``"paid"`` the first time, ``"duplicate"`` for a repeat (nothing changes);
    ``"unapplied"`` for money taken for an order no longer payable (cancelled, expired, or refused by its owner:
    recorded for a refund or to apply); ``CallbackRefused`` for a forged, malformed or mismatched one (nothing
    changes)."""
    try:
        notice = payment_backend().parse_notification(body=body, headers=headers)
    except CallbackRefused as exc:
        raise _refuse(exc.code) from None
    if notice.status != "paid":
        raise _refuse("not_paid", notice.reference)
    try:
        with transaction.atomic():
            order = PaymentOrder.objects.select_for_update().filter(reference=notice.reference).first()
            if order is None:
                raise _refuse("unknown_order", notice.reference)
            if order.status in (PaymentOrder.Status.PAID, PaymentOrder.Status.UNAPPLIED):
                if order.transaction_id == notice.transaction_id:
                    return "duplicate"
                raise _refuse("paid_by_another_transaction", notice.reference)
            if notice.amount != order.amount:
                raise _refuse("amount_mismatch", notice.reference)
            order = payment_order_expire(order)
            if order.status == PaymentOrder.Status.CANCELLED:
                _record_unapplied(order, notice, "order_cancelled")
                return "unapplied"
            paid_at = timezone.now()
            order = transition(
                instance=order,
                to=PaymentOrder.Status.PAID,
                actor=None,
                actor_label=f"payment:{payment_backend().name}",
                allowed=PAYMENT_ORDER_MOVES,
                changes={"transaction_id": notice.transaction_id, "paid_at": paid_at},
                data={"transaction_id": notice.transaction_id, "amount": str(notice.amount)},
            )
            _handler(order.owner)(order)
    except IntegrityError:
        # The transaction id is another order's: a replay of its notification against this order.
        raise _refuse("transaction_reused", notice.reference) from None
    except ValidationError:
        # The owner cannot take the payment (e.g. paid already through another order, or priced for another day):
        # nothing is applied to the debt, and the money is kept on the order for a refund or to apply.
        with transaction.atomic():
            order = PaymentOrder.objects.select_for_update().get(reference=notice.reference)
            if order.status != PaymentOrder.Status.PENDING:
                if order.transaction_id == notice.transaction_id:
                    return "duplicate"
                raise _refuse("paid_by_another_transaction", notice.reference) from None
            _record_unapplied(order, notice, "owner_refused")
        return "unapplied"
    return "paid"
