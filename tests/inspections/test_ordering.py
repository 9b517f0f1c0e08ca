"""Service ordering (点单式服务): a community's catalogue, an enterprise's order for its workers, accepted,
delivered, closed and rated; never over capacity, even when orders come at the same instant."""

from datetime import timedelta
from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections.models import ServiceOffering, ServiceOrder
from inspections.selectors import inspection_indicators
from inspections.services import ordering as services
from programs.models import AuditEntry, Notification, User
from tests.cast import Cast
from tests.conftest import failures, released_together
from tests.factories import EnterpriseFactory, UserFactory, enterprise_user

pytestmark = pytest.mark.django_db


def community_worker(cast) -> User:
    return UserFactory(role=User.Role.GRID_WORKER, region=cast.village)


def summer_class(cast, *, capacity=30, actor=None) -> ServiceOffering:
    today = timezone.localdate()
    return services.offering_publish(
        community=cast.village,
        actor=actor or community_worker(cast),
        kind=ServiceOffering.Kind.SUMMER_CLASS,
        title="暑期托班（职工子女）",
        description="七月至八月，工作日8:00–17:30",
        starts_on=today + timedelta(days=7),
        ends_on=today + timedelta(days=50),
        capacity=capacity,
    )


def test_an_order_goes_from_the_catalogue_to_delivery_rated_and_counted(cast):
    worker = community_worker(cast)
    offering = summer_class(cast, actor=worker)
    ordered = services.order_place(offering=offering, people=12, actor=cast.enterprise_user, note="12名职工子女")
    offering.refresh_from_db()
    assert (ordered.status, offering.booked, offering.free) == ("requested", 12, 18)
    assert Notification.objects.filter(dedupe_key=f"inspections:order:{ordered.pk}:placed:{worker.pk}").exists()

    accepted = services.order_accept(order=ordered, actor=worker)
    delivered = services.order_deliver(order=accepted, actor=worker, people_served=11)
    closed = services.order_close(order=delivered, actor=worker)
    rated = services.order_rate(order=closed, actor=cast.enterprise_user, rating=5, feedback="孩子们很开心")
    assert (rated.status, rated.people_served, rated.rating) == ("closed", 11, 5)
    moves = list(
        AuditEntry.objects.filter(object_id=ordered.pk, field="status", content_type__model="serviceorder")
        .order_by("id")
        .values_list("new_value", flat=True)
    )
    assert moves == ["requested", "accepted", "delivered", "closed"]
    told = Notification.objects.filter(dedupe_key__startswith=f"inspections:order:{ordered.pk}:")
    assert {"accepted", "delivered"} <= {key.split(":")[3] for key in told.values_list("dedupe_key", flat=True)}

    today = timezone.localdate()
    figures = inspection_indicators(user=cast.coordinator, start=today.replace(day=1), end=today)["ordering"]
    assert figures == {"orders": 1, "delivered": 1, "people_served": 11, "satisfaction_average": 5.0}


def test_an_order_past_the_places_left_is_refused_on_its_field(cast):
    offering = summer_class(cast, capacity=5)
    services.order_place(offering=offering, people=4, actor=cast.enterprise_user)
    with pytest.raises(ValidationError) as refused:
        services.order_place(offering=offering, people=2, actor=cast.enterprise_user)
    assert refused.value.error_dict["people"][0].code == "over_capacity"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_orders_at_the_same_instant_never_pass_the_capacity():
    cast = Cast()
    offering = summer_class(cast, capacity=10)
    companies = [enterprise_user(EnterpriseFactory(region=cast.village)) for _ in range(6)]
    results = released_together(
        [partial(services.order_place, offering=offering, people=3, actor=user) for user in companies]
    )
    assert not failures(results, expected=(ValidationError,))
    placed = [r for r in results if isinstance(r, ServiceOrder)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(placed) == 3 and len(refused) == 3
    assert all(r.error_dict["people"][0].code == "over_capacity" for r in refused)
    offering.refresh_from_db()
    assert offering.booked == 9 <= offering.capacity
    assert sum(o.people for o in ServiceOrder.objects.filter(offering=offering)) == 9


def test_a_declined_or_cancelled_order_frees_its_places(cast):
    worker = community_worker(cast)
    offering = summer_class(cast, capacity=10, actor=worker)
    first = services.order_place(offering=offering, people=6, actor=cast.enterprise_user)
    second = services.order_place(offering=offering, people=4, actor=cast.enterprise_user)
    services.order_decline(order=first, actor=worker, reason="名额调整")
    services.order_cancel(order=second, actor=cast.enterprise_user)
    offering.refresh_from_db()
    assert offering.booked == 0
    with pytest.raises(ValidationError) as refused:
        services.order_decline(order=first, actor=worker, reason="again")
    assert refused.value.code == "illegal_transition"


def test_only_the_communitys_staff_accept_and_only_the_enterprise_rates(cast):
    offering = summer_class(cast)
    ordered = services.order_place(offering=offering, people=2, actor=cast.enterprise_user)
    elsewhere = UserFactory(
        role=User.Role.GRID_WORKER,
        region=cast.regions["city"].children.exclude(pk=cast.county.pk).first() or cast.county,
    )
    with pytest.raises(PermissionDenied):
        services.order_accept(order=ordered, actor=cast.market_officer)
    if elsewhere.region_id != cast.county.pk:
        with pytest.raises(PermissionDenied):
            services.order_accept(order=ordered, actor=elsewhere)
    with pytest.raises(PermissionDenied):
        services.order_rate(order=ordered, actor=community_worker(cast), rating=5)
    with pytest.raises(ValidationError) as early:
        services.order_rate(order=ordered, actor=cast.enterprise_user, rating=5)
    assert early.value.error_dict["rating"][0].code == "not_delivered"


def test_an_enterprise_of_another_street_cannot_order(cast):
    offering = summer_class(cast)
    other = enterprise_user(EnterpriseFactory(region=cast.county))
    with pytest.raises(ValidationError) as refused:
        services.order_place(offering=offering, people=1, actor=other)
    assert refused.value.error_dict["offering"][0].code == "not_yours"


def test_the_capacity_never_goes_below_the_places_ordered(cast):
    worker = community_worker(cast)
    offering = summer_class(cast, capacity=10, actor=worker)
    services.order_place(offering=offering, people=8, actor=cast.enterprise_user)
    with pytest.raises(ValidationError) as refused:
        services.offering_update(offering=offering, actor=worker, capacity=5)
    assert refused.value.error_dict["capacity"][0].code == "capacity_below_ordered"
    assert services.offering_update(offering=offering, actor=worker, capacity=20).capacity == 20


def test_the_api_takes_an_order_and_the_community_delivers_it(cast, api_as):
    worker = community_worker(cast)
    offering = summer_class(cast, actor=worker)
    listed = api_as(cast.enterprise_user).get("/api/v1/service-offerings/").json()
    assert [row["id"] for row in listed["results"]] == [offering.pk]
    answer = api_as(cast.enterprise_user).post(
        f"/api/v1/service-offerings/{offering.pk}/order/", {"people": 50}, format="json"
    )
    assert answer.status_code == 400 and "people" in answer.json()["error"]["fields"]
    assert answer.json()["error"]["code"] == "over_capacity"
    answer = api_as(cast.enterprise_user).post(
        f"/api/v1/service-offerings/{offering.pk}/order/", {"people": 3}, format="json"
    )
    assert answer.status_code == 201, answer.content
    pk = answer.json()["id"]
    staff = api_as(worker)
    assert staff.post(f"/api/v1/service-orders/{pk}/accept/").json()["status"] == "accepted"
    assert staff.post(f"/api/v1/service-orders/{pk}/deliver/", {}, format="json").json()["status"] == "delivered"
    rated = api_as(cast.enterprise_user).post(f"/api/v1/service-orders/{pk}/rate/", {"rating": 4}, format="json")
    assert rated.json()["rating"] == 4
    other = enterprise_user(EnterpriseFactory(region=cast.village))
    assert api_as(other).get(f"/api/v1/service-orders/{pk}/").status_code == 404
