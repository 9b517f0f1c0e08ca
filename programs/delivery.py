"""Delivery backends for the outbox: email through Django's mail settings, SMS through a small pluggable
interface (``SMS_BACKEND``), in-app by simply being readable through the API once sent."""

import base64
import hashlib
import logging
from functools import cache
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.module_loading import import_string

from .validators import mask_phone

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """A gateway refused or could not take a message; the outbox retries it later."""


# What a delivery may fail with and be retried for: a backend's refusal, and every network failure (smtplib's
# errors, socket time-outs, refused and reset connections and requests' errors are all OSErrors). Anything else
# is a bug and stops the sweep loudly; so do Celery's time-limit exceptions, which are none of these.
DELIVERY_ERRORS = (GatewayError, OSError)


class SmsBackend(Protocol):
    """What an SMS gateway adapter implements. ``key`` is the outbox dedupe key: gateways that accept a
    client message id use it so that a repeat after a crash is dropped at their end. A real adapter sets
    ``settings.SMS_TIMEOUT`` on its network calls and raises ``GatewayError`` (or lets an OSError through)."""

    def send(self, *, phone: str, text: str, key: str) -> None: ...


class LoggingSmsBackend:
    """The default: writes that a text went out (phone masked, no body: it may carry personal data)."""

    def send(self, *, phone: str, text: str, key: str) -> None:
        logger.info("sms to %s key=%s (%d characters)", mask_phone(phone), key, len(text))


@cache
def sms_backend() -> SmsBackend:
    return import_string(settings.SMS_BACKEND)()


def message_id(dedupe_key: str) -> str:
    return f"<{hashlib.sha256(dedupe_key.encode()).hexdigest()[:32]}@outbox.programs>"


def _send_email(notification) -> None:
    message = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.address],
        # A Message-ID derived from the dedupe key: a repeat after a crash is recognisably the same message.
        headers={"X-Notification-Key": notification.dedupe_key, "Message-ID": message_id(notification.dedupe_key)},
    )
    if notification.html_body:  # the plain body stays the text alternative for mail readers without HTML
        message.attach_alternative(notification.html_body, "text/html")
    for attachment in notification.attachments:
        message.attach(
            attachment["filename"], base64.b64decode(attachment["content_base64"]), attachment.get("mimetype")
        )
    message.send(fail_silently=False)


def _send_sms(notification) -> None:
    sms_backend().send(phone=notification.address, text=notification.body, key=notification.dedupe_key)


def _send_in_app(notification) -> None:
    """Nothing leaves the system: once marked sent, the row shows in the recipient's inbox."""


CHANNEL_SENDERS = {"email": _send_email, "sms": _send_sms, "in_app": _send_in_app}


def deliver(notification) -> None:
    CHANNEL_SENDERS[notification.channel](notification)
