"""The REST API for the mobile clients: grid workers survey and recommend, organisers and host enterprises
decide, residents see positions near them and their own registrations; list queries do not grow with the page."""

import pytest

from programs.models import AuditEntry
from tests.factories import EnterpriseFactory, coordinator, enterprise_user

from .factories import (
    PositionFactory,
    RegistrationFactory,
    ResidentFactory,
    WorkshopFactory,
    grid_worker,
    id_number,
    organiser,
    resident_user,
    village,
)

pytestmark = pytest.mark.django_db


def test_a_grid_worker_surveys_a_resident_and_recommends_them_for_a_position(api_as):
    home = village(town=1, number=1)
    worker = grid_worker(region=home.parent)
    client = api_as(worker)
    created = client.post(
        "/api/v1/workshop-residents/",
        {"name": "李大伯", "id_number": id_number("19600101"), "phone": "13905800001", "village": home.pk,
         "is_low_income": True, "wished_categories": ["primary_processing"]},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    resident = created.json()
    assert (resident["grid_worker"], resident["surveyed_on"] is not None) == (worker.pk, True)
    survey = client.post(
        f"/api/v1/workshop-residents/{resident['id']}/survey/",
        {"wants_work": True, "wished_categories": ["primary_processing", "aquaculture"], "surveyed_on": "2025-05-06"},
    )
    assert survey.json()["wished_categories"] == ["primary_processing", "aquaculture"]
    position = PositionFactory(workshop=WorkshopFactory(village=home), category="aquaculture")
    matches = client.get(f"/api/v1/workshop-residents/{resident['id']}/matches/").json()
    assert [m["id"] for m in matches] == [position.pk]
    registered = client.post(
        "/api/v1/workshop-registrations/",
        {"resident": resident["id"], "position": position.pk, "baseline_monthly_income": "600"},
    )
    assert registered.status_code == 201
    assert (registered.json()["channel"], registered.json()["status"]) == ("grid_worker", "submitted")
    again = client.post("/api/v1/workshop-registrations/", {"resident": resident["id"], "position": position.pk})
    assert again.status_code == 200 and again.json()["id"] == registered.json()["id"]
    pk = registered.json()["id"]
    assert client.post(f"/api/v1/workshop-registrations/{pk}/recommend/").json()["status"] == "recommended"
    assert client.post(f"/api/v1/workshop-registrations/{pk}/home-visit/").json()["status"] == "home_visit"
    assert client.post(f"/api/v1/workshop-registrations/{pk}/accept/").status_code == 403  # not a grid worker's call


def test_a_wrong_check_digit_is_a_400_naming_the_id_number_field(api_as):
    home = village()
    good = id_number()
    response = api_as(organiser()).post(
        "/api/v1/workshop-residents/",
        {"name": "王", "id_number": good[:17] + ("1" if good[17] != "1" else "2"), "village": home.pk},
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["id_number"]


def test_the_host_enterprise_accepts_and_employs_and_an_illegal_move_is_a_409(api_as):
    host = EnterpriseFactory()
    position = PositionFactory(workshop=WorkshopFactory(host_enterprise=host), openings=1)
    registration = RegistrationFactory(position=position, status="home_visit")
    client = api_as(enterprise_user(host))
    assert client.post(f"/api/v1/workshop-registrations/{registration.pk}/accept/").json()["status"] == "accepted"
    employed = client.post(
        f"/api/v1/workshop-registrations/{registration.pk}/employ/", {"start_date": "2025-06-01", "wage": "4200"}
    )
    assert employed.status_code == 201 and employed.json()["wage"] == "4200.00"
    income = client.post(
        f"/api/v1/workshop-employments/{employed.json()['id']}/income/", {"month": "2025-06-15", "income": "4200"}
    )
    assert income.json()["income_records"] == [{"id": income.json()["income_records"][0]["id"], "month": "2025-06-01",
                                                "income": "4200.00", "increase": "3200.00"}]  # fmt: skip
    conflict = client.post(f"/api/v1/workshop-registrations/{registration.pk}/recommend/")
    assert conflict.status_code == 403  # recommending is for community staff
    refused = api_as(organiser()).post(f"/api/v1/workshop-registrations/{registration.pk}/recommend/")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "illegal_transition"


def test_another_enterprise_cannot_touch_the_registration(api_as):
    registration = RegistrationFactory(
        position=PositionFactory(workshop=WorkshopFactory(host_enterprise=EnterpriseFactory())), status="home_visit"
    )
    response = api_as(enterprise_user()).post(f"/api/v1/workshop-registrations/{registration.pk}/accept/")
    assert response.status_code == 404


def test_a_rejection_without_a_reason_is_a_400_on_the_reason_field(api_as):
    registration = RegistrationFactory(status="home_visit")
    response = api_as(organiser()).post(f"/api/v1/workshop-registrations/{registration.pk}/reject/", {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    assert not AuditEntry.objects.filter(new_value="rejected").exists()


def test_a_resident_sees_positions_near_them_registers_and_withdraws_their_own(api_as):
    home = village(town=1, number=1)
    resident = ResidentFactory(village=home)
    near = PositionFactory(workshop=WorkshopFactory(village=home))
    far = PositionFactory(workshop=WorkshopFactory(village=village(town=2, number=1)))
    someone_elses = RegistrationFactory(position=far)
    client = api_as(resident_user(resident))
    assert [p["id"] for p in client.get("/api/v1/workshop-positions/near-me/").json()] == [near.pk]
    assert client.post("/api/v1/workshop-registrations/", {"position": near.pk}).status_code == 400  # no consent
    mine = client.post("/api/v1/workshop-registrations/", {"position": near.pk, "consent": True})
    assert (mine.status_code, mine.json()["channel"]) == (201, "self")
    listed = client.get("/api/v1/workshop-registrations/").json()
    assert [r["id"] for r in listed["results"]] == [mine.json()["id"]]
    assert (
        client.post(f"/api/v1/workshop-registrations/{someone_elses.pk}/withdraw/", {"reason": "x"}).status_code == 404
    )
    withdrawn = client.post(f"/api/v1/workshop-registrations/{mine.json()['id']}/withdraw/", {"reason": "要照顾老人"})
    assert withdrawn.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/workshop-registrations/{mine.json()['id']}/accept/").status_code == 403


def test_an_enterprise_manages_positions_only_in_its_own_workshops(api_as):
    host = EnterpriseFactory()
    own, other = WorkshopFactory(host_enterprise=host), WorkshopFactory()
    client = api_as(enterprise_user(host))
    body = {"title": "虾仁剥壳", "category": "primary_processing", "openings": 10, "pay_amount": "400",
            "pay_unit": "day", "seasonal_start": "2025-07-01", "seasonal_end": "2025-09-30"}  # fmt: skip
    assert client.post("/api/v1/workshop-positions/", {**body, "workshop": own.pk}).status_code == 201
    refused = client.post("/api/v1/workshop-positions/", {**body, "workshop": other.pk})
    assert "workshop" in refused.json()["error"]["fields"]
    backwards = client.post("/api/v1/workshop-positions/", {**body, "workshop": own.pk, "seasonal_end": "2025-06-01"})
    assert backwards.status_code == 400


def test_an_organiser_opens_a_workshop_records_an_activity_and_closes_it_with_a_reason(api_as):
    client = api_as(organiser())
    workshop = client.post(
        "/api/v1/workshops/",
        {"name": "一条鱼直播共富工坊", "kind": "live_stream", "village": village().pk, "manager_name": "陈"},
    ).json()
    activity = client.post(
        "/api/v1/workshop-activities/",
        {"workshop": workshop["id"], "kind": "live_stream", "title": "海上惠渔直播", "held_on": "2025-01-10",
         "sessions": 2, "revenue": "35000"},
    )  # fmt: skip
    assert activity.status_code == 201
    assert client.post(f"/api/v1/workshops/{workshop['id']}/close/").status_code == 400  # no reason
    closed = client.post(f"/api/v1/workshops/{workshop['id']}/close/", {"reason": "合并到水产城"}).json()
    assert (closed["status"], closed["closed_on"] is not None) == ("closed", True)
    assert client.delete(f"/api/v1/workshops/{workshop['id']}/").status_code == 405


def test_every_workshop_view_declares_its_roles():
    from workshops import api

    views = [api.WorkshopViewSet, api.PositionViewSet, api.ResidentViewSet, api.RegistrationViewSet]
    views += [api.EmploymentViewSet, api.ActivityViewSet, api.MarketViewSet, api.WorkshopIndicatorsView]
    for view in views:
        assert view.permission_classes == [api.HasRole]
        assert view.read_roles and view.allowed_roles, view


LISTS = [
    "/api/v1/workshops/",
    "/api/v1/workshop-positions/",
    "/api/v1/workshop-residents/",
    "/api/v1/workshop-registrations/",
    "/api/v1/workshop-employments/",
    "/api/v1/workshop-activities/",
    "/api/v1/workshop-markets/",
]


@pytest.mark.parametrize("url", LISTS)
def test_list_queries_do_not_grow_with_the_page_size(url, api_as, django_assert_max_num_queries):
    from datetime import date

    from workshops.models import Activity, Employment, IncomeRecord, Market, MarketParticipation, SupplyPoint

    host = EnterpriseFactory()
    for i in range(12):
        workshop = WorkshopFactory(village=village(town=1 + i % 2, number=1 + i % 3), host_enterprise=host)
        registration = RegistrationFactory(position=PositionFactory(workshop=workshop), status="employed")
        employment = Employment.objects.create(registration=registration, start_date=date(2025, 1, 1), wage=3000)
        IncomeRecord.objects.create(employment=employment, month=date(2025, 1, 1), income=3100)
        IncomeRecord.objects.create(employment=employment, month=date(2025, 2, 1), income=3200)
        Activity.objects.create(workshop=workshop, kind="live_stream", title=f"直播{i}", held_on=date(2025, 1, 1))
        market = Market.objects.create(title=f"市集{i}", held_on=date(2025, 1, 1))
        MarketParticipation.objects.create(market=market, workshop=workshop, stalls=2, revenue=5200)
        SupplyPoint.objects.create(market=market, workshop=workshop, city="杭州")
    client = api_as(organiser())
    counts = []
    for size in (2, 12):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"{url}?page_size={size}")
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[1]):
        client.get(f"{url}?page_size=12")


def test_coordinators_read_workshops_but_not_registrations(api_as):
    WorkshopFactory()
    client = api_as(coordinator())
    assert client.get("/api/v1/workshops/").status_code == 200
    assert client.get("/api/v1/workshop-registrations/").status_code == 403


def test_an_activity_is_cancelled_with_a_reason_once_and_an_employment_ends_once(api_as):
    from workshops.models import Activity

    boss = organiser()
    client = api_as(boss)
    activity = Activity.objects.create(workshop=WorkshopFactory(), kind="training", title="培训", held_on="2025-01-01")
    assert client.post(f"/api/v1/workshop-activities/{activity.pk}/cancel/").status_code == 400
    assert client.post(f"/api/v1/workshop-activities/{activity.pk}/cancel/", {"reason": "台风"}).json()["is_cancelled"]
    assert client.post(f"/api/v1/workshop-activities/{activity.pk}/cancel/", {"reason": "again"}).status_code == 409

    registration = RegistrationFactory(status="home_visit")
    client.post(f"/api/v1/workshop-registrations/{registration.pk}/accept/")
    employment = client.post(
        f"/api/v1/workshop-registrations/{registration.pk}/employ/", {"start_date": "2025-01-01"}
    ).json()
    ended = client.post(f"/api/v1/workshop-employments/{employment['id']}/end/", {"end_date": "2025-03-31"})
    assert ended.json()["end_date"] == "2025-03-31"
    assert (
        client.post(f"/api/v1/workshop-employments/{employment['id']}/end/", {"end_date": "2025-04-30"}).status_code
        == 409
    )
    too_early = client.post(
        f"/api/v1/workshop-employments/{employment['id']}/income/", {"month": "2025-05-01", "income": "1"}
    )
    assert "month" in too_early.json()["error"]["fields"]


def test_the_workshop_endpoints_have_an_openapi_schema_without_warnings(capsys):
    from django.urls import include, path
    from drf_spectacular.drainage import GENERATOR_STATS
    from drf_spectacular.generators import SchemaGenerator

    GENERATOR_STATS.reset()
    generator = SchemaGenerator(patterns=[path("api/v1/", include("workshops.api_urls"))])
    schema = generator.get_schema(request=None, public=True)
    assert "/api/v1/workshop-registrations/{id}/accept/" in schema["paths"]
    assert "/api/v1/indicators/workshops/" in schema["paths"]
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache


def test_a_position_needs_at_least_one_opening_and_a_resident_a_plausible_phone(api_as):
    client = api_as(organiser())
    body = {"workshop": WorkshopFactory().pk, "title": "分拣", "category": "primary_processing", "pay_amount": "200"}
    assert "openings" in client.post("/api/v1/workshop-positions/", {**body, "openings": 0}).json()["error"]["fields"]
    resident = {"name": "王", "id_number": id_number(), "village": village().pk, "phone": "call me"}
    assert list(client.post("/api/v1/workshop-residents/", resident).json()["error"]["fields"]) == ["phone"]


def test_an_unknown_wished_category_is_a_flat_error_on_its_field(api_as):
    resident = ResidentFactory()
    response = api_as(organiser()).post(
        f"/api/v1/workshop-residents/{resident.pk}/survey/", {"wants_work": True, "wished_categories": ["x", 3]}
    )
    assert response.status_code == 400
    messages = response.json()["error"]["fields"]["wished_categories"]
    assert messages and all(isinstance(m, str) for m in messages)
