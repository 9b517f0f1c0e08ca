"""The payment backend's notification: signed (HMAC-SHA256 over the body), idempotent (a repeat answers success and
changes nothing), refused and logged when forged or mismatched; the simulated gateway's cashier."""

import logging

import pytest
from django.urls import reverse

from inspections.models import Fine
from inspections.services.fines import fine_late_fees_accrue, fine_pay_start
from programs.audit import audit_history
from programs.payment_models import PaymentOrder
from programs.payments import (
    SIGNATURE_HEADER,
    NotificationNotDelivered,
    notification_body,
    payment_notification_receive,
    sign,
    signature_valid,
    simulated_notification_post,
)
from tests.cast import Cast
from tests.conftest import released_together
from tests.inspections.fine_helpers import ensure_waiver_policy, notify, served_fine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _waiver_policy(db):
    ensure_waiver_policy()


def _order(cast, **kw):
    fine = served_fine(cast, **kw)
    order, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    return fine, order


def _state(fine, order):
    fine.refresh_from_db()
    order.refresh_from_db()
    return (
        fine.status,
        fine.principal_paid,
        fine.paid_at,
        order.status,
        order.transaction_id,
        len(audit_history(fine)),
        len(audit_history(order)),
    )


def test_the_signature_is_an_hmac_of_the_body_compared_in_constant_time(settings):
    settings.PAYMENT_GATEWAY_SECRET = "s3cret"
    body = b'{"amount":"1.00"}'
    assert signature_valid(body, sign(body))
    assert not signature_valid(body + b" ", sign(body))
    assert not signature_valid(body, sign(body, "another secret"))
    assert not signature_valid(body, "")


def test_a_duplicate_notification_answers_success_and_changes_nothing(cast):
    fine, order = _order(cast)
    first = notify(order, transaction_id="SIMDUP0001")
    assert first.json() == {"result": "success", "outcome": "paid"}
    after_first = _state(fine, order)
    assert after_first[0] == Fine.Status.PAID
    again = notify(order, transaction_id="SIMDUP0001")
    assert (again.status_code, again.json()["outcome"]) == (200, "duplicate")
    assert _state(fine, order) == after_first


def test_a_forged_notification_is_refused_logged_and_changes_nothing(cast, caplog):
    fine, order = _order(cast)
    before = _state(fine, order)
    with caplog.at_level(logging.WARNING, logger="programs.payments"):
        forged = notify(order, secret="guessed")
    assert (forged.status_code, forged.json()["code"]) == (400, "forged")
    assert _state(fine, order) == before
    assert "refused: forged" in caplog.text
    assert (
        sign(notification_body(reference=order.reference, transaction_id="x", amount=order.amount)) not in caplog.text
    )


def test_an_unsigned_or_malformed_notification_is_refused(cast, client):
    fine, order = _order(cast)
    before = _state(fine, order)
    unsigned = client.post(reverse("payments:callback"), data=b"{}", content_type="application/json")
    assert unsigned.json()["code"] == "forged"
    body = b"not json"
    malformed = client.post(
        reverse("payments:callback"), data=body, content_type="application/json", headers={SIGNATURE_HEADER: sign(body)}
    )
    assert malformed.json()["code"] == "malformed"
    assert _state(fine, order) == before


def test_a_notification_for_another_amount_is_refused(cast):
    fine, order = _order(cast)
    before = _state(fine, order)
    response = notify(order, amount="1.00")
    assert (response.status_code, response.json()["code"]) == (400, "amount_mismatch")
    assert _state(fine, order) == before


def test_a_transaction_replayed_against_another_order_is_refused(cast):
    _fine, order = _order(cast)
    notify(order, transaction_id="SIMREPLAY01")
    other_fine, other = _order(cast)
    before = _state(other_fine, other)
    response = notify(other, transaction_id="SIMREPLAY01")
    assert (response.status_code, response.json()["code"]) == (400, "transaction_reused")
    assert _state(other_fine, other) == before


def test_a_second_transaction_for_a_paid_order_is_refused(cast):
    fine, order = _order(cast)
    notify(order, transaction_id="SIMFIRST001")
    after = _state(fine, order)
    response = notify(order, transaction_id="SIMSECOND01")
    assert response.json()["code"] == "paid_by_another_transaction"
    assert _state(fine, order) == after


def test_paying_again_the_same_day_reuses_the_order(cast):
    fine, order = _order(cast)
    again, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    assert again == order
    assert PaymentOrder.objects.filter(owner="inspections.fine", owner_id=fine.pk).count() == 1


def test_the_cashier_is_only_for_the_enterprise_that_owes(cast, client, django_capture_on_commit_callbacks):
    _fine, order = _order(cast)
    page = reverse("payments:simulator-cashier", args=[order.reference])
    client.force_login(cast.market_officer)
    assert client.get(page).status_code == 404
    client.force_login(cast.enterprise_user)
    assert order.reference in client.get(page).content.decode()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(page, {"action": "pay"})
    assert response.url == reverse("payments:simulator-result", args=[order.reference])
    assert len(callbacks) == 1  # the gateway's notification, sent once the page's transaction commits


def test_the_simulated_gateway_fails_as_told_then_delivers(settings):
    settings.PAYMENT_SIMULATOR_FAILURES = 2
    for attempt in (0, 1):
        with pytest.raises(NotificationNotDelivered):
            simulated_notification_post(reference="PO1", transaction_id="SIM1", amount="1.00", attempt=attempt)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_notification_twice_at_once_is_applied_once():
    ensure_waiver_policy()
    cast = Cast()
    fine, order = _order(cast, served_days_ago=18)
    body = notification_body(reference=order.reference, transaction_id="SIMRACE0001", amount=order.amount)
    headers = {SIGNATURE_HEADER: sign(body)}
    outcomes = released_together([lambda: payment_notification_receive(body=body, headers=headers)] * 2)
    assert sorted(outcomes) == ["duplicate", "paid"]
    fine.refresh_from_db()
    assert fine.status == Fine.Status.PAID and fine.late_fee_waived == fine.late_fee > 0
    assert [e.new_value for e in audit_history(fine) if e.field == "status"] == ["paid"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_late_fee_sweep_twice_at_once_changes_each_fine_once():
    ensure_waiver_policy()
    cast = Cast()
    fine = served_fine(cast, served_days_ago=20)
    changed = released_together([fine_late_fees_accrue] * 2)
    assert sorted(changed) == [0, 1]
    assert len([e for e in audit_history(fine) if e.field == "late_fee"]) == 1
