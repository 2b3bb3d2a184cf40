"""The student's language (ssd_core.i18n): Chinese by default, English as written, and a third
language by adding a catalog and a notebook edition, without touching Python.

The third language here is a tiny Esperanto catalog of two messages that the test writes into a
folder of its own (``$SSD_COURSE_LOCALE_DIR``) and a lessons folder with one notebook: the
course finds both, speaks Esperanto where the catalog has words and English elsewhere.
"""

from __future__ import annotations

import json
import re

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from ssd_core import fonts, html, i18n
from tools import catalog as cat

CJK = re.compile(r"[\u3400-\u9fff]")
EDITION = ("the name of this language's edition of the course", "English edition")


@pytest.fixture
def esperanto(tmp_path, monkeypatch):
    po = tmp_path / "locale" / "eo" / "LC_MESSAGES" / "ssd_course.po"
    po.parent.mkdir(parents=True)
    catalog = Catalog(locale="eo", domain="ssd_course")
    catalog.add("default box", "defaŭlta kadro")
    catalog.add(EDITION[1], "Esperanta eldono", context=EDITION[0])
    with open(po, "wb") as f:
        write_po(f, catalog)
    lessons = tmp_path / "lessons"
    for edition in ("zh", "en", "eo"):
        (lessons / edition).mkdir(parents=True)
        cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                "source": f'import ssd_core as ssd\nssd.set_language("{edition}")\n'}
        (lessons / edition / "01_lesson.ipynb").write_text(json.dumps(
            {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))
    monkeypatch.setenv(i18n.LOCALE_DIR_ENV, str(tmp_path / "locale"))
    monkeypatch.setattr(i18n, "_chosen", None)
    return po, lessons


def test_chinese_by_default_english_as_written(monkeypatch):
    monkeypatch.setattr(i18n, "_chosen", None)
    monkeypatch.delenv(i18n.LANG_ENV, raising=False)
    assert i18n.language() == "zh"
    assert i18n._("default box") == "默认框"
    with i18n.using_language("en"):
        assert i18n._("default box") == "default box"
        assert i18n.language() == "en"
    assert i18n.language() == "zh"
    monkeypatch.setenv(i18n.LANG_ENV, "en")
    assert i18n._("default box") == "default box"
    for name in ("zh_CN", "zh-CN", "zh-Hans", "Chinese"):
        assert i18n.set_language(name) == "zh"


def test_an_unknown_language_says_which_exist():
    with pytest.raises(ValueError, match=r"no catalog for language 'xx'.*zh, en"):
        i18n.set_language("xx")


def test_a_third_language_is_a_catalog_and_a_notebook_edition(esperanto):
    po, lessons = esperanto
    assert i18n.languages() == ("zh", "en", "eo")
    assert i18n.set_language("eo") == "eo"
    assert i18n._("default box") == "defaŭlta kadro"
    assert fonts.fig("default box") == "defaŭlta kadro"
    # what the catalog lacks is shown as written
    assert i18n._("hard negative mining") == "hard negative mining"
    # the static site finds the edition and titles it in its own language
    assert html.available_editions(lessons) == ["zh", "en", "eo"]
    assert [html.edition_title(e) for e in ("zh", "en", "eo")] == [
        "简体中文版", "English edition", "Esperanta eldono"]
    # and the catalog checks hold it to the same standard as the Chinese one
    problems = cat.check(po, language="eo")
    assert len([p for p in problems if "not in the catalog" in p.what]) > 500
    assert not [p for p in problems if p.msgid == "default box" and p.context is None
                and "not in the catalog" in p.what]


def test_a_figure_falls_back_to_english_without_a_cjk_font(monkeypatch):
    monkeypatch.setattr(i18n, "_chosen", "zh")
    monkeypatch.setattr(fonts, "use_cjk_font", lambda: None)
    monkeypatch.setattr(fonts, "_warned", False)
    with pytest.warns(UserWarning, match="没有找到能显示中文的字体"):
        assert fonts.fig("default box") == "default box"
    monkeypatch.setattr(fonts, "use_cjk_font", lambda: "Noto Sans CJK SC")
    assert fonts.fig("default box") == "默认框"
