"""The Chinese catalogues are complete, and the compiled .mo files say what the .po files say."""

import gettext
import json
import re

import pytest

from tests.conftest import ROOT

CATALOGUES = [
    *sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")),
    ROOT / "locale/zh_Hans/LC_MESSAGES/django.po",
]


def entries(po_path):
    """(msgid, msgstr or plural msgstr[0], fuzzy) of every entry but the header."""
    for block in po_path.read_text().split("\n\n"):
        if "#~ " in block:
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if not msgid or not msgstr:
            continue
        text = "".join(json.loads(line) for line in msgid.group(1).split("\n") if line)
        if text:
            translated = "".join(json.loads(line) for line in msgstr.group(1).split("\n") if line)
            yield text, translated, "#, fuzzy" in block


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_has_a_chinese_translation(po_path):
    missing = [msgid for msgid, msgstr, fuzzy in entries(po_path) if not msgstr or fuzzy]
    assert not missing, f"{len(missing)} untranslated or fuzzy: {missing[:10]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalogue_matches_its_source(po_path):
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, msgstr, _fuzzy in entries(po_path)
        if msgstr not in (compiled.gettext(msgid), compiled.ngettext(msgid, msgid, 1))
    ]
    assert not stale, f"run `make messages`: {stale[:10]}"
