"""Issue 13, point 9, as the community sees it: someone registered on the public form with a villager's ID number
under another name; the registration waits "to verify". The grid worker finds it in the admin, checks who it is
and marks it verified: the record takes the name given and the registration goes on as submitted. On a phone
and on a desktop, in Chinese."""

import pytest
from django.conf import settings

from tests.browser.conftest import _page, screenshot, sign_in
from tests.workshops.factories import PositionFactory, ResidentFactory, grid_worker
from workshops import services
from workshops.models import Registration

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def screen(chromium, request, live_server):
    width, height = request.param
    yield from _page(chromium, request, live_server, {"width": width, "height": height})


def test_the_grid_worker_verifies_a_claim_to_verify_from_the_admin(screen, request):
    page, shot = screen, request.node.callspec.id
    position = PositionFactory(title="贻贝分拣")
    home = position.workshop.village
    person = ResidentFactory(name="汤忠", village=home, phone="13905801111")  # the record's old spelling
    claim = services.public_registration_submit(
        position=position,
        name="汤忠定",
        id_number=person.id_number,
        phone="13905802222",
        village=home,
        consent=True,
    )
    assert claim.status == Registration.Status.TO_VERIFY
    worker = grid_worker(region=home)

    sign_in(page, worker.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")
    page.goto("/admin/workshops/registration/?status__exact=to_verify")
    rows = page.inner_text("#result_list")
    assert claim.reference in rows and "待社区核实" in rows
    screenshot(page, f"claim-to-verify-{shot}")

    page.check(f"input[name=_selected_action][value='{claim.pk}']")
    page.select_option("select[name=action]", "action_verify")
    page.fill("input[name=reason]", "村委会电话核实为本人")
    page.locator("#changelist-form .actions [type=submit]").first.click()
    page.wait_for_load_state()
    assert "已核实 1 条。" in page.inner_text(".messagelist")
    screenshot(page, f"claim-verified-{shot}")

    claim.refresh_from_db()
    person.refresh_from_db()
    assert claim.status == Registration.Status.SUBMITTED
    assert person.name == "汤忠定" and person.phone == "13905802222"
