"""The fines' REST endpoints and admin actions: the enterprise pays and asks for instalments through the API, an
officer of the case's department decides and applies for enforcement, in the API and the admin, through the same
services; each sees only its own fines."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from inspections.models import Fine, FineArrangement
from inspections.services.fine_arrangements import fine_arrangement_request
from inspections.services.fines import fine_pay_start
from programs.payment_models import PaymentOrder
from tests.factories import EnterpriseFactory, enterprise_user

from .fine_helpers import ensure_waiver_policy, notify, served_fine

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _waiver_policy(db):
    ensure_waiver_policy()


def test_the_enterprise_pays_through_the_api_and_sees_only_its_own_fines(cast, api_as):
    fine = served_fine(cast, served_days_ago=20)
    client = api_as(cast.enterprise_user)
    listed = client.get("/api/v1/fines/").json()
    assert [row["id"] for row in listed["results"]] == [fine.pk]
    answer = client.post(f"/api/v1/fines/{fine.pk}/pay/")
    assert answer.status_code == 201
    body = answer.json()
    order = PaymentOrder.objects.get(reference=body["reference"])
    assert (body["amount"], body["principal"], body["late_fee"]) == ("1000.00", "1000.00", "0.00")
    assert body["cashier_url"].endswith(reverse("payments:simulator-cashier", args=[order.reference]))
    stranger = api_as(enterprise_user(EnterpriseFactory(region=cast.village)))
    assert stranger.get("/api/v1/fines/").json()["results"] == []
    assert stranger.post(f"/api/v1/fines/{fine.pk}/pay/").status_code == 404


def test_instalments_requested_in_the_api_are_approved_by_the_department(cast, api_as):
    fine = served_fine(cast, served_days_ago=5)
    requested = api_as(cast.enterprise_user).post(
        f"/api/v1/fines/{fine.pk}/arrangements/", {"kind": "instalments", "instalments": 2, "reason": "资金紧张"}
    )
    assert requested.status_code == 201, requested.content
    arrangement = requested.json()["id"]
    wrong = api_as(cast.fire_officer).post(f"/api/v1/fine-arrangements/{arrangement}/decide/", {"approve": True})
    assert wrong.status_code in (403, 404)
    decided = api_as(cast.market_officer).post(f"/api/v1/fine-arrangements/{arrangement}/decide/", {"approve": True})
    assert decided.json()["status"] == FineArrangement.Status.APPROVED
    detail = api_as(cast.enterprise_user).get(f"/api/v1/fines/{fine.pk}/").json()
    assert [i["amount"] for i in detail["instalments"]] == ["500.00", "500.00"]


def test_a_bad_request_names_its_field(cast, api_as):
    fine = served_fine(cast)
    answer = api_as(cast.enterprise_user).post(
        f"/api/v1/fines/{fine.pk}/arrangements/",
        {"kind": "deferral", "defer_until": (fine.due_date - timedelta(days=1)).isoformat(), "reason": "x"},
    )
    assert answer.status_code == 400
    assert "defer_until" in str(answer.json())


def test_the_officer_applies_for_enforcement_in_the_api_and_in_the_admin(cast, api_as, client):
    fine = served_fine(cast, served_days_ago=20)
    answer = api_as(cast.market_officer).post(f"/api/v1/fines/{fine.pk}/enforcement/", {"reason": "逾期未缴"})
    assert answer.json()["status"] == Fine.Status.ENFORCEMENT
    other = served_fine(cast, served_days_ago=20)
    client.force_login(cast.market_officer)
    page = client.post(
        "/admin/inspections/fine/",
        {"action": "action_enforce", "_selected_action": [other.pk], "apply": "1", "reason": "逾期未缴"},
    )
    assert page.status_code == 302
    other.refresh_from_db()
    assert other.status == Fine.Status.ENFORCEMENT and other.enforcement_applied_at is not None


def test_the_admin_approves_a_deferral(cast, client):
    fine = served_fine(cast)
    arrangement = fine_arrangement_request(
        fine=fine,
        actor=cast.enterprise_user,
        kind="deferral",
        reason="资金紧张",
        defer_until=fine.due_date + timedelta(days=20),
    )
    client.force_login(cast.market_officer)
    client.post(
        "/admin/inspections/finearrangement/", {"action": "action_approve", "_selected_action": [arrangement.pk]}
    )
    fine.refresh_from_db()
    assert fine.due_date == arrangement.defer_until


def test_the_enterprise_asks_for_a_deferral_from_its_case_page(cast, client):
    fine = served_fine(cast)
    client.force_login(cast.enterprise_user)
    until = fine.due_date + timedelta(days=30)
    page = client.post(
        reverse("inspections:fine-arrangement", args=[fine.case_id]),
        {"kind": "deferral", "defer_until": until.isoformat(), "reason": "资金周转困难"},
    )
    assert page.status_code == 302
    assert FineArrangement.objects.get(fine=fine).defer_until == until
    shown = client.get(page.url).content.decode()
    assert "申请已提交" in shown or "Your request was sent" in shown


def test_the_dashboard_shows_the_waivers_and_links_to_them(cast, client):
    fine = served_fine(cast, served_days_ago=20)
    order, _cashier = fine_pay_start(fine=fine, actor=cast.enterprise_user)
    notify(order)
    client.force_login(cast.coordinator)
    today = timezone.localdate()
    query = {"start": today.replace(month=1, day=1).isoformat(), "end": today.isoformat(), "compare": ""}
    board = client.get("/admin/", query).context["dashboard"]
    figures = {f.key: f for _title, section in board["sections"] for f in section}
    waived, amount = figures["inspections.fines.waived"], figures["inspections.fines.waived_amount"]
    assert (waived.value, amount.value) == (1, Decimal("150.00"))
    assert client.get(waived.link).context["cl"].result_count == 1
