"""Demo data of the shared core: the places of the articles, their departments, a few hundred enterprises
with valid credit codes, and one account per role. Idempotent: running it again changes nothing.

City and county division codes are the real ones (GB/T 2260); town and village codes below a county are
numbered in order for the demo, with the towns the articles name.
"""

import random

from django.conf import settings
from django.db import transaction

from . import grid_demo
from .models import Department, Enterprise, Region, User
from .validators import CREDIT_CODE_ALPHABET, credit_code_check_character

PROVINCE = ("330000000000", "浙江省")
CITIES = {
    "330100000000": ("杭州市", {"330106": "西湖区", "330110": "余杭区"}),
    "330200000000": (
        "宁波市",
        {"330203": "海曙区", "330205": "江北区", "330206": "北仑区", "330212": "鄞州区", "330282": "慈溪市"},
    ),
    "330500000000": ("湖州市", {"330523": "安吉县"}),
    "330900000000": ("舟山市", {"330902": "定海区", "330903": "普陀区", "330921": "岱山县", "330922": "嵊泗县"}),
    "331100000000": ("丽水市", {"331126": "庆元县"}),
}
# Towns the articles name come first in their county.
TOWNS = {
    "330902": ["盐仓街道", "长白乡", "白泉镇"],
    "330903": ["沈家门街道", "六横镇", "蚂蚁岛管委会"],
    "330921": ["东沙镇", "高亭镇"],
    "330922": ["菜园镇", "嵊山镇"],
    "330212": ["潘火街道", "下应街道", "姜山镇"],
    "330205": ["庄桥街道", "慈城镇"],
    "330206": ["新碶街道", "大碶街道"],
    "330203": ["南门街道", "石碶街道"],
    "330282": ["浒山街道", "周巷镇"],
    "330106": ["翠苑街道", "三墩镇"],
    "330110": ["仓前街道", "良渚街道"],
    "331126": ["松源街道", "屏都街道"],
    "330523": ["递铺街道", "天荒坪镇"],
}
VILLAGES = ["东海村", "渔港社区", "新建村"]
DEPARTMENTS = [
    ("综合行政执法局", Department.Kind.COMPREHENSIVE_ENFORCEMENT),
    ("市场监督管理局", Department.Kind.MARKET_SUPERVISION),
    ("卫生健康局", Department.Kind.HEALTH),
    ("消防救援大队", Department.Kind.FIRE_RESCUE),
    ("应急管理局", Department.Kind.EMERGENCY_MANAGEMENT),
    ("生态环境分局", Department.Kind.ECOLOGY_ENVIRONMENT),
    ("组织部", Department.Kind.ORGANISATION),
]
NAME_WORDS = ["海鑫", "东宏", "甬兴", "舟海", "蓝湾", "嘉禾", "恒丰", "新海", "瑞达", "华鼎", "金港", "明珠"]
INDUSTRIES = [
    ("水产品加工", "水产"),
    ("机械设备制造", "机械"),
    ("餐饮服务", "餐饮"),
    ("汽车销售", "汽车"),
    ("电子商务", "电商"),
    ("民宿", "旅游"),
    ("建材", "建材"),
    ("物业服务", "物业"),
]
ENTERPRISES_PER_TOWN = 12


def make_credit_code(rng: random.Random, county_code: str) -> str:
    """A well-formed credit code: 9 (market regulator) 1 (enterprise), the county, an organisation code."""
    body = "91" + county_code + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_character(body)


def _region(code, name, parent):
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name, "parent": parent, "level": Region.level_of_code(code)}
    )
    return region


@transaction.atomic
def seed() -> dict:
    rng = random.Random(20241231)
    province = _region(PROVINCE[0], PROVINCE[1], None)
    counties = {}
    for city_code, (city_name, county_names) in CITIES.items():
        city = _region(city_code, city_name, province)
        for county_prefix, county_name in county_names.items():
            county = _region(county_prefix + "000000", county_name, city)
            counties[county_prefix] = county
            for t, town_name in enumerate(TOWNS[county_prefix], start=1):
                town = _region(f"{county_prefix}{t:03d}000", town_name, county)
                for v, village_name in enumerate(VILLAGES, start=1):
                    _region(f"{county_prefix}{t:03d}{v:03d}", village_name, town)
            for name, kind in DEPARTMENTS:
                Department.objects.get_or_create(region=county, name=f"{county_name}{name}", defaults={"kind": kind})
    for city_code, (city_name, _counties) in CITIES.items():
        Department.objects.get_or_create(
            region=Region.objects.get(code=city_code),
            name=f"{city_name}综合行政执法局",
            defaults={"kind": Department.Kind.COMPREHENSIVE_ENFORCEMENT},
        )
        Department.objects.get_or_create(
            region=Region.objects.get(code=city_code),
            name=f"{city_name}委组织部",
            defaults={"kind": Department.Kind.ORGANISATION},
        )

    existing = set(Enterprise.objects.values_list("credit_code", flat=True))
    new = []
    for county_prefix, county in counties.items():
        # The towns of TOWNS only: 前江街道 (grid_demo) has its own enterprises, and the sequence stays the same.
        for town in Region.objects.filter(parent=county, name__in=TOWNS[county_prefix]).order_by("code"):
            villages = list(Region.objects.filter(parent=town).order_by("code"))
            for i in range(ENTERPRISES_PER_TOWN):
                industry, short = INDUSTRIES[i % len(INDUSTRIES)]
                code = make_credit_code(rng, county_prefix)
                word = NAME_WORDS[rng.randrange(len(NAME_WORDS))]
                village = villages[i % len(villages)]
                place = town.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
                # Built whether or not it exists already, so the random sequence (and so every code) is the same.
                enterprise = Enterprise(
                    name=f"{place}{word}{short}有限公司{i + 1}号",
                    credit_code=code,
                    region=village,
                    address=f"{county.name}{town.name}{village.name}{rng.randint(1, 300)}号",
                    industry=industry,
                    size=rng.choice(list(Enterprise.Size.values)),
                    is_key=i % 7 == 0,
                    is_four_new=short == "电商" or i % 9 == 0,
                    contact_name=rng.choice(["王", "李", "张", "陈", "林", "周"]) + rng.choice(["先生", "女士"]),
                    contact_phone=f"13{rng.randint(100000000, 999999999)}",
                    contact_email=f"contact{county_prefix}{town.code[-6:-3]}{i}@example.cn",
                )
                if code not in existing:
                    new.append(enterprise)
    Enterprise.objects.bulk_create(new)
    grid_demo.seed_places()  # 前江街道 and its 118 工业社区, where the demo grid manager works
    users = seed_users()
    grid_figures = grid_demo.seed()
    users += seed_community_enterprise_user()
    counts = {"regions": Region.objects.count(), "enterprises": Enterprise.objects.count()}
    return {**counts, "users": users, **grid_figures}


DEMO_USERS = [
    # username, role, region code, department name, description
    ("admin", "", None, None, "superuser"),
    ("coordinator", User.Role.COORDINATOR, "330200000000", "宁波市综合行政执法局", "宁波市 coordinator"),
    ("officer", User.Role.OFFICER, "330212000000", "鄞州区市场监督管理局", "鄞州区 market supervision officer"),
    ("officer_health", User.Role.OFFICER, "330212000000", "鄞州区卫生健康局", "鄞州区 health officer"),
    ("head_market", User.Role.OFFICER, "330212000000", "鄞州区市场监督管理局", "head of 鄞州区 market supervision"),
    ("organiser", User.Role.ORGANISER, "330900000000", "舟山市委组织部", "舟山市 workshop organiser"),
    ("gridworker", User.Role.GRID_WORKER, "330921001000", None, "岱山县东沙镇 grid worker"),
    ("gridmanager", User.Role.GRID_MANAGER, "330205003000", None, "江北区前江街道 118工业社区 grid manager (第一网格)"),
    ("enterprise", User.Role.ENTERPRISE, None, None, "an enterprise of 潘火街道, 鄞州区"),
    ("villager", User.Role.RESIDENT, None, None, "resident 汤忠定 of 岱山县东沙镇 (linked by the workshops demo)"),
]


# The 118 工业社区's first enterprise has a demo account too: the community's service catalogue (点单) and the
# requests its grid manager handles are that community's, not 潘火街道's.
COMMUNITY_ENTERPRISE_USER = ("enterprise_118", "an enterprise of 118工业社区, 江北区 (orders the community's services)")


def seed_community_enterprise_user() -> list[tuple[str, str]]:
    username = COMMUNITY_ENTERPRISE_USER[0]
    if not User.objects.filter(username=username).exists():
        enterprise = Enterprise.objects.filter(region__code=grid_demo.COMMUNITY[0]).order_by("id").first()
        user = User(username=username, role=User.Role.ENTERPRISE, is_staff=False, enterprise=enterprise)
        user.set_password(settings.DEMO_PASSWORD)
        user.full_clean()
        user.save()
    return [COMMUNITY_ENTERPRISE_USER]


def seed_users() -> list[tuple[str, str]]:
    enterprise = Enterprise.objects.filter(region__code__startswith="330212001").order_by("id").first()
    made = []
    for username, role, region_code, department_name, description in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username, defaults={"role": role, "is_staff": True})
        if created:
            user.is_superuser = role == ""
            user.is_staff = role not in (User.Role.ENTERPRISE, User.Role.RESIDENT)
            user.region = Region.objects.get(code=region_code) if region_code else None
            user.department = Department.objects.get(name=department_name) if department_name else None
            user.enterprise = enterprise if role == User.Role.ENTERPRISE else None
            user.set_password(settings.DEMO_PASSWORD)
            user.full_clean()
            user.save()
        made.append((username, description))
    # The market department's head approves its year plans (set once: a head chosen later in the admin stays).
    Department.objects.filter(name="鄞州区市场监督管理局", head__isnull=True).update(
        head=User.objects.get(username="head_market")
    )
    return made
