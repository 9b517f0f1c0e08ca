"""Factories of the guidance app, on top of the shared ones. A booking is made the way the public form makes
one, through ``booking_create`` (so it takes its slot's place)."""

from datetime import timedelta

import factory
from django.utils import timezone

from guidance import services
from guidance.models import Booking, Mode, Slot, Theme
from programs.models import Department
from tests.factories import DepartmentFactory, region_tree
from tests.inspections.factories import ItemFactory


class ThemeFactory(factory.django.DjangoModelFactory):
    """A theme with one simple fire-safety item of a new fire-rescue department, which is also the theme's
    department, unless ``items`` or ``departments`` are given."""

    class Meta:
        model = Theme
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"theme-{n}")
    title = factory.Sequence(lambda n: f"主题{n}")

    @factory.post_generation
    def items(theme, create, extracted, **kwargs):
        if create and extracted is not None:
            theme.items.set(extracted)
        elif create:
            fire = DepartmentFactory(kind=Department.Kind.FIRE_RESCUE, region=region_tree()["county"])
            theme.items.set([ItemFactory(department=fire, simple=True)])

    @factory.post_generation
    def departments(theme, create, extracted, **kwargs):
        if create:
            theme.departments.set(extracted if extracted is not None else {i.department for i in theme.items.all()})


class SlotFactory(factory.django.DjangoModelFactory):
    """An on-site slot of two hours, three days ahead, for three, in the county, offering a new theme unless
    ``themes`` are given."""

    class Meta:
        model = Slot
        skip_postgeneration_save = True

    class Params:
        starts_in = timedelta(days=3)

    starts_at = factory.LazyAttribute(lambda o: timezone.now() + o.starts_in)
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=2))
    mode = Mode.ONSITE
    capacity = 3
    region = factory.LazyFunction(lambda: region_tree()["county"])

    @factory.post_generation
    def themes(slot, create, extracted, **kwargs):
        if create:
            slot.themes.set(extracted if extracted is not None else [ThemeFactory()])


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking of the slot's one theme, by a business not yet registered, made by ``actor`` (None: the
    public form)."""

    class Meta:
        model = Booking

    slot = factory.SubFactory(SlotFactory)
    theme = factory.LazyAttribute(lambda o: o.slot.themes.get())
    mode = factory.LazyAttribute(lambda o: o.slot.mode)
    business_name = "周女士的面馆（筹）"
    not_registered = True
    contact_name = "周女士"
    contact_phone = "13900000001"
    contact_email = "zhou@example.cn"
    address = "梅山街道1号"
    needs = "油烟净化器装在哪里？"
    consent = True
    actor = None

    @classmethod
    def _create(cls, model_class, **fields):
        return services.booking_create(**fields)


def booking_body(slot: Slot, theme: Theme | None = None) -> dict:
    """A booking as a phone posts it to the API."""
    theme = theme or slot.themes.get()
    return {
        "theme": theme.pk,
        "slot": slot.pk,
        "contact_name": "王先生",
        "contact_phone": "13800000000",
        "address": "测试路1号",
        "consent": True,
    }


def claimed(booking: Booking) -> Booking:
    """The booking made on the public form with a registered credit code, as its enterprise has claimed it."""
    Booking.objects.filter(pk=booking.pk).update(enterprise=booking.unverified_enterprise, unverified_enterprise=None)
    booking.refresh_from_db()
    return booking


def visit_started(booking: Booking) -> Booking:
    """Move the booking's slot to an hour ago: the visit is under way (services refuse to book the past)."""
    starts = timezone.now() - timedelta(hours=1)
    Slot.objects.filter(pk=booking.slot_id).update(starts_at=starts, ends_at=starts + timedelta(hours=2))
    booking.refresh_from_db()
    return booking
