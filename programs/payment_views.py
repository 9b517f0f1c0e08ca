"""Pages of the payment backend: the simulated gateway's cashier and result pages (what a real gateway would show
on its own site), and the callback every gateway's notification is posted to."""

import logging
from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .payment_models import PaymentOrder
from .payments import (
    CallbackRefused,
    SimulatedGateway,
    payment_backend,
    payment_notification_receive,
    payment_order_expire,
)

logger = logging.getLogger(__name__)


def _payer_order(request, reference: str) -> PaymentOrder:
    """The order, to a user of the enterprise that owes it (404 to anyone else)."""
    if not isinstance(payment_backend(), SimulatedGateway):
        raise Http404
    order = get_object_or_404(PaymentOrder.objects.select_related("enterprise"), reference=reference)
    if not (
        request.user.is_superuser or (request.user.enterprise_id and request.user.enterprise_id == order.enterprise_id)
    ):
        raise Http404
    return order


@login_required
@require_http_methods(["GET", "POST"])
def simulator_cashier(request, reference):
    """The simulated gateway's cashier: the order and a button to pay it. Paying hands the order to the gateway,
    whose notification reaches the site a moment later, as a real gateway's does."""
    order = _payer_order(request, reference)
    if request.method == "POST" and order.status == PaymentOrder.Status.PENDING:
        if request.POST.get("action") == "cancel":
            return redirect(order.return_path or "enterprise-area")
        with transaction.atomic():  # like a real gateway, the cashier takes no payment for an expired order
            order = payment_order_expire(PaymentOrder.objects.select_for_update().get(pk=order.pk))
        if order.status != PaymentOrder.Status.PENDING:
            return redirect("payments:simulator-cashier", reference=order.reference)
        payment_backend().take_payment(order)
        return redirect("payments:simulator-result", reference=order.reference)
    return render(request, "programs/payments/cashier.html", {"order": order})


CONFIRMATION_PATIENCE = timedelta(minutes=5)


@login_required
@require_http_methods(["GET"])
def simulator_result(request, reference):
    """After paying: "processing" (the page reloads itself) until the notification has arrived, then "paid". A
    confirmation slower than ``CONFIRMATION_PATIENCE`` stops the reloading and tells the payer not to pay twice."""
    order = _payer_order(request, reference)
    slow = order.status == PaymentOrder.Status.PENDING and timezone.now() - order.created_at > CONFIRMATION_PATIENCE
    return render(request, "programs/payments/result.html", {"order": order, "slow": slow})


@csrf_exempt
@require_http_methods(["POST"])
def payment_callback(request):
    """A gateway's notification: 200 ``success`` when applied or already applied, 400 with a code when refused."""
    try:
        outcome = payment_notification_receive(body=request.body, headers=request.headers)
    except CallbackRefused as exc:
        return JsonResponse({"result": "refused", "code": exc.code}, status=400)
    return JsonResponse({"result": "success", "outcome": outcome})
