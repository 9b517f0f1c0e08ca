"""The Ningbo article's guidance figures (seed 000, 宁波：聚焦规范涉企行政检查"最优解": "截至2024年12月底，累计受理
预约2900多件，开展线上线下预约3200次，靶向整改风险隐患超3000个"), each rebuilt from raw records made to produce it
and read from the indicator API as the city's coordinator reads it (docs/figures.md lists every figure with its
sentence). The 3,200 sessions held for those bookings are tested in tests/guidance/test_sessions.py.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from guidance.models import Booking, Mode, Risk, Session, Slot
from tests.factories import coordinator, region_tree

from .factories import ThemeFactory

pytestmark = pytest.mark.django_db

YEAR_2024 = {"start": "2024-01-01", "end": "2024-12-31"}
PER_SLOT = 12


def moment(day: date, hour: int = 9) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def bookings_of_2024(themes, counties, statuses: list[str]) -> list[Booking]:
    """One booking per status, made in 2024, a visit two weeks later; 12 to a slot (the slot full), the slots
    alternating online and on site, county and theme."""
    slots = Slot.objects.bulk_create(
        Slot(
            starts_at=moment(date(2024, n % 12 + 1, n % 14 + 1) + timedelta(days=14)),
            ends_at=moment(date(2024, n % 12 + 1, n % 14 + 1) + timedelta(days=14), hour=11),
            mode=Mode.ONLINE if n % 2 else Mode.ONSITE,
            capacity=PER_SLOT,
            booked=min(PER_SLOT, len(statuses) - n * PER_SLOT),
            region=counties[n % len(counties)],
        )
        for n in range(-(-len(statuses) // PER_SLOT))
    )
    Slot.themes.through.objects.bulk_create(
        Slot.themes.through(slot_id=slot.pk, theme_id=themes[n % len(themes)].pk) for n, slot in enumerate(slots)
    )
    bookings = []
    for n, status in enumerate(statuses):
        slot = slots[n // PER_SLOT]
        made = slot.starts_at - timedelta(days=14)
        bookings.append(
            Booking(
                reference=f"G24-{n:06d}",
                theme=themes[(n // PER_SLOT) % len(themes)],
                slot=slot,
                region=slot.region,
                region_code=slot.region.code,  # bulk_create skips Booking.save
                mode=slot.mode,
                status=status,
                business_name=f"宁波企业{n}",
                contact_name="王先生",
                contact_phone="13800000000",
                consent_at=made,
                created_at=made,
                confirmed_at=None if status == Booking.Status.REQUESTED else made + timedelta(hours=3),
                completed_at=slot.starts_at + timedelta(hours=2) if status == Booking.Status.COMPLETED else None,
                cancel_reason="企业取消" if status == Booking.Status.CANCELLED else "",
            )
        )
    return Booking.objects.bulk_create(bookings)


def test_2900_odd_bookings_accepted_and_over_3000_risks_rectified_in_2024(api_as):
    """2,916 bookings made in 2024 across 13 themes in 鄞州 and 北仑 (2,850 held, 40 no-shows, 26 cancelled), and
    3 made in 2023 (not counted); the first sessions of the held ones found 3,180 risks, 3,027 of them rectified
    in 2024 within three days; 150 still open and 3 rectified only in January 2025 are found in 2024 but not
    rectified in it."""
    themes = [ThemeFactory(title=f"主题场景{n + 1}") for n in range(13)]
    yinzhou, beilun = region_tree()["county"], region_tree("330206", "北仑区")["county"]
    statuses = [Booking.Status.COMPLETED] * 2850 + [Booking.Status.NO_SHOW] * 40 + [Booking.Status.CANCELLED] * 26
    bookings = bookings_of_2024(themes, [yinzhou, beilun], statuses)
    last_year = Slot.objects.create(
        starts_at=moment(date(2023, 12, 15)), ends_at=moment(date(2023, 12, 15), 11), mode=Mode.ONSITE, capacity=3,
        booked=3, region=yinzhou,
    )  # fmt: skip
    last_year.themes.set([themes[0]])
    Booking.objects.bulk_create(  # made in 2023: the period's bookings are those made in it
        Booking(
            reference=f"G23-{n}",
            theme=themes[0],
            slot=last_year,
            region=yinzhou,
            region_code=yinzhou.code,
            mode=Mode.ONSITE,
            status=Booking.Status.COMPLETED,
            business_name="去年企业",
            contact_name="李女士",
            contact_phone="13900000000",
            consent_at=moment(date(2023, 12, 1)),
            created_at=moment(date(2023, 12, 1)),
            completed_at=moment(date(2023, 12, 15), 11),
        )
        for n in range(3)
    )
    held = [b for b in bookings if b.status == Booking.Status.COMPLETED]
    sessions = Session.objects.bulk_create(  # a held booking's visit is its first session
        Session(booking=b, kind=Session.Kind.FIRST, mode=b.mode, held_at=b.slot.starts_at) for b in held
    )
    risks = []
    for n in range(3180):
        session = sessions[n % len(sessions)]
        found = session.held_at + timedelta(hours=1)
        if n < 3027:
            rectified_at = found + timedelta(days=n % 3)
        elif n < 3030:
            rectified_at = moment(date(2025, 1, 10))
        else:
            rectified_at = None
        risks.append(
            Risk(
                booking=session.booking,
                session=session,
                description=f"隐患{n}",
                deadline=(found + timedelta(days=30)).date(),
                status=Risk.Status.RECTIFIED if rectified_at else Risk.Status.OPEN,
                evidence_note="已整改" if rectified_at else "",
                evidence_at=rectified_at,
                rectified_at=rectified_at,
                created_at=found,
            )
        )
    Risk.objects.bulk_create(risks)

    ningbo = coordinator(region=region_tree()["city"])
    response = api_as(ningbo).get("/api/v1/indicators/guidance/", YEAR_2024)

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["bookings_accepted"] == 2916
    assert body["bookings_cancelled"] == 26
    assert body["risks_rectified"] == 3027
    assert body["risks_found"] == 3180
    assert len(body["by_theme"]) == 13
    # 243 full slots of 12, alternately 鄞州 (122) and 北仑 (121).
    assert {row["county_code"]: row["accepted"] for row in body["by_county"]} == {"330206": 1452, "330212": 1464}
