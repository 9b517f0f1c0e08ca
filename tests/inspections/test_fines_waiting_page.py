"""The page after paying: it reloads itself while the gateway's confirmation is on its way, and when that takes
too long it stops and tells the payer not to pay twice (a notification that cannot reach the site)."""

from datetime import timedelta

from django.utils import timezone

from inspections.services.fines import fine_pay_start
from programs import payment_views
from programs.models import PaymentOrder

from .fine_helpers import served_fine


def _result(client, order):
    return client.get(f"/payments/simulator/{order.reference}/done/", HTTP_ACCEPT_LANGUAGE="zh-hans").text


def test_the_waiting_page_reloads_then_stops_and_says_not_to_pay_twice(client, cast):
    order, _cashier = fine_pay_start(fine=served_fine(cast), actor=cast.enterprise_user)
    client.force_login(cast.enterprise_user)
    waiting = _result(client, order)
    assert 'http-equiv="refresh"' in waiting and "请勿重复缴纳" not in waiting

    late = timezone.now() - payment_views.CONFIRMATION_PATIENCE - timedelta(minutes=1)
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=late)
    slow = _result(client, order)
    assert 'http-equiv="refresh"' not in slow and "请勿重复缴纳" in slow
