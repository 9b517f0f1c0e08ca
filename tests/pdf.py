"""Reading the PDFs the product issues, with Debian's poppler-utils (installed by .ci/run): their text as a
reader's PDF viewer extracts it, and the fonts embedded in them."""

import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest


def _poppler(tool: str, pdf: bytes, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is missing: apt-get install poppler-utils (see .ci/run)", pytrace=False)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "document.pdf"
        path.write_bytes(pdf)
        return subprocess.run([tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
                              check=True, capture_output=True, text=True, timeout=60).stdout


def pdf_text(pdf: bytes) -> str:
    """The text of every page with all whitespace taken out: Chinese has no spaces, and a wrapped line or a table
    cell must not split a phrase; assert on phrases written without spaces."""
    return "".join(_poppler("pdftotext", pdf, "-enc", "UTF-8").split())


def pdf_fonts(pdf: bytes) -> str:
    """``pdffonts``' table: the names of the embedded fonts."""
    return _poppler("pdffonts", pdf)
