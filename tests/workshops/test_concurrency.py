"""The openings cap under real concurrency: transactions on PostgreSQL accepting at the same moment."""

from functools import partial

import pytest

from programs.services import TransitionError
from tests.conftest import failures, released_together
from workshops import services
from workshops.models import Position, Registration

from .factories import PositionFactory, RegistrationFactory, organiser


def race(registration_ids, actor):
    registrations = [Registration.objects.get(pk=pk) for pk in registration_ids]
    results = released_together(
        [partial(services.registration_accept, registration=r, actor=actor) for r in registrations]
    )
    assert not failures(results, expected=(TransitionError,)), results
    accepted = [pk for pk, result in zip(registration_ids, results, strict=True) if isinstance(result, Registration)]
    refused = [pk for pk, result in zip(registration_ids, results, strict=True) if isinstance(result, TransitionError)]
    return accepted, refused


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_accepted_at_the_same_moment_for_the_last_place_get_it_once():
    boss = organiser()
    for _round in range(5):
        position = PositionFactory(openings=1)
        ids = [RegistrationFactory(position=position, status="home_visit").pk for _ in range(2)]
        accepted, refused = race(ids, boss)
        assert len(accepted) == 1 and len(refused) == 1
        position.refresh_from_db()
        assert position.accepted_count == 1
        assert Registration.objects.filter(position=position, status="accepted").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_eight_acceptances_at_once_fill_three_openings_and_no_more():
    boss = organiser()
    position = PositionFactory(openings=3)
    ids = [RegistrationFactory(position=position, status="home_visit").pk for _ in range(8)]
    accepted, refused = race(ids, boss)
    assert (len(accepted), len(refused)) == (3, 5)
    position = Position.objects.get(pk=position.pk)
    assert position.accepted_count == 3
    assert set(Registration.objects.filter(status="accepted").values_list("pk", flat=True)) == set(accepted)
    assert Registration.objects.filter(status="home_visit").count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_expiry_sweeps_at_the_same_moment_expire_and_audit_each_registration_once():
    from datetime import timedelta

    from django.utils import timezone

    from programs.models import AuditEntry, Notification

    position = PositionFactory()
    old = timezone.now() - timedelta(days=90)
    RegistrationFactory.create_batch(1100, position=position, status_changed_at=old)
    counts = released_together([services.registrations_expire] * 2)
    assert not failures(counts), counts
    assert sum(counts) == 1100
    assert Registration.objects.filter(status="expired").count() == 1100
    assert AuditEntry.objects.filter(new_value="expired").count() == 1100
    assert Notification.objects.filter(dedupe_key__endswith=":expired").count() == 1100


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_of_the_public_form_at_the_same_moment_saves_one_resident_and_one_registration():
    from workshops.models import Resident

    from .factories import id_number

    position = PositionFactory()
    number = id_number()

    def submit():
        resident = services.resident_for_public_registration(
            name="汤忠定", id_number=number, phone="13905801234", village=position.workshop.village
        )
        registration, _created = services.registration_submit(
            resident=resident, position=position, channel="self", actor=None, consent=True
        )
        return registration.pk

    answers = released_together([submit] * 3)
    assert not failures(answers), answers
    assert len(set(answers)) == 1 and len(answers) == 3
    assert Resident.objects.count() == 1 and Registration.objects.count() == 1
