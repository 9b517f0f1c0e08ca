"""An import is refused with a clear error on its file, quickly, however the file tries to make the server read
it all (issue 13, point 11): a million-row sheet of a few kilobytes, a zip bomb, a CSV past the row limit,
text that is not UTF-8, a file that is not a workbook."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from programs import imports
from programs.models import ImportJob
from tests.factories import coordinator

pytestmark = pytest.mark.django_db
HEADER = ["企业名称", "统一社会信用代码", "区划代码"]
SHEET = "xl/worksheets/sheet1.xml"


def workbook_with_sheet(rows: int, cell: bytes = b"<c><v>1</v></c>") -> bytes:
    """A real workbook whose first sheet is replaced by a header and ``rows`` rows written straight into the
    zip: a million rows of one cell compress to a few kilobytes."""
    book = Workbook()
    book.active.append(HEADER)
    plain = io.BytesIO()
    book.save(plain)
    source = zipfile.ZipFile(plain)
    crafted = io.BytesIO()
    with zipfile.ZipFile(crafted, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for item in source.infolist():
            if item.filename != SHEET:
                archive.writestr(item, source.read(item))
        with archive.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                b'<row r="1">' + b"".join(f'<c t="inlineStr"><is><t>{h}</t></is></c>'.encode() for h in HEADER)
            )
            sheet.write(b"</row>")
            block = b"<row>" + cell + b"</row>"
            for _ in range(rows // 10_000):
                sheet.write(block * 10_000)
            sheet.write(block * (rows % 10_000))
            sheet.write(b"</sheetData></worksheet>")
    return crafted.getvalue()


def upload(content: bytes, name: str = "enterprises.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def file_error(content: bytes, name: str = "enterprises.xlsx") -> str:
    with pytest.raises(ValidationError) as refused:
        imports.import_job_create(kind="enterprises", uploaded=upload(content, name), actor=coordinator())
    assert list(refused.value.message_dict) == ["file"]
    assert not ImportJob.objects.exists()
    return " ".join(refused.value.message_dict["file"])


def test_a_tiny_million_row_workbook_is_refused_at_the_row_limit():
    content = workbook_with_sheet(1_000_000)
    assert len(content) < 200_000  # what the probe sent: a small upload that unpacks to a huge sheet
    assert str(imports.MAX_ROWS) in file_error(content)


def test_the_row_limit_holds_while_openpyxl_reads_too(monkeypatch):
    monkeypatch.setattr(imports, "_refuse_oversized_xlsx", lambda uploaded: None)  # only the reader's own stop
    monkeypatch.setattr(imports, "MAX_ROWS", 50)
    assert "50" in file_error(workbook_with_sheet(51, cell=b"<c><v>7</v></c>"))


def test_a_workbook_just_inside_the_limit_is_read(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 50)
    job = imports.import_job_create(
        kind="enterprises", uploaded=upload(workbook_with_sheet(50)), actor=coordinator()
    )
    assert job.total_rows == 50  # read, and then each row's errors reported as usual


def test_a_zip_bomb_is_refused_by_its_unpacked_size_before_it_is_parsed(settings):
    settings.IMPORT_MAX_XLSX_BYTES = 1024 * 1024
    padding = b"<c><is><t>" + b"A" * 10_000 + b"</t></is></c>"
    assert "MB" in file_error(workbook_with_sheet(200, cell=padding))


def test_a_csv_past_the_row_limit_is_refused_without_reading_it_to_the_end(monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 100)
    lines = ",".join(HEADER) + "\n" + "甲,91330200MA2AAAAAA1,330212001001\n" * 1_000_000
    read = []

    class Counting(io.BytesIO):
        def read(self, size=-1):
            chunk = super().read(size)
            read.append(len(chunk))
            return chunk

    uploaded = SimpleUploadedFile("enterprises.csv", b"")
    uploaded.file = Counting(lines.encode())
    with pytest.raises(ValidationError) as refused:
        imports.import_job_create(kind="enterprises", uploaded=uploaded, actor=coordinator())
    assert "100" in " ".join(refused.value.message_dict["file"])
    assert sum(read) < len(lines.encode()) // 10


def test_a_csv_that_is_not_utf8_asks_for_utf8():
    content = (",".join(HEADER) + "\n宁波甲公司,91330200MA2AAAAAA1,330212001001\n").encode("gbk")
    assert "UTF-8" in file_error(content, "enterprises.csv")


def test_a_file_named_xlsx_that_is_not_a_workbook_is_a_file_error():
    assert file_error(b"this is not a zip file at all")
    assert file_error(b"PK\x03\x04 truncated zip")
