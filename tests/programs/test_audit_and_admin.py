import pytest

from programs.models import AuditEntry, Enterprise
from programs.services import TransitionError, audit_history, transition
from tests.factories import EnterpriseFactory, coordinator, officer, region_tree

pytestmark = pytest.mark.django_db
GRADE_MOVES = {"gray": ["green", "yellow"], "yellow": ["green"]}


def test_a_transition_saves_the_new_value_and_writes_one_audit_row():
    enterprise = EnterpriseFactory()
    actor = coordinator()
    transition(instance=enterprise, to="yellow", actor=actor, allowed=GRADE_MOVES, field="grade", reason="inspection 1")
    enterprise.refresh_from_db()
    assert enterprise.grade == "yellow"
    [entry] = audit_history(enterprise)
    assert (entry.old_value, entry.new_value, entry.actor, entry.reason) == ("gray", "yellow", actor, "inspection 1")


def test_an_illegal_transition_is_refused_and_changes_nothing():
    enterprise = EnterpriseFactory()
    with pytest.raises(TransitionError) as caught:
        transition(instance=enterprise, to="red", actor=None, allowed=GRADE_MOVES, field="grade")
    assert caught.value.code == "illegal_transition"
    enterprise.refresh_from_db()
    assert enterprise.grade == "gray"
    assert not AuditEntry.objects.exists()


def test_a_move_that_needs_a_reason_is_refused_without_one():
    enterprise = EnterpriseFactory()
    with pytest.raises(TransitionError):
        transition(
            instance=enterprise, to="green", actor=None, allowed=GRADE_MOVES, field="grade", reason_required=True
        )


def test_the_scheduler_is_named_as_the_actor_when_no_person_acted():
    enterprise = EnterpriseFactory()
    transition(instance=enterprise, to="green", actor=None, allowed=GRADE_MOVES, field="grade")
    assert audit_history(enterprise).get().actor_display == "scheduler"


def test_the_admin_enterprise_list_is_scoped_to_the_officers_region(client):
    near = EnterpriseFactory(region=region_tree("330212")["village"])
    far = EnterpriseFactory(region=region_tree("330902", "定海区")["village"])
    client.force_login(officer())
    response = client.get("/admin/programs/enterprise/")
    assert response.status_code == 200
    assert near.name in response.text
    assert far.name not in response.text


def test_the_admin_shows_an_enterprises_history_read_only(client):
    enterprise = EnterpriseFactory()
    actor = coordinator()
    transition(instance=enterprise, to="green", actor=actor, allowed=GRADE_MOVES, field="grade", reason="re-inspected")
    client.force_login(actor)
    response = client.get(f"/admin/programs/enterprise/{enterprise.pk}/change/")
    assert response.status_code == 200
    assert "re-inspected" in response.text
    assert client.get("/admin/programs/auditentry/").status_code == 200
    assert client.post(
        "/admin/programs/enterprise/", {"action": "delete_selected", "_selected_action": [enterprise.pk]}
    ).status_code in (200, 302)
    assert Enterprise.objects.filter(pk=enterprise.pk).exists()
