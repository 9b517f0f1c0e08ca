"""An organiser and a grid worker in a browser, in Chinese, on a phone and on a desktop: add a resident of
their own village through the picker (typing part of the name, the place path shown), register and recommend
them for a position, and be told clearly when the registration already exists."""

import pytest
from django.conf import settings

from tests.browser.conftest import _page, screenshot, sign_in
from tests.workshops.factories import PositionFactory, WorkshopFactory, grid_worker, id_number, organiser, village
from workshops.models import Registration, Resident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=[(390, 844), (1366, 900)], ids=["phone", "desktop"])
def screen(chromium, request, live_server):
    width, height = request.param
    yield from _page(chromium, request, live_server, {"width": width, "height": height})


def pick(page, field: str, term: str, choice: str) -> list[str]:
    """Open an autocomplete picker, type part of a name, choose ``choice``; returns the options offered."""
    page.click(f"#id_{field} + .select2 .select2-selection")
    page.fill(".select2-container--open .select2-search__field", term)
    # Select2 asks as one types: wait for the answer to this term (every option then holds it).
    page.wait_for_function(
        """term => {
            const options = [...document.querySelectorAll(".select2-results__option")];
            return options.length > 0 && options.every(o => !o.classList.contains("loading-results")
                && o.textContent.includes(term));
        }""",
        arg=term,
    )
    options = page.locator(".select2-results__option", has_text=choice)
    offered = page.locator(".select2-results__option").all_inner_texts()
    options.first.click()
    return offered


@pytest.mark.parametrize("role", ["organiser", "grid_worker"])
def test_a_field_worker_adds_a_resident_of_their_village_and_recommends_a_registration(screen, request, role):
    page, shot = screen, request.node.callspec.id
    home = village("330921", town=1, number=7, name="东海村")
    village("330921", town=2, number=7, name="东海村")  # a namesake in the next town
    village("330902", town=1, number=7, name="东海村")  # and one in another county
    position = PositionFactory(workshop=WorkshopFactory(village=home, name="东海村贻贝工坊"), title="贻贝分拣")
    user = organiser() if role == "organiser" else grid_worker(region=home.parent)
    sign_in(page, user.username, settings.DEMO_PASSWORD)
    page.wait_for_url("**/admin/")

    page.goto("/admin/workshops/resident/add/")
    page.fill("input[name=name]", "王秀英")
    page.fill("input[name=id_number]", id_number("19680412"))
    page.fill("input[name=phone]", "13700000021")
    path = f"{home.parent.parent.name} {home.parent.name} 东海村"  # county, town, village
    offered = pick(page, "village", "东海", path)
    assert path in offered
    assert all("330902" not in text and "县330902" not in text for text in offered)  # only the user's own area
    if role == "grid_worker":
        assert offered == [path]
    screenshot(page, f"picker-{shot}")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/workshops/resident/")
    resident = Resident.objects.get(name="王秀英")
    assert resident.village == home

    page.goto("/admin/workshops/registration/add/")
    pick(page, "resident", "王秀", "王秀英")
    pick(page, "position", "贻贝", "贻贝分拣")
    page.fill("input[name=baseline_monthly_income]", "1800")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/workshops/registration/")
    registration = Registration.objects.get(resident=resident, position=position)
    assert registration.reference in page.inner_text("#result_list")

    page.check(f"input[name=_selected_action][value='{registration.pk}']")
    page.select_option("select[name=action]", "action_recommend")
    page.fill("input[name=reason]", "社区走访后推荐")
    page.locator("#changelist-form .actions [type=submit]").first.click()
    page.wait_for_load_state()
    registration.refresh_from_db()
    assert registration.status == Registration.Status.RECOMMENDED
    screenshot(page, f"recommended-{shot}")

    # The same registration again: refused on the form, with the one on record named and linked.
    page.goto("/admin/workshops/registration/add/")
    pick(page, "resident", "王秀", "王秀英")
    pick(page, "position", "贻贝", "贻贝分拣")
    page.click("input[name=_save]")
    page.wait_for_load_state()
    error = page.locator(".errornote, ul.errorlist.nonfield").last.inner_text()
    assert registration.reference in page.inner_text("ul.errorlist.nonfield") and "未新增报名" in error
    assert "成功" not in page.inner_text("#content")
    assert Registration.objects.filter(resident=resident, position=position).count() == 1
    screenshot(page, f"duplicate-{shot}")
