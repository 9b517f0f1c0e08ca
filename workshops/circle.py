"""The 15-minute employment circle (15分钟就业圈), computed: the one place that says how far one village is from
another, used by the matching (positions near a resident) and by the job offers (residents near a position).

- a village is 0 minutes from itself;
- between two villages with coordinates: the straight-line (great-circle) distance at
  ``WORKSHOPS_TRAVEL_SPEED_KMH``, rounded up to the minute, across town and county lines;
- a village without coordinates yet: another village of its town counts ``WORKSHOPS_SAME_TOWN_MINUTES``;
- a ``VillageDistance`` row (a travel time someone typed: a ferry, a mountain road) overrides both.

A village is in the circle when its time is at most ``WORKSHOPS_CIRCLE_MINUTES``. Only villages inside a
bounding box around the centre are read (an indexed range filter in SQL), then measured exactly here; never
every village of the province."""

import math
from decimal import Decimal

from django.conf import settings
from django.db.models import Q

from programs.models import Region

from .models import VillageDistance

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE_LATITUDE = 111.32


def distance_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The great-circle (haversine) distance between two points, in kilometres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def minutes_for_km(km: float) -> int:
    """Travel minutes for a straight-line distance at the configured speed, rounded up (a village next door: 1)."""
    return max(1, math.ceil(km / settings.WORKSHOPS_TRAVEL_SPEED_KMH * 60 - 1e-9))


def circle_radius_km(limit: int | None = None) -> float:
    limit = settings.WORKSHOPS_CIRCLE_MINUTES if limit is None else limit
    return settings.WORKSHOPS_TRAVEL_SPEED_KMH * limit / 60


def bounding_box(lat: float, lng: float, km: float) -> dict[str, Decimal]:
    """The latitude / longitude range holding every point within ``km`` of (lat, lng), as lookups."""
    dlat = km / KM_PER_DEGREE_LATITUDE
    dlng = km / (KM_PER_DEGREE_LATITUDE * max(math.cos(math.radians(lat)), 0.01))
    return {
        "latitude__gte": Decimal(f"{lat - dlat:.6f}"),
        "latitude__lte": Decimal(f"{lat + dlat:.6f}"),
        "longitude__gte": Decimal(f"{lng - dlng:.6f}"),
        "longitude__lte": Decimal(f"{lng + dlng:.6f}"),
    }


def travel_minutes_from(village: Region, *, limit: int | None = None) -> dict[int, int]:
    """Villages within ``limit`` minutes (the 15-minute circle by default) of ``village``: id → minutes."""
    limit = settings.WORKSHOPS_CIRCLE_MINUTES if limit is None else limit
    minutes = {village.pk: 0}
    villages = Region.objects.filter(level=Region.Level.VILLAGE).exclude(pk=village.pk)
    if village.latitude is not None and village.longitude is not None:
        lat, lng = float(village.latitude), float(village.longitude)
        near = villages.filter(**bounding_box(lat, lng, circle_radius_km(limit)))
        for pk, their_lat, their_lng in near.values_list("pk", "latitude", "longitude"):
            minutes[pk] = minutes_for_km(distance_km(lat, lng, float(their_lat), float(their_lng)))
    # Villages of the town not placed on the map yet (or when this one is not): the town's assumed time.
    town_prefix = village.code[: Region.PREFIX_LENGTH[Region.Level.TOWN]]
    same_town = villages.filter(code__startswith=town_prefix)
    if village.latitude is not None and village.longitude is not None:
        same_town = same_town.filter(Q(latitude__isnull=True) | Q(longitude__isnull=True))
    for pk in same_town.values_list("pk", flat=True):
        minutes.setdefault(pk, settings.WORKSHOPS_SAME_TOWN_MINUTES)
    typed = VillageDistance.objects.filter(Q(from_village=village) | Q(to_village=village))
    for a, b, m in typed.values_list("from_village_id", "to_village_id", "minutes"):
        minutes[b if a == village.pk else a] = m
    return {pk: m for pk, m in minutes.items() if m <= limit}
