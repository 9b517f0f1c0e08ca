"""What each layer of a hot API list costs above the bare view (issue 16, point 2).

The same rows of the same selector, returned by views that each add one layer of the API to the one before:
REST framework's view, then the throttle, then the capped count and page links, then the FilterSet, then the
API itself (model instances and the serializer). Measured in this process (no HTTP), in rotating rounds, medians.
The HTTP section's ratio (API ÷ bare throughput) is about bare ms ÷ API ms; this table says which layer takes
how much of it, and so what reaching 0.8 of the bare view would have to give up.
"""

import statistics
import time
from dataclasses import dataclass

from django.test import Client
from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from inspections.api.plans import PlanEntryFilter
from programs.api import EnterpriseFilter
from programs.filters import FilterBackend
from programs.pagination import CappedPaginator

from . import dataset, endpoints
from .views import ENTERPRISE_FIELDS, PLAN_ENTRY_FIELDS, enterprise_queryset, plan_entry_queryset

ROUNDS = 60
WARM_ROUNDS = 10


@dataclass(frozen=True)
class Layer:
    name: str
    adds: str
    throttled: bool = False
    counted: bool = False
    filtered: bool = False


LAYERS = (
    Layer("DRF view", "REST framework's request, token authentication, permission check, JSON renderer"),
    Layer("+ throttle", "the user throttle: a cache read and write per request", throttled=True),
    Layer("+ count", "the capped count (`COUNT` over `LIMIT 10001`) and the page's links", True, True),
    Layer(
        "+ FilterSet",
        "the query parameters validated by the list's FilterSet (the bare view filters by hand)",
        True,
        True,
        True,
    ),
)


@dataclass(frozen=True)
class Kind:
    name: str
    queryset: object  # (user, params) -> the API's queryset, filtered by hand by the params
    fields: list[str]  # what ``values()`` reads of it: the API's answer
    filterset: type
    query: str  # the filter of the measured request, as the HTTP section asks it


KINDS = {
    "enterprises": Kind(
        "enterprises by grade (yellow)", enterprise_queryset, ENTERPRISE_FIELDS, EnterpriseFilter, "grade=yellow"
    ),
    "plan-entries": Kind(
        "plan entries of a month",
        plan_entry_queryset,
        PLAN_ENTRY_FIELDS,
        PlanEntryFilter,
        f"month={dataset.BENCH_MONTH.isoformat()}",
    ),
}


class LayerView(APIView):
    """One list, as far as the layer it is built with: the same ``values()`` rows as the bare view."""

    permission_classes = [IsAuthenticated]
    kind: Kind | None = None  # given by ``as_view``
    layer: Layer | None = None

    def get_throttles(self):
        return [throttle() for throttle in api_settings.DEFAULT_THROTTLE_CLASSES] if self.layer.throttled else []

    def get(self, request):
        if self.layer.filtered:
            self.filterset_class = self.kind.filterset
            rows = FilterBackend().filter_queryset(request, self.kind.queryset(request.user, {}), self)
        else:
            rows = self.kind.queryset(request.user, request.query_params)
        size = int(request.query_params.get("page_size", 50))
        page = list(rows.values(*self.kind.fields)[:size])
        if not self.layer.counted:
            return Response({"results": page})
        # The API's count: the same paginator over the same model queryset (a values() queryset would count
        # through every joined column), and its first page's links.
        paginator = CappedPaginator(rows, size)
        more = paginator.capped or paginator.count > size
        return Response(
            {
                "count": paginator.count,
                "count_capped": paginator.capped,
                "next": request.build_absolute_uri(f"{request.path}?page=2&page_size={size}") if more else None,
                "previous": None,
                "results": page,
            }
        )


def _slug(layer: Layer) -> str:
    return layer.name.strip("+ ").replace(" ", "-").lower()


urlpatterns = [
    path(
        f"bench/layers/{kind_slug}/{_slug(layer)}/",
        LayerView.as_view(kind=kind, layer=layer),
        name=f"bench-layer-{kind_slug}-{_slug(layer)}",
    )
    for kind_slug, kind in KINDS.items()
    for layer in LAYERS
]


def _results(body: dict | list) -> int:
    return len(body["results"] if isinstance(body, dict) else body)


def run(log=print) -> list[dict]:
    """Each kind's bare view, its layers and its API, one request of each per round, rotating; medians."""
    client = Client()
    headers = endpoints.auth("bench_city")
    answer = []
    for kind_slug, kind in KINDS.items():
        endpoint = next(each for each in endpoints.endpoints() if each.name == kind.name)
        size = endpoints.MEASURED_PAGE_SIZE
        steps = [("bare view", "the bare `values()` view of the HTTP section", endpoint.bare.format(n=size))]
        steps += [
            (layer.name, layer.adds, f"/bench/layers/{kind_slug}/{_slug(layer)}/?{kind.query}&page_size={size}")
            for layer in LAYERS
        ]
        steps.append(("the API", "model instances, the serializer, search and ordering", endpoint.api.format(n=size)))
        times: dict[str, list[float]] = {name: [] for name, _adds, _path in steps}
        rows = {}
        for round_ in range(WARM_ROUNDS + ROUNDS):
            for name, _adds, url in steps[round_ % len(steps) :] + steps[: round_ % len(steps)]:
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code != 200:
                    raise RuntimeError(f"{url} answered {response.status_code}: {response.content[:300]!r}")
                rows[name] = _results(response.json())
                if round_ >= WARM_ROUNDS:
                    times[name].append(elapsed)
        bare_ms = statistics.median(times["bare view"]) * 1000
        measured, before = [], None
        for name, adds, url in steps:
            ms = statistics.median(times[name]) * 1000
            measured.append(
                {
                    "layer": name,
                    "adds": adds,
                    "path": url,
                    "rows": rows[name],
                    "ms": round(ms, 2),
                    "added_ms": None if before is None else round(ms - before, 2),
                    "bare_ratio": round(bare_ms / ms, 2),
                }
            )
            before = ms
        answer.append({"endpoint": kind.name, "layers": measured})
        log(f"  layers: {kind.name}: " + ", ".join(f"{row['layer']} {row['ms']} ms" for row in measured))
    return answer


def section(results: list[dict]) -> str:
    lines = [
        "## What each layer of an API list costs (issue 16, point 2)",
        "",
        "The city coordinator's first page of 50, in this process (no HTTP), rotating rounds of one request each, "
        f"medians of {ROUNDS}. Each view returns the same `values()` rows as the bare view and adds one layer of "
        "the API to the one above it; the last row is the API. Bare ÷ this = the ratio to the bare view if the "
        "API stopped at that layer (the HTTP ratio is close to it: the load generator shares the machine).",
        "",
    ]
    for result in results:
        lines += [
            f"**{result['endpoint']}**",
            "",
            "| layer | what it adds | rows | ms | + ms | bare ÷ this |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        lines += [
            f"| {row['layer']} | {row['adds']} | {row['rows']} | {row['ms']} | "
            f"{'' if row['added_ms'] is None else row['added_ms']} | {row['bare_ratio']} |"
            for row in result["layers"]
        ]
        lines.append("")
    return "\n".join(lines)
