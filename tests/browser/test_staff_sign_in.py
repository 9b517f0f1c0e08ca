import pytest
from django.conf import settings

from programs.models import User
from tests.browser.conftest import sign_in
from tests.factories import UserFactory, officer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("role", [User.Role.COORDINATOR, User.Role.ORGANISER, User.Role.GRID_WORKER, "officer"])
def test_each_staff_role_signs_in_and_lands_on_the_dashboard(page, role):
    user = officer() if role == "officer" else UserFactory(role=role)
    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    assert page.locator("#dashboard").is_visible()


def test_a_resident_signs_in_and_lands_on_the_positions_near_home(page):
    from tests.workshops.factories import ResidentFactory, resident_user

    user = resident_user(ResidentFactory())
    sign_in(page, user.username, settings.DEMO_PASSWORD, path="/accounts/login/")
    page.wait_for_url("**/workshops/")
    assert page.locator("main").is_visible()
