"""Nothing a person recorded is hard-deleted: no API route takes DELETE on a record (the list is generated from
the URL configuration), and the ways to end a record (cancel, withdraw, close, end) keep the row and write
its audit row. The admin's side (no ModelAdmin deletes) is in ``test_admin_permissions.py``."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from rest_framework.test import APIClient

from guidance import services as guidance_services
from inspections import services as inspection_services
from inspections.models import PlanEntry
from programs.models import AuditEntry, User
from tests.factories import EnterpriseFactory, UserFactory

from .objects import OBJECT_OF
from .urlconf import api_routes

pytestmark = pytest.mark.django_db

# The one DELETE the API has: revoking one's own sign-in token, which nobody recorded.
DELETE_ALLOWED = {"api-token": "revokes the caller's own token"}


def test_no_api_route_but_token_revocation_answers_delete():
    deleting = sorted({r.key for r in api_routes() if "delete" in r.methods()})
    assert deleting == sorted(DELETE_ALLOWED)


def _detail_routes():
    for route in api_routes():
        match = re.match(r"^api/v1/\^(.+?)/\(\?P<pk>[^)]*\)/\$$", route.route)
        if match:
            yield pytest.param(route, match.group(1), id=route.key)


@pytest.mark.parametrize("route,collection", list(_detail_routes()))
def test_delete_on_a_record_is_refused_even_to_a_superuser_and_the_row_stays(route, collection, cast):
    assert collection in OBJECT_OF, f"{route.route}: add the collection to cast.OBJECT_OF"
    name = OBJECT_OF[collection]
    client = APIClient()
    client.force_authenticate(UserFactory(is_superuser=True, role=""))
    if name is None:  # a collection the cast has no row of: the method itself must be refused
        response = client.delete(route.path(pk=1))
        assert response.status_code == 405
        return
    obj = cast.objects[name]
    response = client.delete(route.path(pk=obj.pk))
    assert response.status_code == 405, response.content
    assert type(obj).objects.filter(pk=obj.pk).exists()


# --- Ending a record keeps it, with its audit row ----------------------------------------------------


def _audited(obj, new_value: str, reason: str | None = None) -> AuditEntry:
    obj = type(obj).objects.get(pk=obj.pk)  # the row is still there
    entries = AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk, new_value=new_value
    )
    assert entries.exists(), f"no audit row for {type(obj).__name__} #{obj.pk} → {new_value}"
    if reason:
        assert entries.filter(reason__contains=reason).exists()
    return entries.get()


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


ENDINGS = [
    # (cast object, who, action path, body, field, value)
    ("inspection", User.Role.COORDINATOR, "inspections/{pk}/cancel/", {"reason": "企业停业"}, "status", "cancelled"),
    ("own_registration", User.Role.RESIDENT, "workshop-registrations/{pk}/withdraw/", {"reason": "已另找工作"},
     "status", "withdrawn"),
    ("open_booking", User.Role.COORDINATOR, "guidance/bookings/{pk}/cancel/", {"reason": "企业改期"}, "status",
     "cancelled"),
    ("activity", User.Role.ORGANISER, "workshop-activities/{pk}/cancel/", {"reason": "台风"}, "is_cancelled", "True"),
    ("market", User.Role.ORGANISER, "workshop-markets/{pk}/cancel/", {"reason": "台风"}, "is_cancelled", "True"),
    ("workshop", User.Role.ORGANISER, "workshops/{pk}/close/", {"reason": "合并"}, "status", "closed"),
    ("position", User.Role.ORGANISER, "workshop-positions/{pk}/close/", {"reason": "招满"}, "status", "closed"),
    ("employment", User.Role.ORGANISER, "workshop-employments/{pk}/end/", {"end_date": "2026-12-31"}, None, None),
]  # fmt: skip


@pytest.mark.parametrize("name,role,action,body,field,value", ENDINGS, ids=[e[2] for e in ENDINGS])
def test_ending_a_record_through_the_api_keeps_the_row_and_writes_the_audit_row(
    name, role, action, body, field, value, cast
):
    obj = cast.objects[name]
    model = type(obj)
    before = model.objects.count()
    response = _api(cast.users[role]).post(f"/api/v1/{action.format(pk=obj.pk)}", body, format="json")
    assert response.status_code == 200, response.content
    assert model.objects.count() == before
    fresh = model.objects.get(pk=obj.pk)
    if field is None:  # an employment ends on a date; the registration's history keeps the rest
        assert str(fresh.end_date) == body["end_date"]
        assert AuditEntry.objects.filter(object_id=obj.pk, content_type__model=model._meta.model_name).exists()
        return
    assert str(getattr(fresh, field)) == value
    _audited(obj, value, body.get("reason"))


def test_withdrawing_a_draft_plan_entry_keeps_it_with_the_audit_row(cast):
    officer = cast.users[User.Role.OFFICER]
    entry = inspection_services.plan_entry_create(
        department=officer.department,
        enterprise=EnterpriseFactory(region=cast.objects["region"]),
        items=[cast.objects["item"]],
        month=cast.objects["month"],
        mode=PlanEntry.Mode.ON_SITE,
        actor=officer,
    )
    response = _api(officer).post(f"/api/v1/plan-entries/{entry.pk}/withdraw/", {"reason": "重复"}, format="json")
    assert response.status_code == 200, response.content
    _audited(entry, "withdrawn")


def test_cancelling_through_the_signed_link_keeps_the_booking_with_the_audit_row(cast):
    booking = cast.objects["open_booking"]
    token = guidance_services.booking_token(booking)
    response = Client().post(f"/guidance/manage/{token}/cancel/", {"reason": "临时有事", "confirmed": "1"})
    assert response.status_code == 302
    entry = _audited(booking, "cancelled", "临时有事")
    assert entry.actor is None  # the enterprise through its link, not a signed-in person
