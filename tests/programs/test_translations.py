"""The Chinese catalogues are complete, and the compiled .mo files say what the .po files say."""

import gettext
import json
import re

import pytest
from django.utils import translation
from django.utils.translation import gettext as translate
from django.utils.translation import pgettext

from tests.conftest import ROOT

CATALOGUES = [
    *sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")),
    ROOT / "locale/zh_Hans/LC_MESSAGES/django.po",
]


def entries(po_path):
    """(msgid, msgstr or plural msgstr[0], fuzzy, context or None) of every entry but the header."""
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
            context = re.search(r'^msgctxt (".*")$', block, re.M)
            yield text, translated, "#, fuzzy" in block, json.loads(context.group(1)) if context else None


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_has_a_chinese_translation(po_path):
    missing = [msgid for msgid, msgstr, fuzzy, _context in entries(po_path) if not msgstr or fuzzy]
    assert not missing, f"{len(missing)} untranslated or fuzzy: {missing[:10]}"


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_compiled_catalogue_matches_its_source(po_path):
    with open(po_path.with_suffix(".mo"), "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for msgid, msgstr, _fuzzy, context in entries(po_path)
        if msgstr
        not in (
            (compiled.pgettext(context, msgid),)
            if context
            else (compiled.gettext(msgid), compiled.ngettext(msgid, msgid, 1))
        )
    ]
    assert not stale, f"run `make messages`: {stale[:10]}"


def test_a_status_open_is_not_renamed_by_the_link_open_in_chinese():
    """The enterprise area's link "Open" (打开) carries a context, so a finding's or risk's status "Open" stays
    待整改 instead of being borrowed from it."""
    with translation.override("zh-hans"):
        assert (translate("Open"), pgettext("link", "Open")) == ("待整改", "打开")
