"""The confirmation page's address. It carries the readable reference signed, so that the page (what was
registered for, and its status) opens only from the link the registrant was given, not by trying references."""

from django.core import signing

from ..models import Registration

CONFIRMATION_SALT = "workshops.registration.confirmation"


def registration_token(registration: Registration) -> str:
    """The same token every time for one registration: a double submit lands on the same address."""
    return signing.Signer(salt=CONFIRMATION_SALT).sign(registration.reference)


def registration_from_token(token: str) -> Registration:
    """The registration a confirmation link points to; ``Registration.DoesNotExist`` for a forged or unknown one."""
    try:
        reference = signing.Signer(salt=CONFIRMATION_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise Registration.DoesNotExist("not a confirmation link") from exc
    return Registration.objects.select_related("position__workshop__village", "resident").get(reference=reference)
