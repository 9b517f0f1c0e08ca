"""Grids over the API (/api/v1/grids/, micro-grids/, grid-assignments/, indicators/grids/) and in the admin: a
grid manager reads only their own grids and their enterprises; coordinators lay grids out and assign people."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from programs import grids
from programs.models import AuditEntry, Enterprise, GridAssignment, User
from tests.factories import EnterpriseFactory, UserFactory, grid_manager, region_tree

from .test_grids import Layout

pytestmark = pytest.mark.django_db


@pytest.fixture
def layout(cast):
    return Layout(cast)


def rows(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- A grid manager's view -------------------------------------------------------------------------------


def test_a_grid_manager_lists_only_their_grids_enterprises_over_the_api(api_as, layout):
    api = api_as(layout.manager_a)
    listed = {row["id"]: row for row in rows(api.get("/api/v1/enterprises/"))}
    assert set(listed) == {layout.in_a1.pk, layout.in_a2.pk}
    assert listed[layout.in_a1.pk]["grid_name"] == "第一网格"
    assert listed[layout.in_a1.pk]["micro_grid_name"] == "微网格01"
    assert api.get(f"/api/v1/enterprises/{layout.in_b1.pk}/").status_code == 404


def test_a_grid_manager_reads_their_grids_with_people_and_counts(api_as, layout):
    api = api_as(layout.manager_a)
    listed = rows(api.get("/api/v1/grids/"))
    assert [g["code"] for g in listed] == ["G01"]
    grid = listed[0]
    assert (grid["micro_grid_count"], grid["enterprise_count"]) == (2, 2)
    assert [(p["username"], p["role"]) for p in grid["people"]] == [(layout.manager_a.username, "grid_manager")]
    assert {m["code"] for m in rows(api.get("/api/v1/micro-grids/"))} == {"G01-01", "G01-02"}
    assert api.get(f"/api/v1/grids/{layout.grid_b.pk}/").status_code == 404
    enterprises = rows(api.get(f"/api/v1/grids/{layout.grid_a.pk}/enterprises/"))
    assert {row["id"] for row in enterprises} == {layout.in_a1.pk, layout.in_a2.pk}
    enterprises = rows(api.get(f"/api/v1/micro-grids/{layout.a2.pk}/enterprises/"))
    assert [row["id"] for row in enterprises] == [layout.in_a2.pk]


def test_a_grid_manager_cannot_lay_out_grids_or_assign(api_as, layout, cast):
    api = api_as(layout.manager_a)
    response = api.post("/api/v1/grids/", {"community": cast.village.pk, "name": "新网格", "code": "G09"})
    assert response.status_code == 403
    response = api.post(
        "/api/v1/grid-assignments/", {"user": layout.manager_a.pk, "grid": layout.grid_b.pk, "role": "grid_manager"}
    )
    assert response.status_code == 403


def test_the_grid_list_query_count_does_not_grow_with_the_page(api_as, cast, layout):
    api = api_as(cast.coordinator)
    with CaptureQueriesContext(connection) as few:
        rows(api.get("/api/v1/grids/"))
    for n in range(3, 8):
        grid = grids.grid_create(community=cast.village, name=f"第{n}网格", code=f"G{n:02d}", actor=cast.coordinator)
        grid_manager(grid, region=cast.county)
    with CaptureQueriesContext(connection) as many:
        assert len(rows(api.get("/api/v1/grids/"))) == 7
    assert len(many) == len(few)


# --- A coordinator lays grids out ------------------------------------------------------------------------


def test_a_coordinator_lays_out_a_grid_and_assigns_its_people_over_the_api(api_as, cast):
    api = api_as(cast.coordinator)
    response = api.post("/api/v1/grids/", {"community": cast.village.pk, "name": "第一网格", "code": "G01"})
    assert response.status_code == 201, response.content
    grid_id = response.json()["id"]
    response = api.post("/api/v1/micro-grids/", {"grid": grid_id, "name": "微网格01", "code": "G01-01"})
    assert response.status_code == 201, response.content
    micro_grid_id = response.json()["id"]
    response = api.patch(f"/api/v1/enterprises/{cast.enterprise.pk}/", {"micro_grid": micro_grid_id})
    assert response.status_code == 200, response.content
    assert response.json()["grid"] == grid_id
    manager = UserFactory(role=User.Role.GRID_MANAGER, region=cast.county)
    body = {"user": manager.pk, "micro_grid": micro_grid_id, "role": "grid_manager"}
    response = api.post("/api/v1/grid-assignments/", body)
    assert response.status_code == 201, response.content
    assignment = response.json()["id"]
    assert [row["id"] for row in rows(api_as(manager).get("/api/v1/enterprises/"))] == [cast.enterprise.pk]
    response = api.post(f"/api/v1/grid-assignments/{assignment}/end/")
    assert response.status_code == 200 and response.json()["ended_at"]
    assert rows(api_as(manager).get("/api/v1/enterprises/")) == []
    assert AuditEntry.objects.filter(action__in=["micro_grid.assign", "micro_grid.unassign"]).count() == 2


def test_bad_grid_writes_are_refused_on_their_fields(api_as, cast, layout):
    api = api_as(cast.coordinator)
    response = api.post("/api/v1/grids/", {"community": cast.village.pk, "name": "重复", "code": "G01"})
    assert response.status_code == 400, response.content
    assert list(response.json()["error"]["fields"]) == ["code"]
    assert response.json()["error"]["code"] == "code_taken"
    response = api.post(
        "/api/v1/grid-assignments/", {"user": cast.grid_worker.pk, "grid": layout.grid_b.pk, "role": "grid_manager"}
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["user"]
    assert response.json()["error"]["code"] == "not_a_grid_manager"
    elsewhere = region_tree("330205", "江北区")
    outsider = UserFactory(role=User.Role.COORDINATOR, region=elsewhere["county"])
    response = api_as(outsider).patch(f"/api/v1/enterprises/{layout.in_none.pk}/", {"micro_grid": layout.a1.pk})
    assert response.status_code == 404  # the enterprise is not theirs to see
    stranger = EnterpriseFactory(region=elsewhere["village"])
    response = api_as(outsider).patch(f"/api/v1/enterprises/{stranger.pk}/", {"micro_grid": layout.a1.pk})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "micro_grid_out_of_scope"
    assert Enterprise.objects.get(pk=stranger.pk).micro_grid is None


def test_the_grid_indicators_count_the_key_enterprises_in_grids(api_as, cast, layout):
    Enterprise.objects.filter(pk__in=[layout.in_a1.pk, layout.in_none.pk]).update(is_key=True)
    answer = api_as(cast.coordinator).get("/api/v1/indicators/grids/").json()
    assert (answer["grids"], answer["micro_grids"]) == (2, 3)
    assert (answer["key_enterprises"], answer["key_enterprises_assigned"]) == (2, 1)
    assert answer["enterprises_assigned"] == 3
    assert {row["name"]: row["key_enterprises"] for row in answer["by_grid"]} == {"第一网格": 1, "第二网格": 0}
    mine = api_as(layout.manager_a).get("/api/v1/indicators/grids/").json()
    assert (mine["grids"], mine["enterprises_assigned"], mine["key_enterprises"]) == (1, 2, 1)


# --- The admin -------------------------------------------------------------------------------------------


def test_a_grid_manager_sees_only_their_grids_enterprises_in_the_admin(client, layout):
    client.force_login(layout.manager_a)
    page = client.get("/admin/programs/enterprise/")
    assert page.status_code == 200
    assert {e.pk for e in page.context["cl"].result_list} == {layout.in_a1.pk, layout.in_a2.pk}
    assert client.get(f"/admin/programs/enterprise/{layout.in_b1.pk}/change/").status_code in (302, 404)
    grid_page = client.get("/admin/programs/grid/")
    assert [g.pk for g in grid_page.context["cl"].result_list] == [layout.grid_a.pk]
    assert client.get(f"/admin/programs/grid/{layout.grid_a.pk}/change/").status_code == 200
    assert client.get(f"/admin/programs/grid/{layout.grid_b.pk}/change/").status_code in (302, 404)


def test_the_enterprise_forms_micro_grid_picker_offers_only_the_editors_area(client, cast, layout):
    elsewhere = region_tree("330205", "江北区")
    grid = grids.grid_create(community=elsewhere["village"], name="江北网格", code="G01", actor=None)
    far = grids.micro_grid_create(grid=grid, name="微网格01", code="G01-01", actor=None)
    client.force_login(cast.coordinator)
    form = client.get(f"/admin/programs/enterprise/{layout.in_none.pk}/change/").context["adminform"].form
    offered = set(form.fields["micro_grid"].queryset.values_list("pk", flat=True))
    assert {layout.a1.pk, layout.a2.pk, layout.b1.pk} <= offered and far.pk not in offered


def test_a_coordinator_adds_micro_grids_and_people_on_the_grid_page(client, cast, layout):
    client.force_login(cast.coordinator)
    manager = UserFactory(role=User.Role.GRID_MANAGER, region=cast.county)
    prefix = {"micro_grids": "micro_grids", "people": "assignments"}
    post = {"name": "第二网格", "code": "G02"}
    post.update({f"{prefix['micro_grids']}-TOTAL_FORMS": "2", f"{prefix['micro_grids']}-INITIAL_FORMS": "1"})
    post.update(
        {f"{prefix['micro_grids']}-0-id": str(layout.b1.pk), f"{prefix['micro_grids']}-0-grid": str(layout.grid_b.pk)}
    )
    post.update({f"{prefix['micro_grids']}-0-code": "G02-01", f"{prefix['micro_grids']}-0-name": "微网格01"})
    post.update({f"{prefix['micro_grids']}-1-grid": str(layout.grid_b.pk), f"{prefix['micro_grids']}-1-code": "G02-02"})
    post.update({f"{prefix['micro_grids']}-1-name": "微网格02"})
    post.update({f"{prefix['people']}-TOTAL_FORMS": "1", f"{prefix['people']}-INITIAL_FORMS": "0"})
    post.update({f"{prefix['people']}-0-user": str(manager.pk), f"{prefix['people']}-0-role": "grid_manager"})
    post.update({f"{prefix['people']}-0-grid": str(layout.grid_b.pk)})
    post.update({"programs-auditentry-content_type-object_id-TOTAL_FORMS": "0"})
    post.update({"programs-auditentry-content_type-object_id-INITIAL_FORMS": "0"})
    response = client.post(f"/admin/programs/grid/{layout.grid_b.pk}/change/", post)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    assert layout.grid_b.micro_grids.count() == 2
    assert GridAssignment.objects.current().filter(user=manager, grid=layout.grid_b).exists()
    assert AuditEntry.objects.filter(action="micro_grid.create", new_value="微网格02").exists()


def test_a_grid_managers_dashboard_shows_their_grids_only(client, layout):
    client.force_login(layout.manager_a)
    board = client.get("/admin/").context["dashboard"]
    assert [title for title, _figures in board["sections"]] == ["网格"]
    figures = {f.key: f.value for _title, section in board["sections"] for f in section}
    assert (figures["grids.grids"], figures["grids.micro_grids"], figures["grids.enterprises_assigned"]) == (1, 2, 2)
