"""The one way to tell people something: a fan-out to the outbox rows that reach them, once per key.

Every row is keyed, so asking twice (a retried request, a sweep run twice) queues nothing new, and the rows
are written in the caller's transaction: the notice commits with the change it reports, or not at all."""

from collections.abc import Sequence
from datetime import datetime

from .models import Notification, User
from .services import notification_schedule


def notify_user(
    *,
    user: User,
    key: str,
    subject: str,
    body: str,
    due_at: datetime | None = None,
    attachments: Sequence[dict] | None = None,
    html_body: str = "",
) -> None:
    """In the app (key ``key``) and, when the person has an email address, by email too (``key:email``)."""
    notification_schedule(
        dedupe_key=key, channel=Notification.Channel.IN_APP, recipient=user, subject=subject, body=body, due_at=due_at
    )
    if user.email:
        notification_schedule(
            dedupe_key=f"{key}:email",
            channel=Notification.Channel.EMAIL,
            address=user.email,
            subject=subject,
            body=body,
            due_at=due_at,
            attachments=list(attachments or []),
            html_body=html_body,
        )


def notify_enterprise(
    *,
    enterprise_id: int | None,
    key: str,
    subject: str,
    body: str,
    due_at: datetime | None = None,
    email: str = "",
    phone: str = "",
    sms_text: str = "",
    attachments: Sequence[dict] | None = None,
    html_body: str = "",
) -> None:
    """An enterprise's people: its contact by email (``key:email``) and SMS (``key:sms``, the subject unless
    ``sms_text``), and each active user of the enterprise in the app (``key:user-<id>``). A business not
    registered yet (``enterprise_id=None``) is reached through its contact only. ``html_body``: the email's HTML
    version, sent with ``body`` as its plain-text alternative."""
    if email:
        notification_schedule(
            dedupe_key=f"{key}:email",
            channel=Notification.Channel.EMAIL,
            address=email,
            subject=subject,
            body=body,
            due_at=due_at,
            attachments=list(attachments or []),
            html_body=html_body,
        )
    if phone:
        notification_schedule(
            dedupe_key=f"{key}:sms",
            channel=Notification.Channel.SMS,
            address=phone,
            subject=subject,
            body=sms_text or subject,
            due_at=due_at,
        )
    if enterprise_id is None:
        return
    for user in User.objects.filter(enterprise_id=enterprise_id, is_active=True).order_by("pk"):
        notification_schedule(
            dedupe_key=f"{key}:user-{user.pk}",
            channel=Notification.Channel.IN_APP,
            recipient=user,
            subject=subject,
            body=body,
            due_at=due_at,
        )
