"""Demo grids: 宁波市江北区前江街道's 118 工业社区 as the article describes it: 5 grids, 77 micro-grids, 164 key
enterprises in them (and a few other enterprises of the community, in no grid yet), a grid manager (网格管家)
per grid, the street's liaison leader (包联领导) and an instructor (指导员) on every grid. Idempotent: a second run
changes nothing (called by ``programs.demo.seed``)."""

import random

from django.conf import settings

from . import grids
from .models import Enterprise, Grid, GridAssignment, MicroGrid, Region, User
from .validators import CREDIT_CODE_ALPHABET, credit_code_check_character

TOWN = ("330205003000", "前江街道")
COMMUNITY = ("330205003001", "118工业社区")
GRID_NAMES = ["第一网格", "第二网格", "第三网格", "第四网格", "第五网格"]
MICRO_GRIDS_PER_GRID = [16, 16, 15, 15, 15]  # 77 in all
KEY_ENTERPRISES = 164
OTHER_ENTERPRISES = 36
WORDS = ["甬江", "前江", "北岸", "荪湖", "江北", "慈孝", "姚江", "洪塘", "庄桥", "湾头", "宁兴", "海川"]
TRADES = [("机械", "机械设备制造"), ("模具", "模具制造"), ("电子", "电子元件制造"), ("新材料", "新材料"),
          ("物流", "仓储物流"), ("汽配", "汽车零部件制造"), ("塑料", "塑料制品"), ("智能", "智能装备")]  # fmt: skip
# username, role, description; each grid manager serves the grid of the same number.
PEOPLE = [
    ("gridmanager", User.Role.GRID_MANAGER, "网格管家"),
    *((f"gridmanager{n}", User.Role.GRID_MANAGER, "网格管家") for n in range(2, 6)),
    ("qianjiang_leader", User.Role.COORDINATOR, "街道班子领导"),
    ("qianjiang_instructor", User.Role.GRID_WORKER, "指导员"),
]


def seed_places() -> Region:
    """前江街道 and its 118 工业社区 in the region tree (codes numbered for the demo, as the other towns')."""
    county = Region.objects.get(code="330205000000")
    town, _ = Region.objects.get_or_create(
        code=TOWN[0], defaults={"name": TOWN[1], "parent": county, "level": Region.Level.TOWN}
    )
    community, _ = Region.objects.get_or_create(
        code=COMMUNITY[0], defaults={"name": COMMUNITY[1], "parent": town, "level": Region.Level.VILLAGE}
    )
    return community


def _credit_code(rng: random.Random) -> str:
    body = "91330205" + "".join(rng.choice(CREDIT_CODE_ALPHABET) for _ in range(9))
    return body + credit_code_check_character(body)


def _enterprises(community: Region) -> list[Enterprise]:
    """The community's enterprises in a fixed order (the codes come from a seeded sequence), created once."""
    rng = random.Random(118)
    wanted = []
    for n in range(KEY_ENTERPRISES + OTHER_ENTERPRISES):
        short, industry = TRADES[n % len(TRADES)]
        wanted.append(
            Enterprise(
                name=f"前江{WORDS[n % len(WORDS)]}{short}有限公司{n + 1}号",
                credit_code=_credit_code(rng),
                region=community,
                address=f"江北区前江街道工业园{n + 1}号",
                industry=industry,
                size=rng.choice(list(Enterprise.Size.values)),
                is_key=n < KEY_ENTERPRISES,
                contact_name=rng.choice(["王", "李", "张", "陈", "林", "周"]) + rng.choice(["先生", "女士"]),
                contact_phone=f"13{rng.randint(100000000, 999999999)}",
            )
        )
    existing = set(Enterprise.objects.filter(region=community).values_list("credit_code", flat=True))
    Enterprise.objects.bulk_create([e for e in wanted if e.credit_code not in existing])
    by_code = {e.credit_code: e for e in Enterprise.objects.filter(region=community)}
    return [by_code[e.credit_code] for e in wanted]


def _people(town: Region) -> dict[str, User]:
    people = {}
    for username, role, _description in PEOPLE:
        user, created = User.objects.get_or_create(
            username=username, defaults={"role": role, "region": town, "is_staff": True}
        )
        if created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        people[username] = user
    return people


def seed() -> dict:
    community = seed_places()
    enterprises = _enterprises(community)
    people = _people(community.parent)
    micro_grids = []
    for number, (name, count) in enumerate(zip(GRID_NAMES, MICRO_GRIDS_PER_GRID, strict=True), start=1):
        code = f"G{number:02d}"
        grid = Grid.objects.filter(community=community, code=code).first()
        grid = grid or grids.grid_create(community=community, name=name, code=code, actor=None)
        for m in range(1, count + 1):
            micro_code = f"{code}-{m:02d}"
            micro_grid = MicroGrid.objects.filter(grid=grid, code=micro_code).first()
            micro_grids.append(
                micro_grid or grids.micro_grid_create(grid=grid, name=f"微网格{m:02d}", code=micro_code, actor=None)
            )
        manager = people["gridmanager" if number == 1 else f"gridmanager{number}"]
        grids.grid_assign(user=manager, role=GridAssignment.Role.GRID_MANAGER, grid=grid, actor=None)
        grids.grid_assign(
            user=people["qianjiang_leader"], role=GridAssignment.Role.LIAISON_LEADER, grid=grid, actor=None
        )
        grids.grid_assign(
            user=people["qianjiang_instructor"], role=GridAssignment.Role.INSTRUCTOR, grid=grid, actor=None
        )
    for n, enterprise in enumerate(enterprises[:KEY_ENTERPRISES]):
        grids.enterprise_micro_grid_assign(
            enterprise=enterprise, micro_grid=micro_grids[n % len(micro_grids)], actor=None
        )
    return {
        "grids": Grid.objects.filter(community=community).count(),
        "micro_grids": MicroGrid.objects.filter(grid__community=community).count(),
        "key_enterprises_in_grids": Enterprise.objects.filter(
            region=community, is_key=True, micro_grid__isnull=False
        ).count(),
    }
