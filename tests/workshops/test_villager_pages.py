"""A signed-in resident's pages: their village chosen, the form filled in from their record, their own
registrations with the status and the next step; readable references and a signed confirmation link."""

import importlib
import re

import pytest
from django.apps import apps
from django.test import Client
from django.utils import timezone

from programs.models import User
from tests.factories import UserFactory
from workshops import services
from workshops.models import Registration, VillageDistance

from .factories import PositionFactory, RegistrationFactory, ResidentFactory, WorkshopFactory, resident_user, village

pytestmark = pytest.mark.django_db

READABLE = re.compile(r"^W\d{6}-[2-9A-HJKMNP-TW-Z]{6}$")


@pytest.fixture
def home():
    return village(town=1, number=1, name="东海村")


@pytest.fixture
def villager(home):
    resident = ResidentFactory(name="汤忠定", village=home, phone="13905801234", has_disability=False)
    user = resident_user(resident)
    client = Client()
    client.force_login(user)
    return resident, client


def test_a_signed_in_resident_finds_their_own_village_chosen_and_the_positions_around_it(villager, home):
    _resident, client = villager
    far = village(town=2, number=1)
    PositionFactory(title="本村的岗位", workshop=WorkshopFactory(village=home))
    PositionFactory(title="别镇的岗位", workshop=WorkshopFactory(village=far))
    page = client.get("/workshops/")
    assert page.context["village"] == home
    assert f'<option value="{home.pk}" selected>' in page.text
    assert "本村的岗位" in page.text and "别镇的岗位" not in page.text
    # Choosing "anywhere" is respected: the own village is only the starting choice.
    assert "别镇的岗位" in client.get("/workshops/", {"village": ""}).text


def test_a_position_in_the_residents_own_village_reads_same_village_not_zero_minutes(villager, home):
    _resident, client = villager
    neighbour = village(town=1, number=2)
    PositionFactory(title="本村的岗位", workshop=WorkshopFactory(village=home))
    PositionFactory(title="隔壁村的岗位", workshop=WorkshopFactory(village=neighbour))
    VillageDistance.objects.create(from_village=home, to_village=neighbour, minutes=8)
    page = client.get("/workshops/").text
    assert "同村" in page
    assert "约 8 分钟路程" in page
    assert "约 0 分钟" not in page


def test_the_form_is_filled_in_from_the_residents_record_with_the_village_chosen(villager, home):
    resident, client = villager
    position = PositionFactory(workshop=WorkshopFactory(village=home))
    page = client.get(f"/workshops/positions/{position.pk}/")
    form = page.context["form"]
    assert form["name"].value() == "汤忠定"
    assert form["village"].value() == home.pk
    assert f'<option value="{home.pk}" selected>' in page.text
    # The ID number is shown masked: enough to recognise, not to copy from the screen.
    assert resident.id_number not in page.text
    assert resident.id_number[:6] + "********" + resident.id_number[-4:] in page.text
    assert "同村" in page.text


def test_registering_signed_in_registers_the_accounts_resident_whatever_identity_is_posted(villager, home):
    resident, client = villager
    position = PositionFactory(workshop=WorkshopFactory(village=home))
    other = ResidentFactory()
    response = client.post(
        f"/workshops/positions/{position.pk}/",
        {"name": "别人", "id_number": other.id_number, "baseline_monthly_income": "1500", "consent": "on"},
    )
    registration = Registration.objects.get()
    assert response.status_code == 302
    assert registration.resident == resident
    assert (registration.channel, registration.status, registration.submitted_by) == (
        "self",
        "submitted",
        resident.user,
    )
    assert str(registration.baseline_monthly_income) == "1500.00"
    resident.refresh_from_db()
    assert resident.name == "汤忠定"


def test_a_signed_in_resident_without_consent_is_asked_for_it_and_nothing_is_saved(villager, home):
    _resident, client = villager
    position = PositionFactory(workshop=WorkshopFactory(village=home))
    response = client.post(f"/workshops/positions/{position.pk}/", {"baseline_monthly_income": "1500"})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["consent"]
    assert not Registration.objects.exists()


def test_a_resident_who_registered_sees_the_registration_instead_of_the_form(villager, home):
    resident, client = villager
    position = PositionFactory(workshop=WorkshopFactory(village=home))
    registration = RegistrationFactory(resident=resident, position=position)
    page = client.get(f"/workshops/positions/{position.pk}/")
    assert page.context["existing"] == registration
    assert registration.reference in page.text
    assert '<form method="post" novalidate>' not in page.text


def test_my_registrations_show_the_reference_status_and_next_step_and_not_a_strangers_claim(villager, home):
    resident, client = villager
    waiting = RegistrationFactory(resident=resident, position=PositionFactory(title="贻贝分拣"))
    accepted = RegistrationFactory(
        resident=resident, position=PositionFactory(title="零部件装配"), status=Registration.Status.ACCEPTED
    )
    claim = RegistrationFactory(resident=resident, status=Registration.Status.TO_VERIFY, claimed_name="别人")
    RegistrationFactory(position=waiting.position)  # someone else's
    page = client.get("/workshops/mine/")
    assert page.status_code == 200
    assert [r.pk for r in page.context["registrations"]] == [accepted.pk, waiting.pk]
    text = page.text
    assert waiting.reference in text and accepted.reference in text and claim.reference not in text
    assert "已报名" in text and "已录用" in text
    assert "下一步：社区会上门走访与您沟通" in text
    assert "您已被录用" in text
    assert accepted.position.workshop.manager_phone in text  # whom to call once accepted


def test_the_positions_page_shows_the_residents_registrations_in_progress(villager, home):
    resident, client = villager
    registration = RegistrationFactory(
        resident=resident, position=PositionFactory(workshop=WorkshopFactory(village=home))
    )
    page = client.get("/workshops/").text
    assert "我的报名" in page and registration.reference in page


def test_my_registrations_is_for_residents_only():
    anonymous = Client().get("/workshops/mine/")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    staff = Client()
    staff.force_login(UserFactory(role=User.Role.ORGANISER))
    assert staff.get("/workshops/mine/").status_code == 403


def test_a_registration_gets_a_readable_reference_of_its_day():
    registration, _created = services.registration_submit(
        resident=ResidentFactory(), position=PositionFactory(), channel="grid_worker", actor=None
    )
    assert READABLE.match(registration.reference), registration.reference
    assert registration.reference[1:7] == f"{timezone.localdate():%y%m%d}"


def test_a_reference_the_day_already_has_is_drawn_again(monkeypatch):
    taken = RegistrationFactory()
    drawn = iter([taken.reference, "W261201-NEW234"])
    monkeypatch.setattr("workshops.services.registrations.registration_reference", lambda: next(drawn))
    registration = Registration(reference=taken.reference)
    from workshops.services.registrations import _unused_reference

    assert _unused_reference(registration.reference) == "W261201-NEW234"


def test_the_confirmation_page_opens_from_its_signed_link_only(client):
    registration = RegistrationFactory()
    token = services.registration_token(registration)
    assert token.startswith(registration.reference + ":")
    assert client.get(f"/workshops/registered/{token}/").status_code == 200
    assert client.get(f"/workshops/registered/{registration.reference}/").status_code == 404
    assert client.get(f"/workshops/registered/{token[:-2]}xx/").status_code == 404


def test_existing_registrations_get_readable_references_from_the_data_migration():
    old = [RegistrationFactory(), RegistrationFactory()]
    Registration.objects.filter(pk=old[0].pk).update(reference="HU_q6YPgu2E4")
    Registration.objects.filter(pk=old[1].pk).update(reference="x-Ab3dEfGh12")
    migration = importlib.import_module("workshops.migrations.0004_readable_registration_references")
    migration.give_readable_references(apps, None)
    references = list(Registration.objects.values_list("reference", flat=True))
    assert all(READABLE.match(r) for r in references), references
    assert len(set(references)) == 2
    for registration in old:
        registration.refresh_from_db()
        assert registration.reference[1:7] == f"{timezone.localtime(registration.created_at):%y%m%d}"
