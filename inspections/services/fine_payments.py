"""The handler of a fine's paid payment order (named in ``InspectionsConfig.payment_handlers``): the payment is
recorded on the fine and, once the fine is paid, the case is fulfilled (履行)."""

from django.db import transaction

from programs.payment_models import PaymentOrder

from ..models import Fine
from .cases import case_fulfil
from .fines import fine_payment_record


def fine_order_paid(order: PaymentOrder) -> None:
    with transaction.atomic():
        fine = fine_payment_record(order=order)
        if fine.status == Fine.Status.PAID:
            case_fulfil(fine.case, actor=None, at=fine.paid_at)
