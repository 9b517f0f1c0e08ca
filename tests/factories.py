"""Factories for the shared core. Every app's tests build on these."""

import itertools
import random

import factory
from django.conf import settings

from programs import grids
from programs.demo import make_credit_code
from programs.models import Department, Enterprise, Grid, GridAssignment, MicroGrid, Region, User

_rng = random.Random(7)
_codes = itertools.count(1)


def region_tree(county_prefix: str = "330212", name: str = "鄞州区") -> dict[str, Region]:
    """Province → city → county → town → village, with consistent division codes."""
    levels = {
        "province": "330000000000",
        "city": county_prefix[:4] + "00000000",
        "county": county_prefix + "000000",
        "town": county_prefix + "001000",
        "village": county_prefix + "001001",
    }
    # Every factory asks for the tree: once it exists, one query finds it.
    found = {region.code: region for region in Region.objects.filter(code__in=levels.values())}
    if len(found) == len(levels):
        return {level: found[code] for level, code in levels.items()}
    province, _ = Region.objects.get_or_create(code="330000000000", defaults={"name": "浙江省", "level": "province"})
    city, _ = Region.objects.get_or_create(
        code=county_prefix[:4] + "00000000",
        defaults={"name": "市" + county_prefix[:4], "level": "city", "parent": province},
    )
    county, _ = Region.objects.get_or_create(
        code=county_prefix + "000000", defaults={"name": name, "level": "county", "parent": city}
    )
    town, _ = Region.objects.get_or_create(
        code=county_prefix + "001000", defaults={"name": name + "一街道", "level": "town", "parent": county}
    )
    village, _ = Region.objects.get_or_create(
        code=county_prefix + "001001", defaults={"name": name + "一村", "level": "village", "parent": town}
    )
    return {"province": province, "city": city, "county": county, "town": town, "village": village}


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    name = factory.Sequence(lambda n: f"部门{n}")
    kind = Department.Kind.MARKET_SUPERVISION
    region = factory.LazyFunction(lambda: region_tree()["county"])


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试企业{n}有限公司")
    credit_code = factory.LazyAttribute(lambda o: make_credit_code(_rng, o.region.code[:6]))
    region = factory.LazyFunction(lambda: region_tree()["village"])
    address = "测试路1号"
    industry = "餐饮服务"
    contact_name = "王先生"
    contact_phone = "13800000000"
    contact_email = factory.Sequence(lambda n: f"enterprise{n}@example.cn")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.cn")
    role = User.Role.COORDINATOR
    is_staff = True
    region = factory.LazyFunction(lambda: region_tree()["county"])
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def coordinator(**kw) -> User:
    return UserFactory(role=User.Role.COORDINATOR, **kw)


def officer(department: Department | None = None, **kw) -> User:
    department = department or DepartmentFactory()
    return UserFactory(role=User.Role.OFFICER, department=department, region=kw.pop("region", department.region), **kw)


def enterprise_user(enterprise: Enterprise | None = None, **kw) -> User:
    return UserFactory(
        role=User.Role.ENTERPRISE, is_staff=False, region=None, enterprise=enterprise or EnterpriseFactory(), **kw
    )


# --- Grids (programs.grid_models) -----------------------------------------------------------------------


class GridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Grid

    community = factory.LazyFunction(lambda: region_tree()["village"])
    name = factory.Sequence(lambda n: f"第{n}网格")
    code = factory.Sequence(lambda n: f"G{n:02d}")


class MicroGridFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MicroGrid

    grid = factory.SubFactory(GridFactory)
    name = factory.Sequence(lambda n: f"微网格{n}")
    code = factory.Sequence(lambda n: f"M{n:03d}")


def grid_manager(*grids_or_micro_grids, **kw) -> User:
    """A grid manager (网格管家) assigned to each grid or micro-grid given."""
    user = UserFactory(role=User.Role.GRID_MANAGER, **kw)
    for place in grids_or_micro_grids:
        where = {"micro_grid": place} if isinstance(place, MicroGrid) else {"grid": place}
        grids.grid_assign(user=user, role=GridAssignment.Role.GRID_MANAGER, actor=None, **where)
    return user
