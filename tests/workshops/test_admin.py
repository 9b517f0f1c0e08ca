"""The staff admin: scoped by region, statuses changed only through actions that call the services, and
the indicators page."""

from datetime import date

import pytest

from programs.models import Region
from programs.services import audit_history
from tests.factories import coordinator
from workshops.models import Registration, Resident, Workshop

from .factories import PositionFactory, RegistrationFactory, WorkshopFactory, grid_worker, id_number, organiser, village

pytestmark = pytest.mark.django_db


def act(client, model, action, ids, **extra):
    return client.post(
        f"/admin/workshops/{model}/", {"action": action, "_selected_action": ids, "index": 0, **extra}, follow=True
    )


def test_the_workshop_list_is_scoped_to_the_staff_members_region(client):
    ours = WorkshopFactory(name="岱山的工坊")
    WorkshopFactory(name="定海的工坊", village=village("330902"))
    client.force_login(organiser())
    page = client.get("/admin/workshops/workshop/").text
    assert ours.name in page and "定海的工坊" not in page
    assert "/admin/workshops/workshop/indicators/" in page


def test_registration_actions_move_the_status_through_the_services_and_refuse_illegal_moves(client):
    boss = organiser()
    client.force_login(boss)
    registration = RegistrationFactory(position=PositionFactory(openings=1))
    act(client, "registration", "action_recommend", [registration.pk], reason="社区推荐")
    act(client, "registration", "action_home_visit", [registration.pk], reason="入户走访确认")
    act(client, "registration", "action_accept", [registration.pk])
    registration.refresh_from_db()
    assert registration.status == "accepted"
    assert [e.new_value for e in audit_history(registration)][:3] == ["accepted", "home_visit", "recommended"]
    refused = act(client, "registration", "action_recommend", [registration.pk])
    assert "error" in {message.level_tag for message in refused.context["messages"]}  # the service's refusal, shown
    registration.refresh_from_db()
    assert registration.status == "accepted"
    act(client, "registration", "action_employ", [registration.pk], start_date="2025-04-01")
    registration.refresh_from_db()
    assert (registration.status, registration.employment.start_date) == ("employed", date(2025, 4, 1))


def test_a_rejection_from_the_admin_needs_a_reason(client):
    client.force_login(organiser())
    registration = RegistrationFactory(status="home_visit")
    act(client, "registration", "action_reject", [registration.pk])
    registration.refresh_from_db()
    assert registration.status == "home_visit"
    act(client, "registration", "action_reject", [registration.pk], reason="已外出打工")
    registration.refresh_from_db()
    assert (registration.status, registration.reason) == ("rejected", "已外出打工")


def management_forms(page) -> dict:
    data = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
    return data


def test_a_grid_worker_registers_a_resident_in_the_admin_and_becomes_their_grid_worker(client):
    home = village()
    worker = grid_worker(region=home.parent)
    client.force_login(worker)
    number = id_number()
    response = client.post(
        "/admin/workshops/resident/add/",
        {
            "name": "王阿姨",
            "id_number": number,
            "phone": "13905802222",
            "village": home.pk,
            "is_low_income": "on",
            "wants_work": "on",
            "wished_categories": ["primary_processing"],
            **management_forms(client.get("/admin/workshops/resident/add/")),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    resident = Resident.objects.get(id_number=number)
    assert (resident.grid_worker, resident.is_low_income, resident.wished_categories) == (
        worker,
        True,
        ["primary_processing"],
    )


def test_closing_a_workshop_in_the_admin_records_the_reason(client):
    client.force_login(organiser())
    workshop = WorkshopFactory()
    act(client, "workshop", "action_set_workshop_status_closed", [workshop.pk], reason="并入水产城")
    workshop.refresh_from_db()
    assert workshop.status == Workshop.Status.CLOSED and workshop.closed_on is not None
    assert audit_history(workshop).first().reason == "并入水产城"


def test_the_indicators_page_shows_the_region_and_its_towns(client):
    client.force_login(coordinator(region=Region.objects.get_or_create(
        code="330921000000", defaults={"name": "岱山县", "level": "county"})[0]))  # fmt: skip
    WorkshopFactory(village=village(town=2, number=1))
    page = client.get("/admin/workshops/workshop/indicators/?start=2025-01-01&end=2025-12-31")
    assert page.status_code == 200
    assert page.context["figures"]["workshops"] == 1
    assert [row["region"] for row in page.context["rows"]] == ["330921001000", "330921002000"]


def test_nothing_is_deleted_from_the_admin(client):
    client.force_login(organiser())
    registration = RegistrationFactory()
    client.post("/admin/workshops/registration/", {"action": "delete_selected", "_selected_action": [registration.pk]})
    assert Registration.objects.filter(pk=registration.pk).exists()


@pytest.mark.parametrize(
    "model",
    [
        "workshop",
        "position",
        "resident",
        "registration",
        "employment",
        "incomerecord",
        "activity",
        "market",
        "villagedistance",
    ],
)
def test_every_workshops_admin_page_opens_for_an_organiser(client, model):
    from workshops.models import Employment

    registration = RegistrationFactory(status="employed")
    Employment.objects.create(registration=registration, start_date=date(2025, 1, 1), wage=3000)
    client.force_login(organiser())
    assert client.get(f"/admin/workshops/{model}/").status_code == 200
    if model != "employment":
        assert client.get(f"/admin/workshops/{model}/add/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_grid_worker_recommends_in_the_admin_but_cannot_accept(client):
    registration = RegistrationFactory(status="home_visit")
    client.force_login(grid_worker())
    page = client.get("/admin/workshops/registration/")
    actions = dict(page.context["action_form"].fields["action"].choices)
    assert "action_recommend" in actions and "action_accept" not in actions
    act(client, "registration", "action_accept", [registration.pk])
    registration.refresh_from_db()
    assert registration.status == "home_visit"
