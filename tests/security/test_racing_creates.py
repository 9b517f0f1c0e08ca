"""Racing creates (issue 13, point 7): requests that create the same unique thing at the same moment answer
one success and 4xx, never a 500, and the database holds one row. Residents are in
test_workshops_residents.py; here are the other unique values a person or a client creates: an enterprise's
credit code (API and admin), a resident's registration for a position, a month's income of an employment."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client
from rest_framework.test import APIClient

from programs.dberrors import is_unique_violation
from programs.models import Enterprise, User
from tests.conftest import failures, released_together
from tests.factories import EnterpriseFactory, coordinator, enterprise_user, region_tree
from tests.workshops.factories import PositionFactory, RegistrationFactory, ResidentFactory, WorkshopFactory, organiser
from workshops.models import Employment, IncomeRecord, Registration

CREDIT_CODE = "91350100M000100Y43"
TIMES = 12


def _api(user):
    def make():
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def _codes(answers) -> list[int]:
    assert not failures(answers), answers
    return sorted(answer.status_code for answer in answers)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_api_creates_of_one_credit_code_make_one_enterprise_and_no_server_error():
    user = coordinator()
    village = region_tree()["village"]
    body = {"name": "同时创建的企业", "credit_code": CREDIT_CODE, "region": village.pk}
    client = _api(user)

    answers = released_together([lambda: client().post("/api/v1/enterprises/", body, format="json")] * TIMES)

    codes = _codes(answers)
    assert codes.count(201) == 1 and all(code in (400, 409) for code in codes if code != 201), codes
    assert Enterprise.objects.filter(credit_code=CREDIT_CODE).count() == 1
    lost = [answer.json()["error"] for answer in answers if answer.status_code == 409]
    assert all(error["code"] == "already_exists" for error in lost), lost


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_admin_adds_of_one_credit_code_make_one_enterprise_and_no_server_error():
    user = User.objects.create_superuser("racing-admin", password="pw-racing-admin-1")
    village = region_tree()["village"]
    form = {
        "name": "同时添加的企业",
        "credit_code": CREDIT_CODE,
        "region": village.pk,
        "size": "micro",
        "contact_name": "王先生",
        "contact_phone": "13800000000",
        # The audit history inline's management form, as the browser sends it.
        "programs-auditentry-content_type-object_id-TOTAL_FORMS": "0",
        "programs-auditentry-content_type-object_id-INITIAL_FORMS": "0",
    }

    def add():
        client = Client()
        client.force_login(user)
        return client.post("/admin/programs/enterprise/add/", form)

    answers = released_together([add] * 6)

    codes = _codes(answers)
    assert 500 not in codes and codes.count(302) == 1, codes
    assert Enterprise.objects.filter(credit_code=CREDIT_CODE).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_of_one_resident_for_one_position_make_one_registration():
    position = PositionFactory()
    user = organiser(region=position.workshop.village.parent)
    resident = ResidentFactory(village=position.workshop.village)
    body = {"resident": resident.pk, "position": position.pk}
    client = _api(user)

    answers = released_together([lambda: client().post("/api/v1/workshop-registrations/", body, format="json")] * TIMES)

    codes = _codes(answers)
    assert 500 not in codes and set(codes) <= {200, 201, 400, 409}, codes
    assert codes.count(201) == 1, codes
    assert Registration.objects.filter(resident=resident, position=position).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_income_records_of_one_month_keep_one_row():
    host = EnterpriseFactory()
    registration = RegistrationFactory(
        position=PositionFactory(workshop=WorkshopFactory(host_enterprise=host)), status="employed"
    )
    employment = Employment.objects.create(registration=registration, start_date=date(2025, 1, 1), wage=3000)
    client = _api(enterprise_user(host))

    def record(income):
        return lambda: client().post(
            f"/api/v1/workshop-employments/{employment.pk}/income/",
            {"month": "2025-06-01", "income": str(income)},
            format="json",
        )

    answers = released_together([record(3000 + i) for i in range(TIMES)])

    codes = _codes(answers)
    assert 500 not in codes and set(codes) <= {200, 409}, codes
    assert IncomeRecord.objects.filter(employment=employment, month=date(2025, 6, 1)).count() == 1


@pytest.mark.django_db
def test_only_a_unique_violation_counts_as_a_lost_race():
    """A foreign-key violation is a programming error: it must stay a server error, not become a 409."""
    enterprise = EnterpriseFactory()
    with pytest.raises(IntegrityError) as duplicate, transaction.atomic():
        EnterpriseFactory(credit_code=enterprise.credit_code)
    assert is_unique_violation(duplicate.value)

    with pytest.raises(IntegrityError) as dangling, transaction.atomic():
        Enterprise.objects.filter(pk=enterprise.pk).update(region_id=987654321)
        if connection.vendor == "postgresql":
            connection.check_constraints()
        else:  # SQLite checks deferred foreign keys only when asked
            connection.check_constraints(table_names=[Enterprise._meta.db_table])
    assert not is_unique_violation(dangling.value)
    assert not is_unique_violation(ValueError("UNIQUE constraint failed: nothing"))
