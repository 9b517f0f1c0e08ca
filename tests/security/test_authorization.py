"""The authorization matrix: every route of the URL configuration × every role and anonymous.

API views declare their rule (``permission_classes``; ``read_roles`` and ``allowed_roles`` of
``programs.rest.HasRole``); the expected answer is read from the view and checked over HTTP. Plain pages have
an explicit table below. A route with no rule (an API view without ``HasRole`` and not in ``OPEN_API_VIEWS``,
a page missing from ``PAGES``) fails the test: a new endpoint cannot go unreviewed. Admin routes are checked
against each ``ModelAdmin``'s declared roles in ``test_admin_permissions.py``.
"""

from dataclasses import dataclass
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated
from rest_framework.test import APIClient

from guidance import services as guidance_services
from inspections.services import complaints as complaint_services
from programs.models import User
from programs.rest import HasRole
from workshops import services as workshops_services

from .objects import PRINCIPALS, ROLES
from .urlconf import Route, admin_routes, api_routes, page_routes, routes

pytestmark = pytest.mark.django_db

MISSING_PK = 999999

# API views whose rule is deliberately not a role list; the rule itself is still read from the view.
OPEN_API_VIEWS = {
    "TokenView": "sign-in is open (POST); revoking one's own token needs the token (DELETE)",
    "MeView": "every signed-in user reads their own profile",
    "RegionViewSet": "the division tree is public reference data for every signed-in user",
    "DepartmentViewSet": "departments are reference data for every signed-in user",
    "NotificationViewSet": "every signed-in user reads their own in-app inbox",
    "APIRootView": "the routers' index of routes, for signed-in users",
    "SpectacularAPIView": "the OpenAPI schema is public",
    "SpectacularSwaggerView": "the API docs are public",
}

# Where a view admits a role at the permission layer and then refuses it in the handler, narrower than its
# declared rule (never wider): (route key, method, role) → why.
NARROWED_IN_HANDLER = {
    ("workshop-registration-list", "post", User.Role.ENTERPRISE): "an enterprise decides, it does not register",
    ("finding-decide", "post", User.Role.ENTERPRISE): "the penalty decision is the officers'",
    ("finding-observation", "post", User.Role.ENTERPRISE): "an observation period is opened by officers",
    ("finding-reinspect", "post", User.Role.ENTERPRISE): "a re-inspection is the officers'",
    ("repair-application-list", "post", User.Role.COORDINATOR): "credit repair is applied for by the enterprise",
    ("repair-application-list", "post", User.Role.OFFICER): "credit repair is applied for by the enterprise",
    ("repair-application-approve", "post", User.Role.ENTERPRISE): "credit repair is decided by officers",
    ("repair-application-refuse", "post", User.Role.ENTERPRISE): "credit repair is decided by officers",
}


def _rule_allows(permission, view, request, method: str) -> bool:
    user = request.user
    if isinstance(permission, HasRole):
        if not user.is_authenticated:
            return False
        roles = getattr(view, "read_roles", None) if method.upper() in SAFE_METHODS else None
        if roles is None:
            roles = view.allowed_roles
        return user.is_superuser or roles == "__all__" or user.role in roles
    if isinstance(permission, IsAuthenticated):
        return bool(user.is_authenticated)
    if isinstance(permission, AllowAny):
        return True
    raise AssertionError(f"{type(permission).__name__}: a permission class the matrix does not know; add its rule")


def api_expected(route: Route, method: str, user) -> bool:
    view, request = route.view_for(method, user)
    return all(_rule_allows(p, view, request, method) for p in view.get_permissions())


def _api_cases():
    return [pytest.param(r, m, id=f"{m.upper()} {r.key}") for r in api_routes() for m in r.methods()]


@pytest.fixture
def principals(cast):
    return cast.users


def _api_client(user):
    client = APIClient()
    if user is not None:
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.mark.parametrize("route,method", _api_cases())
def test_every_api_route_answers_each_role_as_its_view_declares(route, method, principals):
    view, _request = route.view_for(method)
    permissions = view.get_permissions()
    if any(isinstance(p, HasRole) for p in permissions):
        assert hasattr(view, "allowed_roles"), f"{route.key}: declare allowed_roles"
        if any(m.upper() in SAFE_METHODS for m in route.methods()):
            assert hasattr(view, "read_roles"), f"{route.key}: declare read_roles"
    else:
        assert type(view).__name__ in OPEN_API_VIEWS, (
            f"{route.key} ({type(view).__name__}) has no role rule: use programs.rest.HasRole with read_roles "
            "and allowed_roles, or add the view to OPEN_API_VIEWS with the reason"
        )
    path = route.path(pk=MISSING_PK, format="json")
    wrong = []
    for principal, user in principals.items():
        allowed = api_expected(route, method, user)
        response = getattr(_api_client(user), method)(path, {}, format="json")
        status = response.status_code
        denied = status in (401, 403)
        if status >= 500:
            wrong.append(f"{principal}: {status} (server error)")
        elif allowed and denied and (route.key, method, principal) not in NARROWED_IN_HANDLER:
            wrong.append(f"{principal}: expected allowed, got {status} {response.content[:200]!r}")
        elif not allowed and not denied:
            wrong.append(f"{principal}: expected denied, got {status} {response.content[:200]!r}")
        elif not allowed and user is None and status != 401:
            wrong.append(f"{principal}: expected 401 for anonymous, got {status}")
    assert not wrong, f"{method.upper()} {path}:\n" + "\n".join(wrong)


def test_the_narrowed_exceptions_still_exist_and_are_narrower_than_declared(principals):
    keyed = {(r.key, m): r for r in api_routes() for m in r.methods()}
    for (key, method, role), _reason in NARROWED_IN_HANDLER.items():
        assert (key, method) in keyed, f"{key} {method}: no longer a route; remove it from NARROWED_IN_HANDLER"
        assert api_expected(keyed[(key, method)], method, principals[role]), f"{key}: {role} is denied anyway"


# --- Pages -------------------------------------------------------------------------------------------

EVERYONE = frozenset(PRINCIPALS)
SIGNED_IN = frozenset(ROLES)
STAFF = frozenset(
    {User.Role.COORDINATOR, User.Role.OFFICER, User.Role.ORGANISER, User.Role.GRID_WORKER, User.Role.GRID_MANAGER}
)
ENTERPRISE = frozenset({User.Role.ENTERPRISE})
NOBODY = frozenset()


@dataclass(frozen=True)
class Page:
    who: frozenset
    method: str = "get"
    params: object = None  # cast → URL parameters
    data: object = None
    debug_only: bool = False


def _manage(cast, name="booking", salt=guidance_services.MANAGE_SALT):
    return {"token": guidance_services.booking_token(cast.objects[name], salt=salt)}


def _waitlist(cast):
    return {"token": guidance_services.waitlist_token(cast.objects["waitlist_entry"])}


PAGES: dict[str, Page] = {
    "": Page(EVERYONE),
    "healthz": Page(EVERYONE),
    "favicon.ico": Page(EVERYONE),
    "i18n/setlang/": Page(EVERYONE, "post", data={"language": "en", "next": "/"}),
    "accounts/login/": Page(EVERYONE),
    "accounts/logout/": Page(EVERYONE, "post"),
    "accounts/password_change/": Page(SIGNED_IN),
    "accounts/password_change/done/": Page(SIGNED_IN),
    "accounts/password_reset/": Page(EVERYONE),
    "accounts/password_reset/done/": Page(EVERYONE),
    "accounts/reset/<uidb64>/<token>/": Page(EVERYONE, params=lambda c: {"uidb64": "MQ", "token": "set-password"}),
    "accounts/reset/done/": Page(EVERYONE),
    "enterprise/": Page(ENTERPRISE),
    # Only a booking made with the user's enterprise's credit code and not yet claimed: the cast has none, so 404
    # to all (the rule is tested in tests/security/test_claim_booking.py).
    "enterprise/bookings/<int:pk>/claim/": Page(NOBODY, "post", params=lambda c: {"pk": c.objects["booking"].pk}),
    "admin/imports/": Page(STAFF),
    # Only the one who uploaded a file sees its import job (the cast's job is the coordinator's).
    "admin/imports/<int:job_id>/": Page(
        frozenset({User.Role.COORDINATOR}), params=lambda c: {"job_id": c.objects["import_job"].pk}
    ),
    # Only the one who asked for an export sees its job (the cast's is the coordinator's); its file only once
    # written: the cast's job is still queued, so the download is 404 to all (tests/programs/test_export_jobs.py).
    "admin/exports/<int:job_id>/": Page(
        frozenset({User.Role.COORDINATOR}), params=lambda c: {"job_id": c.objects["export_job"].pk}
    ),
    "admin/exports/<int:job_id>/download/": Page(NOBODY, params=lambda c: {"job_id": c.objects["export_job"].pk}),
    "api/<path:rest>": Page(NOBODY, params=lambda c: {"rest": "v1/no-such-route/"}),
    "verify/": Page(EVERYONE),
    "verify/<str:code>/": Page(EVERYONE, params=lambda c: {"code": c.objects["inspection"].code}),
    # The officer's code screen: the staff who read inspections in the API, and the inspected enterprise.
    "inspections/<int:pk>/code/": Page(
        frozenset({User.Role.COORDINATOR, User.Role.OFFICER, User.Role.ENTERPRISE}),
        params=lambda c: {"pk": c.objects["inspection"].pk},
    ),
    # An issued record or notice, to whoever may see the inspection; the cast's is not completed, so nothing is
    # issued: 404 to all (the rights are tested with issued documents in tests/inspections/test_visit_documents.py).
    "inspections/<int:pk>/documents/<slug:kind>/": Page(
        NOBODY, params=lambda c: {"pk": c.objects["inspection"].pk, "kind": "inspection_record"}
    ),
    # An officer's own week; a coordinator opens an officer's with ?officer= (below).
    "inspections/week/": Page(frozenset({User.Role.OFFICER})),
    "inspections/mine/": Page(ENTERPRISE),
    "inspections/mine/findings/<int:pk>/evidence/": Page(ENTERPRISE, params=lambda c: {"pk": c.objects["finding"].pk}),
    # Penalty cases: the public verify page of a document's QR code; the enterprise's own cases; a case document
    # to whoever may see the case (the cast's case has none issued: 404 to all; rights in tests/inspections).
    "verify/case/<str:code>/": Page(EVERYONE, params=lambda c: {"code": c.objects["penalty_case"].verify_code}),
    "inspections/mine/cases/": Page(ENTERPRISE),
    # Requests and joint assistance in the enterprise area: the enterprise's own.
    "inspections/mine/requests/": Page(ENTERPRISE),
    "inspections/mine/requests/new/": Page(ENTERPRISE),
    "inspections/mine/requests/<int:pk>/": Page(
        ENTERPRISE, params=lambda c: {"pk": c.objects["enterprise_request"].pk}
    ),
    "inspections/mine/assistance/<int:pk>/": Page(ENTERPRISE, params=lambda c: {"pk": c.objects["assistance_case"].pk}),
    "inspections/mine/cases/<int:pk>/": Page(ENTERPRISE, params=lambda c: {"pk": c.objects["penalty_case"].pk}),
    "inspections/mine/cases/<int:pk>/repair/": Page(ENTERPRISE, params=lambda c: {"pk": c.objects["penalty_case"].pk}),
    "inspections/cases/<int:pk>/documents/<slug:kind>/": Page(
        NOBODY, params=lambda c: {"pk": c.objects["penalty_case"].pk, "kind": "penalty_notice"}
    ),
    # Fines: the enterprise of the case pays (sent on to the cashier) and asks for deferral or instalments; the
    # simulated gateway's pages are the owing enterprise's; any gateway may post a notification (its signature
    # decides: an empty one is refused with 400, tests/programs/test_payments.py).
    "inspections/mine/cases/<int:pk>/fine/pay/": Page(
        ENTERPRISE, "post", params=lambda c: {"pk": c.objects["fine"].case_id}
    ),
    "inspections/mine/cases/<int:pk>/fine/arrangement/": Page(
        ENTERPRISE, "post", params=lambda c: {"pk": c.objects["fine"].case_id}
    ),
    "payments/callback/": Page(EVERYONE, "post"),
    "payments/simulator/<str:reference>/": Page(
        ENTERPRISE, params=lambda c: {"reference": c.objects["payment_order"].reference}
    ),
    "payments/simulator/<str:reference>/done/": Page(
        ENTERPRISE, params=lambda c: {"reference": c.objects["payment_order"].reference}
    ),
    # The officers' field area: an officer's week, a visit of their department, the re-inspections due; the
    # service worker, the manifest and the "not kept offline" page carry no data and load before sign-in.
    "field/": Page(frozenset({User.Role.OFFICER})),
    "field/visits/<int:pk>/": Page(frozenset({User.Role.OFFICER}), params=lambda c: {"pk": c.objects["inspection"].pk}),
    "field/reinspections/": Page(frozenset({User.Role.OFFICER})),
    "field/sw.js": Page(EVERYONE),
    "field/manifest.webmanifest": Page(EVERYONE),
    "field/offline/": Page(EVERYONE),
    "guidance/": Page(EVERYONE),
    "guidance/book/<slug:code>/": Page(EVERYONE, params=lambda c: {"code": c.objects["theme"].code}),
    "guidance/mine/": Page(ENTERPRISE),
    # Staff of the region (an officer: of an assigned department) and the enterprise read a letter.
    "guidance/letters/<int:pk>/": Page(STAFF | ENTERPRISE, params=lambda c: {"pk": c.objects["booking"].pk}),
    "guidance/letters/<int:pk>/pdf/": Page(STAFF | ENTERPRISE, params=lambda c: {"pk": c.objects["booking"].pk}),
    # The signed link is the key: whoever holds it manages the booking, signed in or not.
    "guidance/manage/<str:token>/": Page(EVERYONE, params=_manage),
    "guidance/manage/<str:token>/reschedule/": Page(EVERYONE, "post", params=lambda c: _manage(c, "open_booking")),
    "guidance/manage/<str:token>/cancel/": Page(EVERYONE, "post", params=lambda c: _manage(c, "open_booking")),
    "guidance/manage/<str:token>/visit.ics": Page(EVERYONE, params=_manage),
    "guidance/manage/<str:token>/risks/<int:risk_id>/evidence/": Page(
        EVERYONE, "post", params=lambda c: {**_manage(c), "risk_id": c.objects["risk"].pk}
    ),
    "guidance/manage/<str:token>/letter/": Page(EVERYONE, params=_manage),
    "guidance/manage/<str:token>/letter/pdf/": Page(EVERYONE, params=_manage),
    "guidance/feedback/<str:token>/": Page(EVERYONE, params=lambda c: _manage(c, salt=guidance_services.FEEDBACK_SALT)),
    "guidance/waitlist/<str:token>/": Page(EVERYONE, params=_waitlist),
    "guidance/waitlist/<str:token>/accept/": Page(EVERYONE, "post", params=_waitlist),
    "guidance/waitlist/<str:token>/leave/": Page(EVERYONE, "post", params=_waitlist),
    # The public complaint form, and the signed link that follows a complaint (no name, no phone on it).
    "complaints/new/": Page(EVERYONE),
    "complaints/follow/<str:token>/": Page(
        EVERYONE, params=lambda c: {"token": complaint_services.complaint_token(c.objects["complaint"])}
    ),
    # An enterprise's community services: its catalogue, an order (an empty one is refused on its field), its orders.
    "inspections/mine/services/": Page(ENTERPRISE),
    "inspections/mine/services/<int:pk>/order/": Page(
        ENTERPRISE, "post", params=lambda c: {"pk": c.objects["service_offering"].pk}
    ),
    "inspections/mine/orders/<int:pk>/rate/": Page(
        ENTERPRISE, "post", params=lambda c: {"pk": c.objects["service_order"].pk}
    ),
    "inspections/mine/orders/<int:pk>/cancel/": Page(
        ENTERPRISE, "post", params=lambda c: {"pk": c.objects["service_order"].pk}
    ),
    "workshops/": Page(EVERYONE),
    "workshops/positions/<int:pk>/": Page(EVERYONE, params=lambda c: {"pk": c.objects["position"].pk}),
    # The confirmation link is signed: whoever holds it reads the status (no personal data on the page).
    "workshops/registered/<str:token>/": Page(
        EVERYONE, params=lambda c: {"token": workshops_services.registration_token(c.objects["own_registration"])}
    ),
    # A resident's own registrations; other roles have no resident record to show.
    "workshops/mine/": Page(frozenset({User.Role.RESIDENT})),
    # An offer is its resident's (opened: marked seen, then the position); courses are public, a place is a
    # resident's to take.
    "workshops/offers/<int:pk>/": Page(frozenset({User.Role.RESIDENT}), params=lambda c: {"pk": c.objects["offer"].pk}),
    "workshops/courses/": Page(EVERYONE),
    "workshops/courses/<int:pk>/enrol/": Page(
        frozenset({User.Role.RESIDENT}), "post", params=lambda c: {"pk": c.objects["course"].pk}
    ),
    # An uploaded file, only to who may see its record (the cast's risk has none: 404 to all; the rights are
    # tested with real files in test_uploads.py).
    "files/<str:kind>/<int:pk>/": Page(NOBODY, params=lambda c: {"kind": "guidance.risk", "pk": c.objects["risk"].pk}),
}


def check_page(route: str, cast, principals) -> list[str]:
    """Each principal's answer from the page against the table: the list of what is wrong."""
    page = PAGES[route]
    present = {r.route: r for r in page_routes()}
    path = present[route].path(**(page.params(cast) if page.params else {}))
    wrong = []
    for principal in principals:
        client = Client()
        user = cast.users[principal]
        if user is not None:
            client.force_login(user)
        response = getattr(client, page.method)(path, page.data or {})
        allowed = principal in page.who
        if response.status_code >= 500 or response.status_code == 405:
            wrong.append(f"{principal}: {response.status_code}")
        elif allowed == _is_denied(response):
            where = response.headers.get("Location", "")
            expected = "allowed" if allowed else "denied"
            wrong.append(f"{principal}: expected {expected}, got {response.status_code} {where}")
    return [f"{page.method.upper()} {path}: {line}" for line in wrong]


def test_every_page_of_the_url_configuration_has_a_rule():
    missing = sorted({r.route for r in page_routes()} - PAGES.keys())
    assert not missing, f"pages without an entry in PAGES (who may open them?): {missing}"


def test_every_route_is_either_api_admin_or_a_page():
    assert len(routes()) == len(api_routes()) + len(admin_routes()) + len(page_routes())
    assert admin_routes(), "the admin site is mounted"


def _is_denied(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    location = response.headers.get("Location", "") if response.status_code in (301, 302) else ""
    return "/login/" in urlparse(location).path


@pytest.mark.parametrize("route", sorted(PAGES), ids=lambda r: r or "/")
def test_every_page_answers_each_role_as_its_table_says(route, cast):
    if route not in {r.route for r in page_routes()}:
        assert PAGES[route].debug_only and not settings.DEBUG, f"{route}: in PAGES but no longer a route; remove it"
        return
    wrong = check_page(route, cast, PRINCIPALS)
    assert not wrong, "\n".join(wrong)


def test_one_bookings_link_does_not_reach_another_bookings_risk(cast):
    path = f"/guidance/manage/{_manage(cast, 'open_booking')['token']}/risks/{cast.objects['risk'].pk}/evidence/"
    assert Client().post(path, {"evidence_note": "整改完成"}).status_code == 404


def test_a_coordinator_opens_an_officers_week_and_an_organiser_cannot(cast):
    officer, coordinator = cast.users[User.Role.OFFICER], cast.users[User.Role.COORDINATOR]
    client = Client()
    client.force_login(coordinator)
    assert client.get("/inspections/week/", {"officer": officer.pk}).status_code == 200
    client.force_login(cast.users[User.Role.ORGANISER])
    assert client.get("/inspections/week/", {"officer": officer.pk}).status_code == 403
