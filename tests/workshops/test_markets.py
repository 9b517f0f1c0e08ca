"""Markets (大市集) as events of their own: the workshops taking part from any region, their stalls, revenue and
products, the supply points outside the city, and the indicators read from them (issue 19, point 3).

The article (seed 000, 舟山：打造海味共富工坊) says:

    组织部门牵头举办的“共富工坊”大市集活动，将舟山渔农产品名气打得更响。当天，大市集在定海、普陀、岱山、嵊泗同步开设，
    汇集全市100余家“共富工坊”，500余种特色渔农产品。一天的市集联动吸引游客超2万人，摊位收入平均达到2600元，
    并成功延伸至杭州、上海等地，建立市外“共富工坊”直供点5个。

(The seed's text has the OCR slip “嵎泗” for 嵊泗.)
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from programs.models import AuditEntry, Region
from tests.factories import EnterpriseFactory, UserFactory
from workshops import selectors, services
from workshops.models import Activity, Market, MarketParticipation, Workshop

from .factories import WorkshopFactory, organiser, village

pytestmark = pytest.mark.django_db

DAY = date(2025, 11, 8)
PERIOD = {"start": date(2025, 1, 1), "end": date(2025, 12, 31)}
ZHOUSHAN_COUNTIES = {"330902": "定海区", "330903": "普陀区", "330921": "岱山县", "330922": "嵊泗县"}


def county(prefix: str) -> Region:
    village(prefix)
    return Region.objects.get(code=f"{prefix}000000")


def city_organiser():
    for prefix in ZHOUSHAN_COUNTIES:
        village(prefix)
    return organiser(region=Region.objects.get(code="330900000000"))


def taking_part(workshop, stalls, revenue, offered=0, products=""):
    return {
        "workshop": workshop,
        "stalls": stalls,
        "revenue": Decimal(revenue),
        "products_offered": offered,
        "products": products,
    }


def record(actor, participations, supply_points=(), **fields):
    fields = {"title": "“共富工坊”大市集", "held_on": DAY, "visitors": 0, **fields}
    return services.market_record(actor=actor, participations=participations, supply_points=supply_points, **fields)


def test_a_market_of_workshops_from_two_counties_counts_once_in_the_city_and_once_in_each(
    django_assert_num_queries,
):
    actor = city_organiser()
    dinghai, putuo = WorkshopFactory(village=village("330902")), WorkshopFactory(village=village("330903"))
    other_dinghai = WorkshopFactory(village=village("330902", number=2))
    record(
        actor,
        [taking_part(dinghai, 3, "9000", 4), taking_part(other_dinghai, 1, "1000", 2), taking_part(putuo, 2, "2000")],
        [{"workshop": putuo, "city": "上海", "address": ""}],
        visitors=3000,
    )
    zhoushan = Region.objects.get(code="330900000000")
    with django_assert_num_queries(9):  # whatever the number of markets and workshops (2: offers and courses)
        whole = selectors.workshop_indicators(user=actor, region=zhoushan, **PERIOD)["markets"]
    assert whole == {
        "count": 1,
        "workshops": 3,
        "stalls": 6,
        "visitors": 3000,
        "revenue": Decimal("12000.00"),
        "average_revenue_per_stall": Decimal("2000.00"),
        "products_offered": 6,
        "supply_points_outside_city": 1,
    }
    by_county = {
        row["region"]: row["markets"]
        for row in selectors.workshop_indicators_by_region(user=actor, parent=zhoushan, **PERIOD)
    }
    assert by_county["330902000000"] == {
        "count": 1,
        "workshops": 2,
        "stalls": 4,
        "visitors": 3000,  # the market's own figure, whole in each county it reached
        "revenue": Decimal("10000.00"),
        "average_revenue_per_stall": Decimal("2500.00"),
        "products_offered": 6,
        "supply_points_outside_city": 0,
    }
    assert (by_county["330903000000"]["count"], by_county["330903000000"]["stalls"]) == (1, 2)
    assert by_county["330903000000"]["supply_points_outside_city"] == 1
    assert by_county["330921000000"]["count"] == 0
    assert by_county["330921000000"]["average_revenue_per_stall"] == Decimal("0.00")
    # A county organiser counts the market once, with their own workshops' stalls.
    dinghai_organiser = organiser(region=county("330902"))
    mine = selectors.workshop_indicators(user=dinghai_organiser, **PERIOD)["markets"]
    assert (mine["count"], mine["stalls"], mine["revenue"]) == (1, 4, Decimal("10000.00"))


def test_the_zhoushan_market_on_four_islands_averages_2600_yuan_a_stall_by_construction():
    """“大市集在定海、普陀、岱山、嵊泗同步开设，汇集全市100余家“共富工坊”，500余种特色渔农产品。一天的市集联动吸引游客超2万人，
    摊位收入平均达到2600元，并成功延伸至杭州、上海等地，建立市外“共富工坊”直供点5个。”

    Built: 104 workshops, 26 on each island; 98 with one stall and 6 with two (110 stalls); each takes 2,600 yuan
    a stall, half of them 300 more and half 300 less (286,000 yuan); 5 products each (520); 20,500 visitors;
    5 supply points (3 in 杭州, 2 in 上海). 286,000 ÷ 110 = 2,600.00 exactly."""
    actor = city_organiser()
    workshops = [
        WorkshopFactory(village=village(prefix, number=1 + n % 3), name=f"{name}共富工坊{n}")
        for prefix, name in ZHOUSHAN_COUNTIES.items()
        for n in range(26)
    ]
    rows = []
    for n, workshop in enumerate(workshops):
        stalls = 2 if n % 20 == 0 else 1
        rows.append(taking_part(workshop, stalls, 2600 * stalls + (300 if n % 2 else -300), 5, "带鱼、虾皮、贻贝"))
    cities = ["杭州", "杭州", "杭州", "上海", "上海"]
    points = [
        {"workshop": workshops[n * 20], "city": city, "address": f"{city}直供点"} for n, city in enumerate(cities)
    ]
    record(actor, rows, points, venues="定海、普陀、岱山、嵊泗", organised_by="舟山市委组织部", visitors=20500)

    figures = selectors.workshop_indicators(user=actor, region=Region.objects.get(code="330900000000"), **PERIOD)
    assert figures["markets"] == {
        "count": 1,
        "workshops": 104,  # 100余家
        "stalls": 110,
        "visitors": 20500,  # 超2万人
        "revenue": Decimal("286000.00"),
        "average_revenue_per_stall": Decimal("2600.00"),  # 摊位收入平均达到2600元
        "products_offered": 520,  # 500余种
        "supply_points_outside_city": 5,  # 市外直供点5个
    }
    assert figures["activity_revenue"] == Decimal("286000.00")


def test_the_indicators_endpoint_reports_the_average_per_stall_as_exact_text(api_as):
    actor = city_organiser()
    record(actor, [taking_part(WorkshopFactory(village=village("330921")), 3, "7800.00")])
    body = api_as(actor).get("/api/v1/indicators/workshops/", {"start": "2025-01-01", "end": "2025-12-31"}).json()
    assert body["markets"]["average_revenue_per_stall"] == "2600.00"
    assert body["markets"]["revenue"] == "7800.00"


def test_a_market_is_seen_by_whoever_sees_one_of_its_workshops_once(api_as):
    actor = city_organiser()
    host = EnterpriseFactory(region=village("330902"))
    first = WorkshopFactory(village=village("330902"), host_enterprise=host)
    second = WorkshopFactory(village=village("330902", number=2))
    record(actor, [taking_part(first, 1, "100"), taking_part(second, 1, "100")])
    dinghai, daishan = organiser(region=county("330902")), organiser(region=county("330921"))
    assert selectors.market_list(user=dinghai).count() == 1
    assert selectors.market_list(user=daishan).count() == 0
    listed = api_as(dinghai).get("/api/v1/workshop-markets/").json()
    assert listed["count"] == 1
    assert [p["workshop"] for p in listed["results"][0]["participations"]] == [first.pk, second.pk]
    host_user = UserFactory(role="enterprise", enterprise=host, region=None)
    seen_by_host = api_as(host_user).get("/api/v1/workshop-markets/").json()
    assert seen_by_host["count"] == 1
    # The host sees its own workshop's row only: another host's stalls and revenue are that business's figures.
    assert [p["workshop"] for p in seen_by_host["results"][0]["participations"]] == [first.pk]
    assert api_as(daishan).get("/api/v1/workshop-markets/").json()["count"] == 0


def test_a_county_does_not_cancel_a_market_of_several_counties_but_its_recorder_does(api_as):
    actor = city_organiser()
    market = record(
        actor,
        [taking_part(WorkshopFactory(village=village("330902")), 1, "100"),
         taking_part(WorkshopFactory(village=village("330921")), 1, "100")],
    )  # fmt: skip
    daishan = organiser(region=county("330921"))
    refused = api_as(daishan).post(f"/api/v1/workshop-markets/{market.pk}/cancel/", {"reason": "重复"}, format="json")
    assert refused.status_code == 403
    market.refresh_from_db()
    assert market.is_cancelled is False
    done = api_as(actor).post(f"/api/v1/workshop-markets/{market.pk}/cancel/", {"reason": "重复"}, format="json")
    assert done.status_code == 200 and done.json()["is_cancelled"] is True


def test_an_organiser_records_a_market_with_two_workshops_through_the_api(api_as):
    actor = city_organiser()
    dinghai, putuo = WorkshopFactory(village=village("330902")), WorkshopFactory(village=village("330903"))
    body = {
        "title": "“共富工坊”大市集",
        "held_on": "2025-11-08",
        "venues": "定海、普陀",
        "organised_by": "舟山市委组织部",
        "visitors": 5200,
        "participations": [
            {"workshop": dinghai.pk, "stalls": 2, "revenue": "5000.00", "products_offered": 6, "products": "对虾"},
            {"workshop": putuo.pk, "stalls": 3, "revenue": "8000.00", "products_offered": 9},
        ],
        "supply_points": [{"workshop": putuo.pk, "city": "杭州", "address": "西湖区"}],
    }
    response = api_as(actor).post("/api/v1/workshop-markets/", body, format="json")
    assert response.status_code == 201, response.content
    made = response.json()
    assert (made["stalls"], made["revenue"], made["average_revenue_per_stall"]) == (5, "13000.00", "2600.00")
    assert [p["workshop_name"] for p in made["supply_points"]] == [putuo.name]
    market = Market.objects.get(pk=made["id"])
    assert market.recorded_by == actor
    entry = AuditEntry.objects.get(object_id=market.pk, action="market.record")
    assert entry.data == {"workshops": sorted([dinghai.pk, putuo.pk]), "stalls": 5, "supply_points": 1}


def fields(response) -> dict:
    return response.json()["error"]["fields"]


def test_a_market_without_workshops_or_with_one_twice_or_a_stray_supply_point_is_refused(api_as):
    actor = city_organiser()
    workshop, other = WorkshopFactory(village=village("330902")), WorkshopFactory(village=village("330903"))
    client = api_as(actor)
    base = {"title": "大市集", "held_on": "2025-11-08"}
    empty = client.post("/api/v1/workshop-markets/", {**base, "participations": []}, format="json")
    assert empty.status_code == 400 and "participations" in fields(empty)
    one = {"workshop": workshop.pk, "stalls": 1, "revenue": "10"}
    twice = client.post("/api/v1/workshop-markets/", {**base, "participations": [one, one]}, format="json")
    assert twice.status_code == 400 and "participations" in fields(twice)
    stray = {**base, "participations": [one], "supply_points": [{"workshop": other.pk, "city": "上海"}]}
    refused = client.post("/api/v1/workshop-markets/", stray, format="json")
    assert refused.status_code == 400 and "supply_points" in fields(refused)
    unknown = client.post(
        "/api/v1/workshop-markets/", {**base, "participations": [one], "stall_count": 3}, format="json"
    )
    assert unknown.status_code == 400 and "stall_count" in fields(unknown)
    assert not Market.objects.exists()


def test_a_county_organiser_cannot_enter_another_countys_workshop():
    daishan = organiser(region=county("330921"))
    outside = WorkshopFactory(village=village("330902"), name="定海的工坊")
    with pytest.raises(ValidationError) as refused:
        record(daishan, [taking_part(WorkshopFactory(village=village("330921")), 1, "1"), taking_part(outside, 1, "1")])
    assert refused.value.error_dict["participations"][0].code == "workshop_out_of_scope"
    assert "定海的工坊" in refused.value.messages[0]
    assert not Market.objects.exists()


def test_a_cancelled_market_keeps_its_row_and_leaves_the_indicators(api_as):
    actor = city_organiser()
    market = record(actor, [taking_part(WorkshopFactory(village=village("330922")), 2, "5200")])
    client = api_as(actor)
    assert client.post(f"/api/v1/workshop-markets/{market.pk}/cancel/").status_code == 400  # a reason is needed
    cancelled = client.post(f"/api/v1/workshop-markets/{market.pk}/cancel/", {"reason": "台风"}, format="json")
    assert cancelled.status_code == 200 and cancelled.json()["is_cancelled"] is True
    assert client.post(f"/api/v1/workshop-markets/{market.pk}/cancel/", {"reason": "又"}).status_code == 409
    assert selectors.workshop_indicators(user=actor, **PERIOD)["markets"]["count"] == 0
    assert AuditEntry.objects.filter(object_id=market.pk, action="market.cancel", reason="台风").exists()


def test_the_market_list_does_not_grow_in_queries_with_its_workshops(api_as, django_assert_max_num_queries):
    actor = city_organiser()
    for n in range(6):
        workshops = [WorkshopFactory(village=village("330902", number=1 + k)) for k in range(1 + n % 3)]
        record(actor, [taking_part(w, 1, "100") for w in workshops], [{"workshop": workshops[0], "city": "杭州"}])
    client = api_as(actor)
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/workshop-markets/").json()["count"] == 6


@pytest.mark.django_db(transaction=True)
def test_the_migration_makes_each_market_activity_a_market_with_its_one_workshop():
    before = ("workshops", "0005_recorded_by_verbose_names")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    others = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "workshops"]
    old = executor.loader.project_state([before, *others]).apps
    OldActivity, ContentType = old.get_model("workshops", "Activity"), old.get_model("contenttypes", "ContentType")
    OldWorkshop, OldRegion = old.get_model("workshops", "Workshop"), old.get_model("programs", "Region")
    place = OldRegion.objects.create(code="330921001001", name="东海村", level="village")
    workshop = OldWorkshop.objects.create(name="岱津共富工坊", kind="assistance", village=place, manager_name="林")
    market = OldActivity.objects.create(
        workshop=workshop, kind="market", title="大市集", held_on=DAY, stalls=25, visitors=5000, revenue=65000
    )
    cancelled = OldActivity.objects.create(
        workshop=workshop, kind="market", title="台风天", held_on=DAY, stalls=3, revenue=0, is_cancelled=True
    )
    live = OldActivity.objects.create(workshop=workshop, kind="live_stream", title="直播", held_on=DAY, sessions=40)
    activity_type, _ = ContentType.objects.get_or_create(app_label="workshops", model="activity")
    old.get_model("programs", "AuditEntry").objects.create(
        content_type=activity_type, object_id=cancelled.pk, field="is_cancelled", old_value="False",
        new_value="True", action="activity.cancel", reason="台风",
    )  # fmt: skip

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    markets = {m.title: m for m in Market.objects.all()}
    assert set(markets) == {"大市集", "台风天"}
    first = MarketParticipation.objects.get(market=markets["大市集"])
    assert (first.workshop_id, first.stalls, first.revenue) == (workshop.pk, 25, Decimal("65000.00"))
    assert (markets["大市集"].visitors, markets["大市集"].held_on, markets["大市集"].is_cancelled) == (5000, DAY, False)
    assert markets["台风天"].is_cancelled
    history = AuditEntry.objects.get(object_id=markets["台风天"].pk, content_type__model="market")
    assert (history.action, history.reason, history.data["from_activity"]) == ("market.cancel", "台风", cancelled.pk)
    assert list(Activity.objects.values_list("pk", "kind", "sessions")) == [(live.pk, "live_stream", 40)]
    assert not Activity.objects.filter(pk=market.pk).exists()
    assert Workshop.objects.filter(pk=workshop.pk).exists()


def _admin_form(participations, supply_points, **fields):
    data = {"title": "大市集", "held_on": "2025-11-08", "venues": "", "organised_by": "", "visitors": "100", **fields}
    for prefix, rows in (("participations", participations), ("supply_points", supply_points)):
        data |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0, f"{prefix}-MIN_NUM_FORMS": 0}
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for n, row in enumerate(rows):
            data |= {f"{prefix}-{n}-{name}": value for name, value in row.items()}
    return data


def test_the_admin_refuses_a_stray_supply_point_and_another_areas_workshop_on_the_form(client):
    daishan = organiser(region=county("330921"))
    mine, theirs = WorkshopFactory(village=village("330921")), WorkshopFactory(village=village("330902"))
    client.force_login(daishan)
    row = {"workshop": mine.pk, "stalls": 2, "revenue": "5200", "products_offered": 3, "products": "虾皮"}
    not_taking_part = WorkshopFactory(village=village("330921", number=2))
    stray = _admin_form([row], [{"workshop": not_taking_part.pk, "city": "上海", "address": ""}])
    page = client.post("/admin/workshops/market/add/", stray)
    assert page.status_code == 200 and not Market.objects.exists()  # shown again, nothing saved
    assert "直供点须属于参与本次市集的工坊。" in page.content.decode()
    other_area = _admin_form([{**row, "workshop": theirs.pk}], [])
    page = client.post("/admin/workshops/market/add/", other_area)
    assert page.status_code == 200 and not Market.objects.exists()
    errors = page.context["inline_admin_formsets"][0].formset.errors
    assert [e.get("workshop") for e in errors] == [["该记录不在您的辖区内或不存在，请从本辖区的记录中选择。"]]
    point = {"workshop": mine.pk, "city": "杭州", "address": "拱墅区"}
    saved = client.post("/admin/workshops/market/add/", _admin_form([row], [point]))
    assert saved.status_code == 302
    market = Market.objects.get()
    assert (market.recorded_by, market.participations.get().stalls, market.supply_points.get().city) == (
        daishan,
        2,
        "杭州",
    )
    assert AuditEntry.objects.filter(object_id=market.pk, action="market.record").count() == 1
