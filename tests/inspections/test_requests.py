"""Enterprise requests (企业诉求): routed by the routing table, answered (on time or late), escalated once, rated;
filed by the enterprise or by its grid manager for an enterprise of their grids only."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from inspections import services
from inspections.models import EnterpriseRequest, RequestRoute
from inspections.request_selectors import request_indicators, request_list
from inspections.selectors import percent
from programs.models import AuditEntry, Notification
from tests.factories import EnterpriseFactory, MicroGridFactory, enterprise_user, grid_manager

pytestmark = pytest.mark.django_db

ROAD = {"category": "infrastructure", "title": "道路施工影响货车通行", "description": "园区北路施工，货车无法进出"}


@pytest.fixture
def routes(cast):
    """The county sends everything to the market department (5 days); the village sends roads to the fire
    department's officer (2 days); policy questions in the village to the community itself."""
    county_wide = RequestRoute.objects.create(region=cast.county, category="", department=cast.market)
    roads = RequestRoute.objects.create(
        region=cast.village,
        category="infrastructure",
        department=cast.fire,
        owner=cast.fire_officer,
        response_days=2,
    )
    policy = RequestRoute.objects.create(region=cast.village, category="policy", community=cast.village)
    return county_wide, roads, policy


def _file(cast, **fields):
    return services.request_file(enterprise=cast.enterprise, actor=cast.enterprise_user, **{**ROAD, **fields})


def test_a_request_is_routed_to_the_most_specific_route_with_its_owner_and_deadline(cast, routes):
    county_wide, roads, policy = routes
    filed = _file(cast)
    assert (filed.route, filed.department, filed.owner, filed.community) == (roads, cast.fire, cast.fire_officer, None)
    assert filed.due_at - filed.created_at == timedelta(days=2)
    assert filed.channel == EnterpriseRequest.Channel.ONLINE and filed.reference.startswith("Q")
    finance = _file(cast, category="finance", title="贷款贴息")
    assert (finance.route, finance.department, finance.owner) == (county_wide, cast.market, None)
    asked = _file(cast, category="policy", title="人才政策")
    assert (asked.route, asked.community, asked.department) == (policy, cast.village, None)
    # The owner is told and reminded a day before the deadline; the enterprise hears of its reference.
    owner_rows = Notification.objects.filter(
        recipient=cast.fire_officer, dedupe_key__startswith=f"inspections:request:{filed.pk}:"
    )
    assert owner_rows.count() == 2
    reminder = owner_rows.get(dedupe_key__contains=":reminder:")
    assert reminder.due_at == filed.due_at - timedelta(days=1)
    assert Notification.objects.filter(recipient=cast.enterprise_user, dedupe_key__contains=":received").exists()
    assert AuditEntry.objects.filter(object_id=filed.pk, field="created", action="request.file").count() == 1


def test_without_a_route_the_enterprise_community_takes_it(cast):
    filed = _file(cast)
    assert (filed.route, filed.department, filed.community) == (None, None, cast.village)
    assert filed.due_at - filed.created_at == timedelta(days=services.requests.DEFAULT_RESPONSE_DAYS)


def test_a_double_submit_files_once(cast, routes):
    first = _file(cast, submission_key="k" * 32)
    assert _file(cast, submission_key="k" * 32) == first
    assert EnterpriseRequest.objects.count() == 1


def test_an_answer_after_the_deadline_is_late_and_the_request_was_escalated_once(cast, routes):
    filed = _file(cast)
    EnterpriseRequest.objects.filter(pk=filed.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert services.requests_escalate_overdue() == 1
    assert services.requests_escalate_overdue() == 0  # run twice: nothing more
    assert AuditEntry.objects.filter(object_id=filed.pk, field="escalated").count() == 1
    # No department head: the coordinators over the enterprise hear of it, and the owner; each once.
    told = Notification.objects.filter(dedupe_key__startswith=f"inspections:request:{filed.pk}:escalated")
    assert sorted(told.values_list("recipient", flat=True)) == sorted([cast.coordinator.pk, cast.fire_officer.pk])
    answered = services.request_answer(request=filed, reply="已协调交警，夜间22点后放行", actor=cast.fire_officer)
    assert answered.status == EnterpriseRequest.Status.ANSWERED and answered.answered_on_time is False
    # The owner's reminder still pending is dropped with the answer; the enterprise is told.
    assert not Notification.objects.filter(dedupe_key__contains=":reminder:", status="pending").exists()
    assert Notification.objects.filter(recipient=cast.enterprise_user, dedupe_key__contains=":answered").exists()


def test_the_department_head_hears_of_an_escalation(cast):
    head = cast.market_officer
    cast.market.head = head
    cast.market.save()
    RequestRoute.objects.create(region=cast.county, category="", department=cast.market)
    filed = _file(cast)
    services.requests_escalate_overdue(now=filed.due_at + timedelta(minutes=1))
    assert Notification.objects.filter(recipient=head, dedupe_key=f"inspections:request:{filed.pk}:escalated:{head.pk}")


def test_only_its_handlers_answer_a_request(cast, routes):
    filed = _file(cast)
    for outsider in (cast.market_officer, cast.enterprise_user):
        with pytest.raises(PermissionDenied):
            services.request_answer(request=filed, reply="好", actor=outsider)
    with pytest.raises(ValidationError) as refused:
        services.request_answer(request=filed, reply=" ", actor=cast.fire_officer)
    assert refused.value.error_dict["reply"][0].code == "required"


def test_the_enterprise_rates_the_answer_once_and_the_indicators_count_it(cast, routes):
    on_time, late, unanswered = _file(cast), _file(cast, title="二号"), _file(cast, title="三号")
    services.request_accept(request=on_time, actor=cast.fire_officer)
    services.request_answer(request=on_time, reply="已解决", actor=cast.fire_officer)
    EnterpriseRequest.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    services.request_answer(request=late, reply="已解决", actor=cast.fire_officer)
    with pytest.raises(ValidationError) as refused:
        services.request_rate(request=unanswered, rating=5, actor=cast.enterprise_user)
    assert refused.value.code == "illegal_transition"
    with pytest.raises(PermissionDenied):
        services.request_rate(request=on_time, rating=5, actor=cast.fire_officer)
    with pytest.raises(ValidationError) as refused:
        services.request_rate(request=on_time, rating=6, actor=cast.enterprise_user)
    assert refused.value.error_dict["rating"][0].code == "invalid_rating"
    services.request_rate(request=on_time, rating=5, actor=cast.enterprise_user, comment="很满意")
    services.request_rate(request=late, rating=3, actor=cast.enterprise_user)
    with pytest.raises(ValidationError):
        services.request_rate(request=late, rating=4, actor=cast.enterprise_user)  # rated once

    today = timezone.localdate()
    figures = request_indicators(user=cast.coordinator, region=None, start=today, end=today, percent=percent)
    assert figures["received"] == 3 and figures["answered"] == 2 and figures["answered_on_time"] == 1
    assert figures["on_time_rate"] == 50.0
    assert (figures["ratings"], figures["satisfied"], figures["satisfaction_rate"]) == (2, 1, 50.0)
    assert figures["satisfaction_average"] == 4.0
    assert figures["overdue_open"] == 0
    EnterpriseRequest.objects.filter(pk=unanswered.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert (
        request_indicators(user=cast.coordinator, region=None, start=today, end=today, percent=percent)["overdue_open"]
        == 1
    )


def test_a_grid_manager_files_for_an_enterprise_of_their_grid_and_not_for_one_outside_it(cast, routes):
    mine, other = MicroGridFactory(grid__community=cast.village), MicroGridFactory(grid__community=cast.village)
    manager = grid_manager(mine.grid, region=cast.county)
    inside = EnterpriseFactory(region=cast.village, micro_grid=mine)
    outside = EnterpriseFactory(region=cast.village, micro_grid=other)
    filed = services.request_file(enterprise=inside, actor=manager, **ROAD)
    assert (filed.channel, filed.filed_by, filed.enterprise) == (EnterpriseRequest.Channel.GRID, manager, inside)
    assert list(request_list(user=manager)) == [filed]
    with pytest.raises(ValidationError) as refused:
        services.request_file(enterprise=outside, actor=manager, **ROAD)
    assert refused.value.error_dict["enterprise"][0].code == "enterprise_out_of_scope"
    # The enterprise's own users see it and rate the answer; the one who filed it hears of the answer too.
    services.request_answer(request=filed, reply="已协调", actor=cast.fire_officer)
    assert Notification.objects.filter(recipient=manager, dedupe_key__endswith=":answered:filer").exists()


def test_an_enterprise_files_only_for_itself(cast, routes):
    with pytest.raises(PermissionDenied):
        services.request_file(enterprise=EnterpriseFactory(region=cast.village), actor=cast.enterprise_user, **ROAD)


def test_the_routing_table_is_kept_by_coordinators_with_one_handler(cast):
    route = RequestRoute(region=cast.village, category="finance", department=cast.market, community=cast.village)
    with pytest.raises(ValidationError) as refused:
        services.request_route_save(route=route, actor=cast.coordinator)
    assert refused.value.error_dict["department"][0].code == "one_handler"
    route.community = None
    route.owner = cast.fire_officer
    with pytest.raises(ValidationError) as refused:
        services.request_route_save(route=route, actor=cast.coordinator)
    assert refused.value.error_dict["owner"][0].code == "not_a_handler"
    route.owner = cast.market_officer
    with pytest.raises(PermissionDenied):
        services.request_route_save(route=route, actor=cast.market_officer)
    services.request_route_save(route=route, actor=cast.coordinator)
    assert AuditEntry.objects.filter(object_id=route.pk, field="created", action="request_route.save").exists()


def test_a_submission_key_of_another_enterprise_files_anew_and_never_returns_its_request(cast, routes):
    neighbour = EnterpriseFactory(region=cast.village)
    theirs = services.request_file(
        enterprise=neighbour, actor=enterprise_user(neighbour), submission_key="shared-key", **ROAD
    )
    mine = _file(cast, submission_key="shared-key")  # the same key, chosen by another client
    assert mine.pk != theirs.pk and mine.enterprise == cast.enterprise
    assert _file(cast, submission_key="shared-key") == mine  # its own retry still files once
    assert EnterpriseRequest.objects.filter(submission_key="shared-key").count() == 2


def test_an_owner_sees_a_request_only_as_the_one_rule_lets_them(cast, routes):
    filed = _file(cast)  # routed to the fire department, owned by its officer
    assert list(request_list(user=cast.fire_officer)) == [filed]
    moved = cast.fire_officer
    moved.department = cast.market  # the owner moves to another department: the request stays the fire's
    moved.save(update_fields=["department"])
    assert list(request_list(user=moved)) == []


def test_an_officer_s_request_figures_count_their_department_s_list(cast, routes):
    filed, elsewhere = _file(cast), _file(cast, category="finance", title="贷款贴息")  # fire's, market's
    today = timezone.localdate()
    for user, expected in ((cast.fire_officer, filed), (cast.market_officer, elsewhere)):
        figures = request_indicators(user=user, region=None, start=today, end=today, percent=percent)
        assert list(request_list(user=user)) == [expected]
        assert figures["received"] == request_list(user=user).count() == 1
    coordinator = request_indicators(user=cast.coordinator, region=None, start=today, end=today, percent=percent)
    assert coordinator["received"] == request_list(user=cast.coordinator).count() == 2
