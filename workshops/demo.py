"""Demo data: Zhoushan workshops like the article's (岱津 assistance workshop, 离岛耕海 shrimp floor, the
"一条鱼" live-stream workshop, 三美 craft workshop, 嵊泗 mussel line, 蚂蚁岛 dried shrimp), their positions,
residents surveyed in 东沙镇 and elsewhere, registrations in every status, employment with monthly incomes,
the "共富工坊" market held on the four islands at once, live-streams and a training. Idempotent: running it again
changes nothing."""

import random
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from programs.demo import make_credit_code
from programs.models import Enterprise, Region, User
from programs.services import enterprise_create
from programs.validators import id_number_check_character

from . import services
from .models import Activity, Course, Market, OfferRound, Position, Registration, Resident, Workshop

P = Position.PayUnit
WORKSHOPS = [
    # name, kind, village code, host enterprise (name, industry) or None, manager, products, positions
    (
        "岱津共富工坊",
        Workshop.Kind.ASSISTANCE,
        "330921001001",
        ("岱津机械设备制造有限公司", "机械设备制造"),
        "岱津负责人",
        "机械零部件",
        [
            ("零部件装配", "manufacturing", 8, "3000", P.MONTH, True, None),
            ("设备清洁保养", "manufacturing", 4, "2800", P.MONTH, True, None),  # offered to 汤忠定 (the villager)
        ],
    ),
    (
        "“离岛耕海”共富工坊",
        Workshop.Kind.WORKSHOP_FLOOR,
        "330902002001",
        None,
        "长白村书记",
        "对虾",
        [
            ("对虾加工(熟练工)", "primary_processing", 20, "400", P.DAY, False, "season"),
            ("对虾分拣", "primary_processing", 10, "220", P.DAY, True, None),
        ],
    ),
    (
        "“一条鱼”直播共富工坊",
        Workshop.Kind.LIVE_STREAM,
        "330903001002",
        None,
        "水产城园区党委",
        "海鲜电商、直播带货",
        [
            ("直播助理", "e_commerce", 6, "4500", P.MONTH, True, None),
            ("打包发货", "services", 12, "180", P.DAY, False, None),
        ],
    ),
    (
        "黄沙秘境三美工坊",
        Workshop.Kind.CRAFT_TRAINING,
        "330902001003",
        None,
        "胡悦",
        "工艺品制作、技艺培训",
        [("手工艺品制作", "handicraft", 10, "150", P.DAY, True, None)],
    ),
    (
        "嵊泗贻贝共富生产线",
        Workshop.Kind.PRODUCTION_LINE,
        "330922001001",
        None,
        "菜园镇贻贝合作社",
        "贻贝",
        [
            ("贻贝分拣", "primary_processing", 40, "200", P.DAY, True, None),
            ("贻贝剥壳", "primary_processing", 30, "230", P.DAY, False, "season"),
        ],
    ),
    (
        "“蚂蚁岛虾皮”共富工坊",
        Workshop.Kind.WORKSHOP_FLOOR,
        "330903003001",
        None,
        "蚂蚁岛村委",
        "虾皮",
        [("虾皮晾晒", "aquaculture", 15, "180", P.DAY, False, None)],
    ),
]
# name, village code, disabled, low income, wished categories, baseline monthly income
RESIDENTS = [
    ("汤忠定", "330921001001", True, True, ["manufacturing"], 1200),
    ("李大伯", "330902002001", False, False, ["primary_processing"], 1800),
    ("王阿姨", "330902002002", False, True, ["primary_processing"], 900),
    ("陈小海", "330903001002", False, False, ["e_commerce", "services"], 2500),
    ("周渔嫂", "330903001001", False, True, ["services"], 800),
    ("胡巧手", "330902001003", True, False, ["handicraft"], 1000),
    ("林阿婆", "330922001001", False, True, ["primary_processing"], 600),
    ("张大哥", "330922001002", False, False, [], 2000),
    ("徐阿姐", "330903003001", False, True, ["aquaculture"], 700),
    ("吴老伯", "330921001002", True, True, [], 500),
    ("郑小妹", "330921002001", False, False, ["e_commerce"], 1500),
    ("孙嫂子", "330902002003", False, False, ["primary_processing"], 1600),
]
# resident, workshop, position title, how far it gets, months of income records
REGISTRATIONS = [
    ("汤忠定", "岱津共富工坊", "零部件装配", "employed", [3200, 3300, 3400]),
    ("吴老伯", "岱津共富工坊", "零部件装配", "home_visit", []),
    ("李大伯", "“离岛耕海”共富工坊", "对虾分拣", "employed", [5200, 5600, 4800]),
    ("王阿姨", "“离岛耕海”共富工坊", "对虾分拣", "employed", [3500, 3600, 3400]),
    ("孙嫂子", "“离岛耕海”共富工坊", "对虾分拣", "recommended", []),
    ("陈小海", "“一条鱼”直播共富工坊", "直播助理", "employed", [5000, 5200, 5500]),
    ("周渔嫂", "“一条鱼”直播共富工坊", "打包发货", "accepted", []),
    ("胡巧手", "黄沙秘境三美工坊", "手工艺品制作", "employed", [3000, 3100, 3300]),
    ("林阿婆", "嵊泗贻贝共富生产线", "贻贝分拣", "employed", [3100, 3300, 3200]),
    ("张大哥", "嵊泗贻贝共富生产线", "贻贝分拣", "rejected", []),
    ("徐阿姐", "“蚂蚁岛虾皮”共富工坊", "虾皮晾晒", "submitted", []),
]
STEPS = ["recommended", "home_visit", "accepted", "employed"]
# The market of the article (大市集 on 定海、普陀、岱山、嵊泗 the same day, 20,000+ visitors, 2,600 yuan a stall on
# average, 5 supply points outside the city), with the demo's six of its 100+ workshops: workshop, stalls, stall
# revenue, products offered (how many, which). 24 stalls took 62,400 yuan: 2,600.00 a stall.
MARKET_STALLS = [
    ("岱津共富工坊", 2, "5000", 3, "手工编织篮、海岛文创、岱山海苔"),
    ("“离岛耕海”共富工坊", 4, "10800", 8, "长白对虾、虾干、虾仁"),
    ("“一条鱼”直播共富工坊", 6, "16800", 40, "带鱼、鲳鱼、梭子蟹、墨鱼干"),
    ("黄沙秘境三美工坊", 3, "6900", 25, "贝壳工艺品、渔民画、木雕"),
    ("嵊泗贻贝共富生产线", 5, "12500", 12, "嵊泗贻贝、贻贝干、贻贝酱"),
    ("“蚂蚁岛虾皮”共富工坊", 4, "10400", 6, "蚂蚁岛虾皮、虾米"),
]
# The 5 supply points outside the city the market opened (建立市外“共富工坊”直供点5个): workshop, city, address.
SUPPLY_POINTS = [
    ("“一条鱼”直播共富工坊", "杭州", "西湖区文三路海鲜直供店"),
    ("“一条鱼”直播共富工坊", "上海", "浦东新区海岛好物专柜"),
    ("嵊泗贻贝共富生产线", "杭州", "余杭区共富农产品展销中心"),
    ("“离岛耕海”共富工坊", "上海", "闵行区生鲜直供点"),
    ("“蚂蚁岛虾皮”共富工坊", "杭州", "拱墅区舟山特产店"),
]


# Where the Zhoushan towns are (WGS-84, approximate): the 15-minute circle is measured from these. A town's
# villages (001 东海村, 002 渔港社区, 003 新建村) lie about 1.5 km apart around it.
TOWN_PLACES = {
    "330902001": ("30.0180", "122.0720"),  # 定海 盐仓街道
    "330902002": ("30.1700", "122.0300"),  # 定海 长白乡 (长白岛)
    "330902003": ("30.0700", "122.1750"),  # 定海 白泉镇
    "330903001": ("29.9500", "122.3000"),  # 普陀 沈家门街道
    "330903002": ("29.7300", "122.1400"),  # 普陀 六横镇
    "330903003": ("29.8700", "122.2400"),  # 普陀 蚂蚁岛
    "330921001": ("30.2980", "122.1300"),  # 岱山 东沙镇
    "330921002": ("30.2450", "122.2000"),  # 岱山 高亭镇
    "330922001": ("30.7250", "122.4500"),  # 嵊泗 菜园镇
    "330922002": ("30.7200", "122.8200"),  # 嵊泗 嵊山镇
}
VILLAGE_OFFSETS = {"001": ("0", "0"), "002": ("0.0120", "0.0100"), "003": ("-0.0100", "0.0140")}
# The job and course portal (智聘): courses of the communities, with who enrolled and who came.
# title, village code, place, schedule, starts (days from today), lasts (days), places, enrolled residents, came
COURSES = [
    ("电商直播技能培训", "330903001002", "渔港社区礼堂", "每周二 19:00", -14, 45, 30, ["陈小海", "周渔嫂"], ["陈小海"]),
    ("贻贝养殖与加工培训", "330922001001", "菜园贻贝合作社", "每周四 14:00", 7, 30, 25, ["林阿婆", "张大哥"], []),
    ("机械零部件装配入门", "330921001001", "岱津共富工坊车间", "每周六 9:00–11:00", 3, 21, 15, ["汤忠定"], []),
]


def _place_villages() -> None:
    """The demo's Zhoushan villages get their coordinates (once: a place moved by hand stays where it is)."""
    for town, (lat, lng) in TOWN_PLACES.items():
        for number, (dlat, dlng) in VILLAGE_OFFSETS.items():
            Region.objects.filter(code=town + number, latitude__isnull=True).update(
                latitude=Decimal(lat) + Decimal(dlat), longitude=Decimal(lng) + Decimal(dlng)
            )


def _offers_and_courses(residents: dict, organiser: User | None, today: date) -> None:
    """Send the offers of the positions just posted (the residents exist now), and the courses with their
    enrolments and attendance. Idempotent: a round is sent once, a course is found by its title."""
    for pending in OfferRound.objects.filter(done_at__isnull=True).values_list("pk", flat=True):
        services.job_offers_send(offer_round_id=pending)
    for title, code, place, schedule, starts, lasts, places, enrolled, came in COURSES:
        course = Course.objects.filter(title=title).first() or services.course_create(
            actor=organiser,
            title=title,
            region=Region.objects.get(code=code),
            place=place,
            schedule=schedule,
            starts_on=today + timedelta(days=starts),
            ends_on=today + timedelta(days=starts + lasts),
            capacity=places,
        )
        for name in enrolled:
            enrolment, _created = services.course_enrol(course=course, resident=residents[name], actor=organiser)
            if course.starts_on <= today and organiser is not None:
                services.course_attendance_record(enrolment=enrolment, attended=name in came, actor=organiser)


def _id_number(county: str, birth: str, serial: int) -> str:
    body = f"{county}{birth}{serial:03d}"
    return body + id_number_check_character(body)


def _month(today: date, back: int) -> date:
    first = today.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


@transaction.atomic
def seed() -> dict:
    if not Region.objects.filter(code="330921001001").exists():
        return {"skipped": "the core demo regions are missing"}
    rng = random.Random(6)
    _place_villages()
    organiser = User.objects.filter(username="organiser").first()
    today = timezone.localdate()
    season = (date(today.year, 6, 1), date(today.year, 11, 30))
    if today > season[1]:
        season = (date(today.year + 1, 6, 1), date(today.year + 1, 11, 30))

    workshops, positions = {}, {}
    for name, kind, code, host, manager, products, openings in WORKSHOPS:
        village = Region.objects.get(code=code)
        enterprise = None
        if host:
            enterprise = Enterprise.objects.filter(name=host[0]).first() or enterprise_create(
                actor=None,
                name=host[0],
                credit_code=make_credit_code(rng, code[:6]),
                region=village,
                industry=host[1],
                address=f"{village.parent.name}工业园区",
            )
        workshop = Workshop.objects.filter(name=name).first() or services.workshop_create(
            actor=organiser,
            name=name,
            kind=kind,
            village=village,
            host_enterprise=enterprise,
            manager_name=manager,
            manager_phone=f"1390580{rng.randint(1000, 9999)}",
            products=products,
            opened_on=date(today.year - 1, 3, 1),
        )
        workshops[name] = workshop
        for title, category, count, pay, unit, accessible, seasonal in openings:
            window = season if seasonal else (None, None)
            positions[(name, title)] = Position.objects.filter(workshop=workshop, title=title).first() or (
                services.position_create(
                    actor=organiser,
                    workshop=workshop,
                    title=title,
                    category=category,
                    openings=count,
                    pay_amount=Decimal(pay),
                    pay_unit=unit,
                    accessible=accessible,
                    seasonal_start=window[0],
                    seasonal_end=window[1],
                )
            )

    grid_worker = User.objects.filter(username="gridworker").first()
    residents = {}
    for serial, (name, code, disabled, low_income, wished, _baseline) in enumerate(RESIDENTS, start=1):
        number = _id_number(code[:6], f"19{55 + serial:02d}0{1 + serial % 9}1{serial % 9}", serial)
        residents[name] = Resident.objects.filter(id_number=number).first() or services.resident_create(
            actor=grid_worker if grid_worker and code.startswith(grid_worker.region.prefix) else organiser,
            name=name,
            id_number=number,
            village=Region.objects.get(code=code),
            phone=f"1390581{serial:04d}",
            has_disability=disabled,
            is_low_income=low_income,
            wished_categories=wished,
        )
    villager = _villager(residents["汤忠定"])
    _offers_and_courses(residents, organiser, timezone.localdate())

    baselines = {name: baseline for name, *_rest, baseline in RESIDENTS}
    made = 0
    for name, workshop, title, goal, incomes in REGISTRATIONS:
        resident, position = residents[name], positions[(workshop, title)]
        if Registration.objects.filter(resident=resident, position=position).exists():
            continue
        registration, _created = services.registration_submit(
            resident=resident,
            position=position,
            channel=Registration.Channel.GRID_WORKER,
            actor=organiser,
            baseline_monthly_income=baselines[name],
        )
        made += 1
        if goal == "rejected":
            services.registration_reject(registration=registration, actor=organiser, reason="需要长期站立, 身体吃不消")
            continue
        for step in STEPS[: STEPS.index(goal) + 1] if goal in STEPS else []:
            if step == "recommended":
                services.registration_recommend(registration=registration, actor=organiser, note="社区推荐")
            elif step == "home_visit":
                services.registration_record_home_visit(registration=registration, actor=organiser, note="入户走访确认")
            elif step == "accepted":
                services.registration_accept(registration=registration, actor=organiser)
            else:
                employment = services.registration_employ(
                    registration=registration, actor=organiser, start_date=_month(today, len(incomes))
                )
                for back, income in enumerate(reversed(incomes), start=1):
                    services.income_record(
                        employment=employment, month=_month(today, back), income=Decimal(income), actor=organiser
                    )

    last_month = _month(today, 1)
    if not Market.objects.exists():
        services.market_record(
            actor=organiser,
            title="“共富工坊”大市集",
            held_on=last_month + timedelta(days=14),
            venues="定海、普陀、岱山、嵊泗",
            organised_by="舟山市委组织部",
            visitors=20000,
            participations=[
                {
                    "workshop": workshops[name],
                    "stalls": stalls,
                    "revenue": Decimal(revenue),
                    "products_offered": offered,
                    "products": products,
                }
                for name, stalls, revenue, offered, products in MARKET_STALLS
            ],
            supply_points=[
                {"workshop": workshops[name], "city": city, "address": address} for name, city, address in SUPPLY_POINTS
            ],
        )
    if not Activity.objects.exists():
        services.activity_record(
            actor=organiser,
            workshop=workshops["“一条鱼”直播共富工坊"],
            kind=Activity.Kind.LIVE_STREAM,
            title="共富直播问海岛: 海上惠渔直播",
            held_on=last_month + timedelta(days=3),
            sessions=750,
            revenue=Decimal("1280000"),
        )
        services.activity_record(
            actor=organiser,
            workshop=workshops["黄沙秘境三美工坊"],
            kind=Activity.Kind.TRAINING,
            title="工艺品制作技艺培训",
            held_on=last_month + timedelta(days=20),
            participants=30,
        )
    for a, b, minutes in (("330921001001", "330921002001", 12), ("330902001003", "330902002001", 40)):
        services.village_distance_set(
            from_village=Region.objects.get(code=a), to_village=Region.objects.get(code=b), minutes=minutes
        )
    return {
        "workshops": Workshop.objects.count(),
        "positions": Position.objects.count(),
        "residents": Resident.objects.count(),
        "registrations": Registration.objects.count(),
        "new_registrations": made,
        "villager_account": villager.username,
    }


def _villager(resident: Resident) -> User:
    """A resident account (``villager``) linked to 汤忠定, for the mobile app's resident screens."""
    user, created = User.objects.get_or_create(username="villager", defaults={"role": User.Role.RESIDENT})
    if created:
        user.set_password(settings.DEMO_PASSWORD)
        user.save()
    if resident.user_id is None:
        Resident.objects.filter(pk=resident.pk).update(user=user)
    return user
