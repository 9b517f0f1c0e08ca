"""What the enterprise's case page shows of a fine: what it pays now (``fine_payment_due``)."""

from django import template

from ..services.fines import fine_payment_due

register = template.Library()


@register.simple_tag
def fine_due_now(fine):
    return fine_payment_due(fine)
