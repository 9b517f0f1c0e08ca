"""The residents' Excel export (the admin action): streamed (openpyxl write-only, residents read ``CHUNK`` at a
time) with every masking rule of ``workshops.privacy``: the ID number always masked, the phone and the two
statuses by ``can_see_sensitive``, every cell neutralised. A selection past ``EXPORT_SYNC_ROWS`` gets no file but
the way to the list's own export, which runs as a job."""

import io
import tracemalloc
from datetime import date
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.utils import translation
from openpyxl import load_workbook

from programs import exports
from programs.models import ExportJob
from programs.validators import mask_id_number, mask_phone
from workshops.models import Category, Resident

from .factories import ResidentFactory, id_number, organiser, village

pytestmark = pytest.mark.django_db

LIST = "/admin/workshops/resident/"
HEADER = [
    "name",
    "ID number",
    "phone",
    "village / community",
    "disabled person",
    "low-income household",
    "wishes to work",
    "wished categories",
    "surveyed on",
]


@pytest.fixture
def residents():
    first = village(town=1, number=1, name="东沙村")
    second = village(town=1, number=2, name="=HYPERLINK(1)")  # a village name is typed by someone too
    return [
        ResidentFactory(
            name="汤忠定",
            village=first,
            phone="13905801234",
            has_disability=True,
            is_low_income=False,
            wished_categories=[Category.HANDICRAFT, Category.SERVICES],
            surveyed_on=date(2025, 3, 4),
        ),
        ResidentFactory(name="-2+3", village=first, phone="", is_low_income=True, wants_work=False),
        ResidentFactory(name="@SUM(A1)", village=second, phone="13600001111"),
        ResidentFactory(name="林阿大", village=second, phone="13700002222", wished_categories=["gone"]),
    ]


def _workbook(client, query="", **data):
    response = client.post(f"{LIST}?{query}", {"action": "export_xlsx", **data})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Disposition"] == 'attachment; filename="residents.xlsx"'
    return load_workbook(io.BytesIO(response.content))


def _expected(resident, sees):
    """The row as the in-memory export wrote it (an empty cell reads back as None)."""
    with translation.override("zh-hans"):
        yes, no = str(translation.gettext("yes")), str(translation.gettext("no"))
        labels = {key: str(label) for key, label in Category.choices}
    cells = [
        resident.name,
        mask_id_number(resident.id_number),
        resident.phone if sees else mask_phone(resident.phone),
        resident.village.name,
        (yes if resident.has_disability else no) if sees else "",
        (yes if resident.is_low_income else no) if sees else "",
        yes if resident.wants_work else no,
        "、".join(labels.get(c, c) for c in resident.wished_categories),
        resident.surveyed_on.isoformat() if resident.surveyed_on else "",
    ]
    return tuple(None if cell == "" else exports.neutralise(cell) for cell in cells)


@pytest.mark.parametrize("who", ["organiser", "superuser"])
def test_the_streamed_workbook_has_the_masked_cells_of_the_export(client, residents, monkeypatch, who):
    monkeypatch.setattr(exports, "CHUNK", 3)  # four residents: two chunks
    if who == "organiser":
        user, sees = organiser(), True
    else:
        user, sees = get_user_model().objects.create_superuser("root", "root@example.cn", "x"), False
    client.force_login(user)
    sheet = _workbook(client, _selected_action=[r.pk for r in residents]).active
    header, *rows = sheet.iter_rows(values_only=True)
    with translation.override("zh-hans"):
        assert sheet.title == translation.gettext("residents")
        assert header == tuple(translation.gettext(label) for label in HEADER)
    assert sorted(rows, key=repr) == sorted((_expected(r, sees) for r in residents), key=repr)
    cells = {cell for row in rows for cell in row}
    assert {"'-2+3", "'@SUM(A1)", "'=HYPERLINK(1)"} <= cells  # text a stranger typed stays text
    for resident in residents:
        assert all(resident.id_number not in str(cell) for cell in cells)
        if not sees and resident.phone:
            assert all(resident.phone not in str(cell) for cell in cells)


def _residents(count, place):
    Resident.objects.bulk_create(
        Resident(name=f"村民{n}", id_number=id_number(), phone=f"139{n:08d}", village=place) for n in range(count)
    )


def _peak_of_export(client):
    some = Resident.objects.values_list("pk", flat=True)[:1]  # "select all": as many ids as a form may post
    tracemalloc.start()
    try:
        response = client.post(LIST, {"action": "export_xlsx", "select_across": "1", "_selected_action": list(some)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(list(load_workbook(io.BytesIO(response.content)).active.iter_rows())) == Resident.objects.count() + 1
    return peak


def test_the_memory_of_the_export_does_not_grow_with_its_rows(client, monkeypatch):
    """Read in chunks and written by the write-only workbook: 1,500 residents more cost little more than the
    first 500 (the in-memory workbook and the evaluated queryset held 7 MB more)."""
    monkeypatch.setattr(exports, "CHUNK", 100)
    place = village(town=1, number=1)
    client.force_login(organiser())
    _residents(500, place)
    small = _peak_of_export(client)
    _residents(1500, place)
    large = _peak_of_export(client)
    assert large - small < 2 * 1024 * 1024, f"{(large - small) / 1024 / 1024:.1f} MB more for 1,500 rows more"


def test_a_selection_past_the_sync_limit_gets_the_way_to_the_list_s_export_job(client, residents, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 2)
    user = organiser()
    client.force_login(user)
    response = client.post(
        f"{LIST}?wants_work__exact=1",
        {"action": "export_xlsx", "select_across": "1", "_selected_action": [residents[0].pk]},
    )
    assert response.status_code == 302 and response["Location"] == f"{LIST}?wants_work__exact=1"
    [message] = get_messages(response.wsgi_request)
    link = f'href="{LIST}?wants_work__exact=1&amp;_export=xlsx"'
    assert "超过 2 人" in str(message) and link in str(message)
    page = client.get(response["Location"])
    assert link in page.text  # the link is shown as a link, not as escaped text
    job_page = client.get(f"{LIST}?wants_work__exact=1&_export=xlsx")
    job = ExportJob.objects.get()
    assert urlsplit(job_page["Location"]).path == f"/admin/exports/{job.pk}/"
    assert (job.created_by, job.query, job.format) == (user, "wants_work__exact=1", "xlsx")


def test_a_selection_within_the_limit_is_written_at_once(client, residents, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_SYNC_ROWS", 4)
    client.force_login(organiser())
    rows = list(_workbook(client, _selected_action=[r.pk for r in residents]).active.iter_rows(values_only=True))
    assert len(rows) == 5 and not ExportJob.objects.exists()
