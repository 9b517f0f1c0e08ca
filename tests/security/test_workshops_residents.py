"""Residents (issue 13): survey imports stay inside the importer's area and must match the record; sensitive
fields cannot be filtered, prefix-matched or ordered, superusers included; simultaneous creates of one resident
answer 400, never 500, and no log line carries the ID number; the public form is no ID-number oracle and a
squatted ID number does not block the real person."""

import io
import logging
from functools import partial

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from rest_framework.test import APIClient

from programs import imports
from tests.conftest import failures, released_together
from tests.workshops.factories import (
    PositionFactory,
    ResidentFactory,
    grid_worker,
    id_number,
    organiser,
    village,
)
from workshops import services
from workshops.models import Registration, Resident

pytestmark = pytest.mark.django_db


def survey_file(*rows):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "公民身份号码", "村（社区）区划代码", "手机号", "残疾人", "低收入农户", "就业意愿"])
    for row in rows:
        sheet.append(row)
    content = io.BytesIO()
    book.save(content)
    return SimpleUploadedFile("survey.xlsx", content.getvalue())


def snapshot(resident):
    resident = Resident.objects.get(pk=resident.pk)
    return (resident.name, resident.phone, resident.has_disability, resident.is_low_income, resident.wants_work,
            resident.grid_worker_id, resident.surveyed_on)  # fmt: skip


# --- Point 3: a survey row must match the resident's name and ID number in the importer's area ------------------


def test_a_survey_row_for_a_resident_of_another_county_is_refused_and_changes_nothing():
    home = village()
    worker = grid_worker(region=home.parent)
    dinghai = ResidentFactory(name="定海村民", village=village(county_prefix="330902"), phone="13900000001")
    before = snapshot(dinghai)
    job = imports.import_job_create(
        kind="resident_surveys",
        uploaded=survey_file(["冒名", dinghai.id_number, home.code, "13900000099", "是", "是", "否"]),
        actor=worker,
    )
    assert job.status == "invalid"
    assert len(job.errors) == 1 and job.errors[0]["column"] == "公民身份号码"
    assert snapshot(dinghai) == before


def test_a_survey_row_with_a_wrong_name_for_a_resident_of_the_area_is_refused_and_changes_nothing():
    home = village()
    worker = grid_worker(region=home.parent)
    person = ResidentFactory(name="汤忠定", village=home, phone="13900000002")
    before = snapshot(person)
    job = imports.import_job_create(
        kind="resident_surveys",
        uploaded=survey_file(["别人", person.id_number, home.code, "13900000099", "是", "是", "否"]),
        actor=worker,
    )
    assert job.status == "invalid"
    assert len(job.errors) == 1 and job.errors[0]["column"] == "公民身份号码"
    assert person.id_number not in str(job.errors)
    assert snapshot(person) == before


def test_a_survey_row_matching_a_resident_of_the_area_updates_their_survey():
    home = village()
    worker = grid_worker(region=home.parent)
    person = ResidentFactory(name="汤忠定", village=home, phone="13900000003")
    job = imports.import_job_create(
        kind="resident_surveys",
        uploaded=survey_file(["汤忠定", person.id_number, home.code, "", "是", "否", "是"]),
        actor=worker,
    )
    assert job.status == "validated", job.errors
    imports.import_job_confirm(job=job, actor=worker)
    person.refresh_from_db()
    assert person.has_disability and person.grid_worker == worker


# --- Point 6: no filtering, prefix matching or ordering on sensitive fields -------------------------------------

SENSITIVE_LOOKUPS = [
    "has_disability__exact=1",
    "is_low_income__exact=1",
    "has_disability=1",
    "id_number__startswith=3309",
    "id_number__endswith=1234",
    "id_number=330921195001010011",
    "phone__startswith=139",
]


@pytest.mark.parametrize("lookup", SENSITIVE_LOOKUPS)
@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_admin_lookups_on_sensitive_resident_fields_answer_400_for_everyone(client, who, lookup):
    ResidentFactory(has_disability=True, is_low_income=True)
    if who == "organiser":
        client.force_login(organiser())
    else:
        client.force_login(get_user_model().objects.create_superuser("root", "root@example.cn", "x"))
    assert client.get("/admin/workshops/resident/?wants_work__exact=1").status_code == 200
    assert client.get(f"/admin/workshops/resident/?{lookup}").status_code == 400


def test_the_api_does_not_order_residents_by_disability():
    home = village()
    user = organiser(region=home.parent)
    for n in range(6):
        ResidentFactory(name=f"村民排序{n}", village=home, has_disability=n % 2 == 1)
    client = APIClient()
    client.force_authenticate(user)
    plain = [row["id"] for row in client.get("/api/v1/workshop-residents/").json()["results"]]
    for ordering in ("-has_disability", "has_disability", "-is_low_income", "id_number", "-phone"):
        response = client.get(f"/api/v1/workshop-residents/?ordering={ordering}")
        assert response.status_code == 200
        assert [row["id"] for row in response.json()["results"]] == plain, ordering


# --- Point 7: twenty simultaneous creates of one resident -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_creates_of_one_resident_answer_one_201_and_400s_and_log_no_id_number(caplog):
    home = village()
    user = organiser(region=home.parent)
    number = id_number()
    body = {"name": "汤忠定", "id_number": number, "phone": "13905801234", "village": home.pk}

    def create():
        client = APIClient()
        client.force_authenticate(user)
        return client.post("/api/v1/workshop-residents/", body, format="json")

    with caplog.at_level(logging.DEBUG):
        answers = released_together([create] * 20)
    assert not failures(answers), answers
    codes = sorted(answer.status_code for answer in answers)
    assert codes.count(201) == 1 and all(code in (400, 409) for code in codes if code != 201), codes
    assert Resident.objects.filter(id_number=number).count() == 1
    assert number not in caplog.text
    assert all(number not in answer.content.decode() for answer in answers if answer.status_code != 201)


def test_a_create_that_loses_the_race_to_the_database_is_a_400_without_the_id_number(monkeypatch):
    home = village()
    user = organiser(region=home.parent)
    person = ResidentFactory(village=home)
    # Skip the model's own unique check, as a racing create that passed it before the other one saved does.
    monkeypatch.setattr(Resident, "validate_unique", lambda self, exclude=None: None)
    client = APIClient()
    client.force_authenticate(user)
    body = {"name": "汤忠定", "id_number": person.id_number, "phone": "13905801234", "village": home.pk}
    response = client.post("/api/v1/workshop-residents/", body, format="json")
    assert response.status_code == 400
    assert "id_number" in response.text
    assert person.id_number not in response.text


# --- Point 9: the public form is no oracle; a squatted ID number goes to the community -------------------------


def form_data(place, **overrides):
    return {
        "name": "汤忠定",
        "id_number": id_number(),
        "phone": "13905801234",
        "village": place.pk,
        "baseline_monthly_income": "900",
        "consent": "on",
        **overrides,
    }


def _status_line(client, response):
    page = client.get(response["Location"]).text
    return [line for line in page.splitlines() if "Status" in line or "状态" in line]


def test_the_public_form_answers_alike_for_a_known_and_an_unknown_id_number(client):
    position = PositionFactory()
    on_record = ResidentFactory(name="汤忠定", village=position.workshop.village)
    known = client.post(f"/workshops/positions/{position.pk}/", form_data(position.workshop.village,
                        name="别人", id_number=on_record.id_number))  # fmt: skip
    unknown = client.post(f"/workshops/positions/{position.pk}/", form_data(position.workshop.village, name="别人"))
    assert known.status_code == unknown.status_code == 302
    assert known["Location"].startswith("/workshops/registered/")
    assert unknown["Location"].startswith("/workshops/registered/")
    assert _status_line(client, known) == _status_line(client, unknown)
    to_verify = Registration.objects.get(resident=on_record)
    assert to_verify.status == Registration.Status.TO_VERIFY and to_verify.claimed_name == "别人"
    on_record.refresh_from_db()
    assert on_record.name == "汤忠定"


def test_an_id_number_squatted_under_another_name_goes_to_the_community_and_the_real_person_still_registers(client):
    position = PositionFactory()
    place = position.workshop.village
    number = id_number()
    squatter = client.post(f"/workshops/positions/{position.pk}/", form_data(place, name="冒名者", id_number=number))
    assert squatter.status_code == 302
    real = client.post(f"/workshops/positions/{position.pk}/", form_data(place, name="汤忠定", id_number=number,
                       phone="13905809999"))  # fmt: skip
    assert real.status_code == 302
    claim = Registration.objects.get(status=Registration.Status.TO_VERIFY)
    assert (claim.claimed_name, claim.claimed_phone) == ("汤忠定", "13905809999")
    # The community checks who it is; the verified registration goes on as submitted.
    verified = services.registration_verify(registration=claim, actor=organiser(region=place.parent))
    assert verified.status == Registration.Status.SUBMITTED


def test_a_registration_to_verify_does_not_block_the_person_on_record():
    position = PositionFactory()
    person = ResidentFactory(name="汤忠定", village=position.workshop.village, phone="13905801111")
    submit = partial(services.public_registration_submit, position=position, id_number=person.id_number,
                     phone="13905802222", village=person.village, consent=True)  # fmt: skip
    stranger = submit(name="别人")
    own = submit(name="汤忠定")
    assert stranger.status == Registration.Status.TO_VERIFY
    assert own.status == Registration.Status.SUBMITTED and own.pk != stranger.pk
    assert submit(name="别人").pk == stranger.pk  # a double submit finds the first


# --- Point 9: a claim to verify is followed up like any waiting registration ---------------------------------


def _claim(position, person, *, name="别人", phone="13905802222"):
    return services.public_registration_submit(
        position=position,
        name=name,
        id_number=person.id_number,
        phone=phone,
        village=person.village,
        consent=True,
    )


def test_a_claim_to_verify_is_reminded_to_the_grid_worker_and_expires_by_sms_to_the_claimant(settings):
    from datetime import timedelta

    from programs.models import Notification
    from workshops.services.sweeps import registrations_expire, registrations_remind

    position = PositionFactory()
    worker = grid_worker(region=position.workshop.village)
    person = ResidentFactory(name="汤忠定", village=position.workshop.village, phone="13905801111")
    claim = _claim(position, person)
    assert claim.status == Registration.Status.TO_VERIFY

    reminded_at = claim.status_changed_at + timedelta(days=settings.WORKSHOPS_REMINDER_DAYS, hours=1)
    assert registrations_remind(now=reminded_at) == 1
    assert registrations_remind(now=reminded_at) == 0  # a second run adds nothing
    reminder = Notification.objects.get(recipient=worker)
    assert claim.reference in reminder.subject and "别人" in reminder.body and "汤忠定" not in reminder.body

    expired_at = claim.status_changed_at + timedelta(days=settings.WORKSHOPS_EXPIRY_DAYS, hours=1)
    assert registrations_expire(now=expired_at) == 1
    assert registrations_expire(now=expired_at) == 0
    claim.refresh_from_db()
    assert claim.status == Registration.Status.EXPIRED
    sms = Notification.objects.get(channel=Notification.Channel.SMS, dedupe_key__endswith=":expired")
    assert sms.address == "13905802222"  # the claimant, not the person on record


def test_the_community_verifies_a_claim_through_the_api_and_others_may_not():
    position = PositionFactory()
    place = position.workshop.village
    person = ResidentFactory(name="旧名字", village=place, phone="13905801111")
    claim = _claim(position, person, name="汤忠定")

    outsider = APIClient()
    outsider.force_authenticate(organiser(region=village(county_prefix="330902")))
    assert outsider.post(f"/api/v1/workshop-registrations/{claim.pk}/verify/").status_code == 404

    client = APIClient()
    client.force_authenticate(organiser(region=place.parent))
    listed = client.get("/api/v1/workshop-registrations/", {"status": "to_verify"}).json()["results"]
    assert [(row["id"], row["claimed_name"]) for row in listed] == [(claim.pk, "汤忠定")]
    answer = client.post(f"/api/v1/workshop-registrations/{claim.pk}/verify/", {"reason": "村委会核实"})
    assert answer.status_code == 200 and answer.json()["status"] == "submitted"
    person.refresh_from_db()
    assert person.name == "汤忠定"
    again = client.post(f"/api/v1/workshop-registrations/{claim.pk}/verify/")
    assert again.status_code == 409
