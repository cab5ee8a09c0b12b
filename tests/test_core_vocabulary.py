"""The vocabulary (fzanalysis.core.vocabulary): words are data in catalog_data/vocabulary.csv, read once,
following the catalog's data folder; a synonym added there is read without a code change."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.core.catalog import load_catalog
from fzanalysis.core.files import DATA_DIR
from fzanalysis.core.text import split_unit
from fzanalysis.ingest.clean import clean_workbook
from fzanalysis.core.errors import CatalogError
from fzanalysis.core.numbers import MISSING_MARKERS, parse_value
from fzanalysis.core.vocabulary import KINDS, default_vocabulary, load_vocabulary
from tests.xlsx_factory import YEAR, org_line, write_xlsx


def test_every_kind_has_words_and_each_word_a_description():
    vocab = default_vocabulary()
    assert set(vocab.words) == set(KINDS)
    with (DATA_DIR / "vocabulary.csv").open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["description"].strip() for r in rows)
    assert load_vocabulary() is vocab  # read once


def test_one_unit_list_for_labels_unit_cells_and_numbers():
    vocab = default_vocabulary()
    assert {"件", "万元", "人次", "%", "千克"} <= vocab.unit_words
    assert split_unit("运输量（千克）") == ("运输量", "千克")
    assert parse_value("12千克").unit == "千克"  # a unit word with a numeral in it
    assert split_unit("罚款（万 元）") == ("罚款", "万元")


def test_one_multiplier_table_for_cells_and_unit_hints():
    vocab = default_vocabulary()
    assert dict(vocab.multipliers) == {"万": 10_000.0, "亿": 100_000_000.0}
    assert vocab.hint_multipliers["万元"] == (10_000.0, "元")
    assert vocab.hint_multipliers["亿元"] == (100_000_000.0, "元")
    assert vocab.hint_multipliers["万件"] == (10_000.0, "件")
    assert vocab.hint_multipliers["万"] == (10_000.0, "")
    assert parse_value("566.2万元").value == 5_662_000.0


def test_missing_markers_come_from_the_file():
    assert MISSING_MARKERS is default_vocabulary().missing_markers
    assert {"", "—", "/", "无", "－", "／"} <= MISSING_MARKERS  # as written and NFKC


def test_numbers_imports_without_pandas():
    code = "import sys, fzanalysis.core.numbers as n; assert n.parse_value('3万').value == 30000; print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------------------ a catalog folder of one's own
def _copy(tmp_path: Path) -> Path:
    folder = tmp_path / "catalog"
    shutil.copytree(DATA_DIR, folder)
    return folder


def _add_words(folder: Path, rows: list[tuple[str, str, str, str]]) -> None:
    with (folder / "vocabulary.csv").open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def _synonym_workbooks(tmp_path: Path) -> tuple[Path, Path]:
    a = write_xlsx(tmp_path / "a.xlsx", {"S": [
        [org_line("重庆市大渡口区司法局")], ["指标名称", "单位", "本年实绩"],
        ["法律援助受理数", "件", 316], ["法律援助办结数", "件", "暂缺"], ["村（社区）法律援助联络点数", "个", 84]]})
    b = write_xlsx(tmp_path / "b.xlsx", {"S": [
        [org_line("重庆市大渡口区司法局")], ["所属片区", "法律援助受理数（件）"],
        ["一片区", 120], ["二片区", 196], ["合计", 316]]})
    return a, b


def test_synonyms_added_to_a_catalog_copy_are_read_without_code_change(tmp_path):
    a, b = _synonym_workbooks(tmp_path)
    default = load_catalog()
    res = clean_workbook(a, a.name, YEAR, default)
    assert res.rows == []  # 本年实绩 is not a value header yet: every value set aside
    assert clean_workbook(b, b.name, YEAR, default).rows == []  # 所属片区 is no area header yet

    folder = _copy(tmp_path)
    _add_words(folder, [("value_header", "本年实绩", "", "本年数值列"),
                        ("area_header", "所属片区", "", "片区列"),
                        ("missing_marker", "暂缺", "", "缺失")])
    custom = load_catalog(folder)
    assert "本年实绩" in custom.vocabulary.of("value_header")
    res = clean_workbook(a, a.name, YEAR, custom)
    rows = pd.DataFrame(res.rows)
    assert sorted(zip(rows["cell"], rows["code"], rows["value"])) == [
        ("C3", "legal_aid_accepted", 316.0), ("C5", "legal_aid_village_points", 84.0)]
    assert [(e.event, e.cell, e.code, e.outcome) for e in res.events if e.outcome] == [
        ("missing", "C4", "legal_aid_closed", "set_aside")]
    res = clean_workbook(b, b.name, YEAR, custom)
    rows = pd.DataFrame(res.rows)
    assert sorted(zip(rows["cell"], rows["area"], rows["value"])) == [
        ("B3", "一片区", 120.0), ("B4", "二片区", 196.0), ("B5", "", 316.0)]
    assert "暂缺" not in load_catalog().vocabulary.missing_markers  # the bundled words are untouched


def test_a_new_unit_word_and_multiplier_reach_labels_and_cells(tmp_path):
    folder = _copy(tmp_path)
    _add_words(folder, [("unit_word", "宗次", "", "单位"), ("multiplier", "千", "1000", "千")])
    vocab = load_catalog(folder).vocabulary
    assert split_unit("调处纠纷（宗次）", vocab) == ("调处纠纷", "宗次")
    assert split_unit("调处纠纷（宗次）") == ("调处纠纷(宗次)", "")
    assert parse_value("3千宗次", vocab).value == 3000.0
    assert vocab.hint_multipliers["千元"] == (1000.0, "元")


@pytest.mark.parametrize("row,phrase", [
    (("unit_words", "件", "", "typo in kind"), "未知的词类「unit_words」"),
    (("multiplier", "千", "many", "not a number"), "倍数「千」的 value 须为正数"),
    (("value_header", "", "", "empty word"), "value_header 的词为空"),
])
def test_a_broken_vocabulary_is_a_catalog_error(tmp_path, row, phrase):
    folder = _copy(tmp_path)
    _add_words(folder, [row])
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    assert info.value.file == "vocabulary.csv" and phrase in info.value.reason


def test_a_missing_vocabulary_file_is_a_catalog_error(tmp_path):
    folder = _copy(tmp_path)
    (folder / "vocabulary.csv").unlink()
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    assert info.value.file == "vocabulary.csv"
