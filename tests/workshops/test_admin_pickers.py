"""Pickers and data entry in the staff admin: a village picker offers the editor's own area by place path and
searches; a form saves only inside the editor's area, with the reason on the field; a duplicate registration
is refused on the form, never reported as added."""

import pytest

from programs.models import Region
from tests.factories import region_tree
from workshops.models import Registration, Resident

from .factories import PositionFactory, RegistrationFactory, ResidentFactory, grid_worker, id_number, organiser, village

pytestmark = pytest.mark.django_db

AUTOCOMPLETE = "/admin/autocomplete/"
# The read-only history inline's management form, as the browser sends it.
HISTORY = {
    "programs-auditentry-content_type-object_id-TOTAL_FORMS": "0",
    "programs-auditentry-content_type-object_id-INITIAL_FORMS": "0",
}


def _add(client, model, data, **kwargs):
    return client.post(f"/admin/workshops/{model}/add/", {**data, **HISTORY}, **kwargs)


def _search(client, term, model="resident", field="village"):
    answer = client.get(
        AUTOCOMPLETE, {"app_label": "workshops", "model_name": model, "field_name": field, "term": term}
    )
    assert answer.status_code == 200
    return [row["text"] for row in answer.json()["results"]]


@pytest.fixture
def two_towns_with_the_same_village_name():
    ours = village("330921", town=1, number=7, name="东海村")
    theirs_in_county = village("330921", town=2, number=7, name="东海村")
    elsewhere = village("330902", town=1, number=7, name="东海村")
    return ours, theirs_in_county, elsewhere


def test_a_grid_workers_village_picker_offers_only_their_town_by_place_path(
    client, two_towns_with_the_same_village_name
):
    town = region_tree("330921", "县330921")["town"]
    client.force_login(grid_worker(region=town))
    assert _search(client, "东海") == ["县330921 县330921一街道 东海村"]


def test_the_picker_offers_villages_only_where_a_village_is_asked_for(client, two_towns_with_the_same_village_name):
    client.force_login(organiser())  # of the county 330921
    found = _search(client, "县330921")
    assert found and all(len(text.split(" ")) == 3 for text in found)  # county town village: villages only
    assert not [text for text in found if text.endswith("街道")]


def test_a_search_with_two_words_narrows_to_the_place_under_a_town(client, two_towns_with_the_same_village_name):
    client.force_login(organiser())
    assert _search(client, "东海") == ["县330921 县330921一街道 东海村", "县330921 镇2 东海村"]
    assert _search(client, "镇2 东海") == ["县330921 镇2 东海村"]


def test_the_form_names_the_chosen_village_by_its_path(client):
    ours = village("330921", town=1, number=7, name="东海村")
    client.force_login(organiser())
    page = _add(client, "resident", {"name": "", "id_number": "x", "village": ours.pk})
    assert "县330921 县330921一街道 东海村" in page.text


def test_a_resident_outside_the_editors_area_is_refused_on_the_village_field(
    client, two_towns_with_the_same_village_name
):
    _ours, _neighbour, elsewhere = two_towns_with_the_same_village_name
    client.force_login(organiser())
    page = _add(
        client,
        "resident",
        {"name": "王阿姨", "id_number": id_number(), "village": elsewhere.pk, "wants_work": "on"},
    )
    assert page.status_code == 200
    assert page.context["adminform"].form.errors["village"] == ["该地区不在您的管辖范围内。"]
    assert not Resident.objects.exists()


def test_a_town_is_refused_where_a_village_is_asked_for(client):
    client.force_login(organiser())
    town = region_tree("330921", "县330921")["town"]
    page = _add(
        client,
        "resident",
        {"name": "王阿姨", "id_number": id_number(), "village": town.pk, "wants_work": "on"},
    )
    assert "village" in page.context["adminform"].form.errors
    assert not Resident.objects.exists()


def test_a_grid_worker_adds_a_resident_of_their_own_village(client):
    home = village("330921", town=1, number=7, name="东海村")
    worker = grid_worker(region=home.parent)
    client.force_login(worker)
    page = _add(
        client,
        "resident",
        {"name": "王阿姨", "id_number": id_number(), "village": home.pk, "wants_work": "on"},
        follow=True,
    )
    assert page.status_code == 200
    resident = Resident.objects.get()
    assert (resident.village, resident.grid_worker) == (home, worker)


def test_a_registration_for_a_resident_of_another_area_is_refused_on_the_field(client):
    stranger = ResidentFactory(village=village("330902"))
    position = PositionFactory()
    client.force_login(organiser())
    page = _add(
        client,
        "registration",
        {"resident": stranger.pk, "position": position.pk, "channel": "grid_worker", "baseline_monthly_income": "0"},
    )
    assert page.context["adminform"].form.errors["resident"] == [
        "该记录不在您的辖区内或不存在，请从本辖区的记录中选择。"
    ]
    assert not Registration.objects.exists()


def test_adding_a_registration_that_exists_is_refused_with_a_link_to_it_and_no_success_message(client):
    existing = RegistrationFactory()
    client.force_login(grid_worker())
    page = _add(
        client,
        "registration",
        {
            "resident": existing.resident.pk,
            "position": existing.position.pk,
            "channel": "grid_worker",
            "baseline_monthly_income": "0",
        },
        follow=True,
    )
    assert page.status_code == 200
    assert page.request["PATH_INFO"] == "/admin/workshops/registration/add/"  # still on the form
    errors = page.context["adminform"].form.non_field_errors()
    assert len(errors) == 1 and existing.reference in errors[0] and "未新增报名" in errors[0]
    assert f"/admin/workshops/registration/{existing.pk}/change/" in page.text
    assert "成功" not in page.text
    assert Registration.objects.count() == 1


def test_the_region_filter_of_a_list_shows_one_place_of_the_area(client):
    town_two = village("330921", town=2, number=1).parent
    ResidentFactory(name="镇一的人", village=village("330921", town=1, number=1))
    ResidentFactory(name="镇二的人", village=village("330921", town=2, number=1))
    client.force_login(organiser())
    page = client.get("/admin/workshops/resident/", {"in_region": town_two.code})
    assert "镇二的人" in page.text and "镇一的人" not in page.text


def test_the_region_filter_cannot_widen_the_list_beyond_the_area(client):
    ResidentFactory(name="定海的人", village=village("330902"))
    client.force_login(organiser())
    page = client.get("/admin/workshops/resident/", {"in_region": Region.objects.get(code="330000000000").code})
    assert page.status_code == 200 and "定海的人" not in page.text
