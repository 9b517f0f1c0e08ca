"""Residents' ID numbers, phones, disability and low-income status are shown in full only to those with a need
to know (the region's organisers and grid workers, and the resident themself; see ``workshops.privacy``).

Every GET route of the API is crawled as each role: each list, then the detail routes of what the list shows,
and every public page; a full ID number or phone anywhere it should not be fails."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from programs.models import User
from tests.factories import UserFactory

from .objects import ROLES
from .test_authorization import PAGES
from .urlconf import api_routes, page_routes

pytestmark = pytest.mark.django_db

NEED_TO_KNOW = {User.Role.ORGANISER, User.Role.GRID_WORKER}


def _client(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _crawl_api(user) -> dict[str, str]:
    """Every GET answer the user can reach: path → body."""
    client = _client(user)
    bodies, ids = {}, {}
    routes = [r for r in api_routes() if "get" in r.methods() and r.route.startswith("api/v1/")]
    for route in [r for r in routes if "(?P<pk>" not in r.route]:
        response = client.get(route.path())
        bodies[route.path()] = response.content.decode()
        if response.status_code == 200 and route.key.endswith("-list"):
            data = response.json()
            rows = data.get("results", data) if isinstance(data, dict) else data
            ids[route.key[: -len("-list")]] = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
    for route in [r for r in routes if "(?P<pk>" in r.route]:
        basename = route.key.rsplit("-", 1)[0]
        if route.key.endswith("-near-me") or basename not in ids:
            continue
        for pk in ids[basename][:5]:
            bodies[route.path(pk=pk)] = client.get(route.path(pk=pk)).content.decode()
    return bodies


def _crawl_pages(user, cast) -> dict[str, str]:
    client = Client()
    if user is not None:
        client.force_login(user)
    present = {r.route: r for r in page_routes()}
    bodies = {}
    for route, page in PAGES.items():
        if page.method != "get" or route not in present:
            continue
        path = present[route].path(**(page.params(cast) if page.params else {}))
        bodies[path] = client.get(path).content.decode(errors="replace")
    return bodies


def _leaks(bodies: dict[str, str], secrets: dict[str, str]) -> list[str]:
    return [f"{what} in {path}" for path, body in bodies.items() for what, value in secrets.items() if value in body]


def _secrets(resident) -> dict[str, str]:
    return {f"{resident.name}'s ID number": resident.id_number, f"{resident.name}'s phone": resident.phone}


@pytest.mark.parametrize("role", [*ROLES, "superuser", "anonymous"])
def test_no_role_without_the_need_to_know_sees_a_residents_id_number_or_phone(role, cast):
    resident, other = cast.objects["resident"], cast.objects["other_resident"]
    user = UserFactory(is_superuser=True, role="") if role == "superuser" else cast.users[role]
    guarded = {**_secrets(other)}
    if role != User.Role.RESIDENT:
        guarded.update(_secrets(resident))
    bodies = _crawl_api(user)
    if role not in NEED_TO_KNOW:
        assert not _leaks(bodies, guarded)
        assert not _leaks(_crawl_pages(user, cast), guarded)
    else:
        # The positive control: the crawl does reach the residents, so the others' silence means something.
        detail = f"/api/v1/workshop-residents/{other.pk}/"
        assert other.id_number in bodies[detail] and other.phone in bodies[detail]


def test_a_resident_sees_their_own_id_number_and_statuses_but_nobody_elses(cast, api_as):
    resident = cast.objects["resident"]
    me = api_as(cast.users[User.Role.RESIDENT]).get("/api/v1/workshop-residents/me/").json()
    assert (me["id_number"], me["has_disability"], me["is_low_income"]) == (resident.id_number, True, True)


@pytest.mark.parametrize("role", ROLES)
def test_disability_and_low_income_status_are_withheld_from_roles_without_the_need_to_know(role, cast):
    # The resident with an account is the resident user's own record: ask about the other one.
    resident = cast.objects["other_resident" if role == User.Role.RESIDENT else "resident"]
    response = _client(cast.users[role]).get(f"/api/v1/workshop-residents/{resident.pk}/")
    if role in NEED_TO_KNOW:
        assert response.status_code == 200
        assert (response.json()["has_disability"], response.json()["is_low_income"]) == (True, True)
        assert response.json()["id_number"] == resident.id_number
    elif response.status_code == 200:
        body = response.json()
        assert body["has_disability"] is None and body["is_low_income"] is None
        assert body["id_number"] != resident.id_number
    else:
        assert response.status_code in (403, 404)
