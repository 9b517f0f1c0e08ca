"""A department's month in one request (``POST /api/v1/plan-entries/submit-month/``): all entries created and
submitted at once, or none, each bad row named by its index and field; sent again, nothing is made twice."""

from datetime import date

import pytest

from inspections.models import PlanEntry
from inspections.services import plans as plan_services
from programs.audit import audit_history
from tests.factories import EnterpriseFactory, region_tree

from .factories import ItemFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/plan-entries/submit-month/"
MONTH = "2025-03-01"


@pytest.fixture
def month(cast):
    """Four enterprises of the village and two of the department's items."""
    cast.enterprises = [cast.enterprise, *EnterpriseFactory.create_batch(3, region=cast.village)]
    cast.items = ItemFactory.create_batch(2, department=cast.market)
    return cast


def rows(cast, count=4):
    return [
        {
            "enterprise": enterprise.pk,
            "items": [item.pk for item in cast.items],
            "mode": "off_site" if index == 1 else "on_site",
            "note": f"第{index + 1}条",
        }
        for index, enterprise in enumerate(cast.enterprises[:count])
    ]


def test_a_department_submits_its_month_in_one_request(month, api_as):
    answer = api_as(month.market_officer).post(URL, {"month": "2025-03-17", "entries": rows(month)}, format="json")

    assert answer.status_code == 201, answer.json()
    body = answer.json()
    assert (body["created"], body["existing"]) == (4, 0)
    assert [row["index"] for row in body["entries"]] == [0, 1, 2, 3]
    assert [row["entry"]["enterprise"] for row in body["entries"]] == [e.pk for e in month.enterprises]
    entries = PlanEntry.objects.filter(department=month.market).order_by("pk")
    assert [(e.status, e.month, e.mode, e.note) for e in entries] == [
        (PlanEntry.Status.SUBMITTED, date(2025, 3, 1), "off_site" if i == 1 else "on_site", f"第{i + 1}条")
        for i in range(4)
    ]
    assert all(set(e.items.all()) == set(month.items) for e in entries)
    assert [a.new_value for a in reversed(audit_history(entries[0]))] == ["draft", "submitted"]


def test_bad_rows_are_named_by_index_and_field_and_nothing_is_created(month, api_as):
    elsewhere = EnterpriseFactory(region=region_tree("330203", "海曙区")["village"])
    fire_item = ItemFactory(department=month.fire)  # another department's item, not a simple one
    body = rows(month)
    body[1]["enterprise"] = elsewhere.pk
    body[3]["items"] = [fire_item.pk]
    body[2]["enterprise"] = body[0]["enterprise"]

    answer = api_as(month.market_officer).post(URL, {"month": MONTH, "entries": body}, format="json")

    assert answer.status_code == 400
    error = answer.json()["error"]
    assert sorted(error["fields"]) == ["entries[1].enterprise", "entries[2].enterprise", "entries[3].items"]
    assert "entries[0]" in error["fields"]["entries[2].enterprise"][0]
    assert not PlanEntry.objects.exists()


def test_rows_the_serializer_refuses_are_named_the_same_way(month, api_as):
    body = rows(month)
    body[0]["enterprise"] = 999999
    body[2]["mode"] = "by_post"
    body[3]["items"] = []
    body[1]["colour"] = "red"

    answer = api_as(month.market_officer).post(URL, {"month": MONTH, "entries": body}, format="json")

    assert answer.status_code == 400
    assert sorted(answer.json()["error"]["fields"]) == [
        "entries[0].enterprise",
        "entries[1].colour",
        "entries[2].mode",
        "entries[3].items",
    ]
    empty = api_as(month.market_officer).post(URL, {"month": MONTH, "entries": []}, format="json")
    assert list(empty.json()["error"]["fields"]) == ["entries"]
    assert not PlanEntry.objects.exists()


def test_a_replayed_request_answers_the_same_and_creates_nothing_more(month, api_as):
    client = api_as(month.market_officer)
    body = {"month": MONTH, "entries": rows(month)}

    first = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="month-2025-03")
    replay = client.post(URL, body, format="json", HTTP_IDEMPOTENCY_KEY="month-2025-03")
    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json() == first.json()
    assert PlanEntry.objects.count() == 4

    # Without the header (a client that lost its key), the rows already entered are answered, not made again;
    # a new row in the same month is added.
    month.enterprises.append(EnterpriseFactory(region=month.village))
    again = client.post(URL, {"month": MONTH, "entries": rows(month, 5)}, format="json")
    assert again.status_code == 201
    assert (again.json()["created"], again.json()["existing"]) == (1, 4)
    assert [row["created"] for row in again.json()["entries"]] == [False] * 4 + [True]
    assert [row["entry"]["id"] for row in again.json()["entries"][:4]] == [
        row["entry"]["id"] for row in first.json()["entries"]
    ]
    unchanged = client.post(URL, {"month": MONTH, "entries": rows(month, 5)}, format="json")
    assert (unchanged.status_code, unchanged.json()["created"]) == (200, 0)
    assert PlanEntry.objects.count() == 5


def test_the_month_joins_a_drafted_year_plan(month, api_as):
    plan = plan_services.year_plan_create(department=month.market, year=2025, actor=month.market_officer)
    client = api_as(month.market_officer)

    answer = client.post(URL, {"month": MONTH, "year_plan": plan.pk, "entries": rows(month, 2)}, format="json")

    assert answer.status_code == 201, answer.json()
    assert [(e.status, e.year_plan_id) for e in PlanEntry.objects.order_by("pk")] == [("draft", plan.pk)] * 2
    other_year = client.post(
        URL, {"month": "2026-01-01", "year_plan": plan.pk, "entries": rows(month, 1)}, format="json"
    )
    assert list(other_year.json()["error"]["fields"]) == ["month"]
    fire_plan = plan_services.year_plan_create(department=month.fire, year=2025, actor=month.fire_officer)
    not_ours = client.post(URL, {"month": MONTH, "year_plan": fire_plan.pk, "entries": rows(month, 1)}, format="json")
    assert list(not_ours.json()["error"]["fields"]) == ["year_plan"]


def test_only_the_departments_officers_submit_its_month(month, api_as):
    body = {"month": MONTH, "department": month.market.pk, "entries": rows(month, 1)}
    assert api_as(month.fire_officer).post(URL, body, format="json").status_code == 403
    coordinator = api_as(month.coordinator).post(URL, body, format="json")
    assert coordinator.status_code == 403
    assert api_as(month.organiser).post(URL, body, format="json").status_code == 403
    assert not PlanEntry.objects.exists()


def test_the_schema_documents_the_month_submission(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    operation = schema["paths"]["/api/v1/plan-entries/submit-month/"]["post"]
    assert "entries[<index>].<field>" in operation["description"]
    request = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][request]["properties"]) == {
        "department",
        "month",
        "year_plan",
        "entries",
    }
    assert {"201", "200", "400"} <= set(operation["responses"])
    assert "/api/v1/year-plans/{id}/approve/" in schema["paths"]


def test_an_entry_drafted_earlier_is_submitted_and_one_of_another_plan_is_refused_by_its_row(month, api_as):
    """Answering "already there" for a draft would leave the department believing its month submitted while the
    entry never reaches coordination."""
    client = api_as(month.market_officer)
    drafted = client.post(
        "/api/v1/plan-entries/",
        {"enterprise": month.enterprise.pk, "items": [month.items[0].pk], "month": MONTH},
        format="json",
    )
    assert drafted.status_code == 201, drafted.json()
    answer = client.post(URL, {"month": MONTH, "entries": rows(month, 2)}, format="json")
    assert (answer.status_code, answer.json()["created"], answer.json()["existing"]) == (201, 1, 1)
    assert set(PlanEntry.objects.values_list("status", flat=True)) == {PlanEntry.Status.SUBMITTED}

    plan = plan_services.year_plan_create(department=month.market, year=2025, actor=month.market_officer)
    into_plan = client.post(URL, {"month": MONTH, "year_plan": plan.pk, "entries": rows(month, 1)}, format="json")
    assert into_plan.status_code == 400
    assert into_plan.json()["error"]["fields"]["entries[0].enterprise"]
    assert not plan.entries.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_month_submissions_at_once_without_a_key_create_each_entry_once():
    from rest_framework.test import APIClient

    from tests.cast import Cast
    from tests.conftest import failures, released_together

    cast = Cast()
    enterprises = [cast.enterprise, *EnterpriseFactory.create_batch(3, region=cast.village)]
    items = ItemFactory.create_batch(2, department=cast.market)
    body = {
        "month": MONTH,
        "entries": [{"enterprise": e.pk, "items": [i.pk for i in items]} for e in enterprises],
    }

    def submit():
        client = APIClient()
        client.force_authenticate(cast.market_officer)
        return client.post(URL, body, format="json")

    answers = released_together([submit] * 4)
    assert not failures(answers), answers
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201]
    assert PlanEntry.objects.filter(department=cast.market).count() == 4
