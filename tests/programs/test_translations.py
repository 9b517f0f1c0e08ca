"""The Chinese catalogues are complete, and the compiled .mo files say what the .po files say."""

import gettext
import json
import re

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import floatformat
from django.utils import translation
from django.utils.translation import gettext as translate
from django.utils.translation import pgettext

from guidance.models import Booking, Theme
from inspections.models import Inspection, InspectionItem, PlanEntry
from programs.models import AuditEntry
from tests.conftest import ROOT
from workshops.models import Registration, Resident, Workshop

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


JS_CATALOGUES = sorted(ROOT.glob("locale/zh_Hans/LC_MESSAGES/djangojs.po"))


@pytest.mark.parametrize("po_path", JS_CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_javascript_catalogue_is_complete_and_compiled(po_path):
    test_every_message_has_a_chinese_translation(po_path)
    test_the_compiled_catalogue_matches_its_source(po_path)


def test_our_fields_keep_their_own_words_whatever_another_catalogue_says():
    """One app's word is never another's: each ambiguous label carries its context (STYLE.md 15)."""

    def label(model, name):
        return str(model._meta.get_field(name).verbose_name)

    with translation.override("zh-hans"):
        assert label(Resident, "name") == "姓名"  # not django-celery-beat's 任务名, nor a thing's 名称
        assert label(Registration, "position") == "岗位"  # not the guidance themes' 排序
        assert label(Registration, "reference") == "报名编号"  # not a guidance booking's 预约编号
        assert label(Theme, "position") == "排序"
        assert label(Booking, "reference") == "预约编号"
        assert label(AuditEntry, "field") == "字段"  # not an enforcement field's 领域
        assert label(InspectionItem, "field") == "领域"
        assert str(Workshop.Status.PLANNED.label) == "筹建中"  # not an inspection's 已统筹
        assert str(Inspection.Status.PLANNED.label) == "已统筹"
        assert str(Registration.Status.SUBMITTED.label) == "已报名"  # not a plan entry's 已报送
        assert str(PlanEntry.Status.SUBMITTED.label) == "已报送"


@pytest.mark.django_db
def test_the_admins_javascript_widgets_read_in_chinese(client, django_user_model):
    """filter_horizontal's buttons: strings Django's own zh_Hans catalogue lacks come from ours."""
    client.force_login(django_user_model.objects.create_superuser("js-reader", "js@example.cn", "x"))
    catalogue = client.get("/admin/jsi18n/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    for msgid in ("Choose all %s", "Remove all %s", "Choose selected %s", "Remove selected %s"):
        assert f'"{msgid}": "' in catalogue, msgid
    assert '"Choose all %s": "\\u5168\\u9009%s"' in catalogue  # 全选%s


def test_numbers_are_grouped_by_thousands_with_commas_in_chinese():
    with translation.override("zh-hans"):
        assert (intcomma(1540000), floatformat("1540000", "2g")) == ("1,540,000", "1,540,000.00")
