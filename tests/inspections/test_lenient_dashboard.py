"""The lenient-list and credit repair figures of the inspections indicator answer are on the dashboard, equal to
the API's, each linked to the admin list of the records it counts."""

import pytest
from django.utils import timezone

from inspections import services
from inspections.models import Finding, LenientList
from inspections.services import repair as repair_services
from tests.factories import EnterpriseFactory

from .factories import ItemFactory
from .repair_helpers import apply, fulfilled_case, rules
from .test_lenient import found, published

pytestmark = pytest.mark.django_db

COUNTED = {
    "inspections.lenient.no_penalty_decisions": 2,
    "inspections.lenient.by_list.first_violation": 1,
    "inspections.lenient.by_list.minor_violation": 0,
    "inspections.lenient.by_list.no_penalty": 0,
    "inspections.lenient.by_list.prudent": 0,
    "inspections.lenient.without_list": 1,
    "inspections.credit_repair.applications": 2,
    "inspections.credit_repair.approved": 1,
    "inspections.credit_repair.refused": 0,
    "inspections.credit_repair.pending": 1,
}


def test_the_figures_are_on_the_dashboard_with_the_records_behind_them(client, api_as, cast):
    item = ItemFactory(department=cast.market)
    published(cast, LenientList.Kind.FIRST_VIOLATION, item)
    for listed in (item, ItemFactory(department=cast.market)):
        finding = found(cast, listed, enterprise=EnterpriseFactory(region=cast.village))
        services.finding_decide(finding=finding, decision=Finding.Decision.NO_PENALTY, actor=cast.market_officer)
    rules()
    repaired = apply(cast, fulfilled_case(cast, decided_days_ago=100))
    repair_services.repair_approve(application=repaired, actor=cast.market_officer)
    apply(cast, fulfilled_case(cast, decided_days_ago=100))

    client.force_login(cast.coordinator)
    page = client.get("/admin/")
    start, end = page.context["period"]
    figures = {f.key: f for _title, section in page.context["dashboard"]["sections"] for f in section}
    answer = api_as(cast.coordinator).get("/api/v1/indicators/inspections/", {"start": start, "end": end}).json()
    for group in ("lenient", "credit_repair"):
        for key, value in _leaves(answer[group], f"inspections.{group}"):
            assert key in figures and figures[key].value == value, key
            assert f'data-key="{key}"' in page.text, key
    assert figures["inspections.credit_repair.enterprises_repaired"].value == 1
    for key, expected in COUNTED.items():
        figure = figures[key]
        assert figure.value == expected, key
        listed = client.get(figure.link)
        assert listed.status_code == 200 and listed.context["cl"].result_count == expected, (key, figure.link)
    assert timezone.localdate() <= end


def _leaves(value, path):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, f"{path}.{key}")
    else:
        yield path, value
