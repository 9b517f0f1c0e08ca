"""A minor fine case end to end with zero trips (轻案零跑): finding → case → electronic advance notice → receipt
confirmed → decision → receipt confirmed → the fine paid through the simulated gateway (its cashier page, its
notification posted by its task to the site's callback) → fulfilled → closed, without the enterprise ever
visiting the office."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from inspections.models import Fine, PenaltyCase
from inspections.services import case_receipt
from inspections.services import cases as svc
from inspections.services.case_documents import DECISION, NOTICE
from programs.payment_models import PaymentOrder
from tests.cast import Cast
from tests.inspections.case_factories import penalty_case, second_officer

from .fine_helpers import ensure_waiver_policy


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_minor_fine_case_is_paid_online_and_closed_with_zero_trips(live_server, settings):
    settings.PAYMENT_CALLBACK_BASE_URL = live_server.url  # the gateway's task posts to the running site
    ensure_waiver_policy()
    cast = Cast()
    user = cast.enterprise_user
    case = penalty_case(cast, penalty_kind=PenaltyCase.PenaltyKind.FINE, fine_amount=Decimal("2000"))
    case = svc.case_notify(case=case, actor=cast.market_officer)  # the advance notice, served electronically
    case = case_receipt.case_receipt_confirm(case=case, actor=user, kind=NOTICE)
    svc.case_defence_waive(case=case, actor=user)
    case = svc.case_submit(case=case, actor=cast.market_officer)
    case = svc.case_decide(case=case, actor=second_officer(cast))
    case = case_receipt.case_receipt_confirm(case=case, actor=user, kind=DECISION)
    fine = Fine.objects.get(case=case)
    assert (fine.status, fine.amount) == (Fine.Status.UNPAID, Decimal("2000.00"))

    browser = Client()
    browser.force_login(user)
    case_page = reverse("inspections:case-detail", args=[case.pk])
    assert "2000.00" in browser.get(case_page).content.decode()
    cashier = browser.post(reverse("inspections:fine-pay", args=[case.pk]))
    order = PaymentOrder.objects.get(owner="inspections.fine", owner_id=fine.pk)
    assert cashier.url == reverse("payments:simulator-cashier", args=[order.reference])
    assert "2000.00" in browser.get(cashier.url).content.decode()
    # Paying: the gateway's task (eager here) posts the signed notification to the live site's callback.
    result = browser.post(cashier.url, {"action": "pay"}, follow=True)
    assert result.status_code == 200

    fine.refresh_from_db()
    order.refresh_from_db()
    assert (fine.status, order.status, order.amount) == (Fine.Status.PAID, PaymentOrder.Status.PAID, fine.amount)
    case.refresh_from_db()
    assert case.status == PenaltyCase.Status.FULFILLED
    case = svc.case_close(case=case, actor=cast.market_officer)
    assert case.status == PenaltyCase.Status.CLOSED
    assert case.zero_trip and case.office_visit_note == ""  # no visit to the office was ever recorded
    page = browser.get(case_page).content.decode()
    assert "fine-status-paid" in page
