"""Factories of the workshops app, on top of the shared ones."""

import itertools
from datetime import date
from decimal import Decimal

import factory

from programs.models import Region, User
from programs.validators import id_number_check_character
from tests.factories import UserFactory, region_tree
from workshops.models import Category, Position, Registration, Resident, Workshop

_serial = itertools.count(1)


def id_number(birth: str | None = None) -> str:
    """A valid ID number (GB 11643) of someone from 岱山县, with a fresh sequence number (and, every thousand,
    a fresh birth year)."""
    serial = next(_serial)
    birth = birth or f"19{50 + serial // 1000 % 50:02d}0101"
    body = f"330921{birth}{serial % 1000:03d}"
    return body + id_number_check_character(body)


def village(county_prefix: str = "330921", town: int = 1, number: int = 1, name: str | None = None) -> Region:
    """A village under ``region_tree(county_prefix)``: town 1 is the tree's own; more are made on demand."""
    tree = region_tree(county_prefix, "县" + county_prefix)
    town_code = f"{county_prefix}{town:03d}000"
    town_region, _ = Region.objects.get_or_create(
        code=town_code, defaults={"name": f"镇{town}", "level": "town", "parent": tree["county"]}
    )
    code = f"{county_prefix}{town:03d}{number:03d}"
    region, _ = Region.objects.get_or_create(
        code=code, defaults={"name": name or f"村{town}-{number}", "level": "village", "parent": town_region}
    )
    return region


class WorkshopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workshop

    name = factory.Sequence(lambda n: f"共富工坊{n}")
    kind = Workshop.Kind.WORKSHOP_FLOOR
    village = factory.LazyFunction(village)
    manager_name = "林主理"
    manager_phone = "13905800000"
    products = "贻贝"
    opened_on = date(2024, 1, 1)


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    workshop = factory.SubFactory(WorkshopFactory)
    title = factory.Sequence(lambda n: f"贻贝分拣{n}")
    category = Category.PRIMARY_PROCESSING
    openings = 5
    pay_amount = Decimal("150.00")
    pay_unit = Position.PayUnit.DAY


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident

    name = factory.Sequence(lambda n: f"村民{n}")
    id_number = factory.LazyFunction(id_number)
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    village = factory.LazyFunction(village)


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    resident = factory.SubFactory(ResidentFactory)
    position = factory.SubFactory(PositionFactory)
    channel = Registration.Channel.GRID_WORKER
    baseline_monthly_income = Decimal("1000.00")


def staff(role: str, region: Region | None = None, **kw) -> User:
    return UserFactory(role=role, region=region or region_tree("330921", "县330921")["county"], **kw)


def organiser(region: Region | None = None, **kw) -> User:
    return staff(User.Role.ORGANISER, region, **kw)


def grid_worker(region: Region | None = None, **kw) -> User:
    return staff(User.Role.GRID_WORKER, region, **kw)


def resident_user(resident: Resident) -> User:
    user = UserFactory(role=User.Role.RESIDENT, is_staff=False, region=None)
    Resident.objects.filter(pk=resident.pk).update(user=user)
    resident.user = user
    return user
