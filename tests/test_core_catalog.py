"""Tests of fzanalysis.core.catalog: the indicator / org catalogs and label matching."""
from __future__ import annotations

import math
import shutil
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.core.catalog import SECTIONS, Catalog, load_catalog
from fzanalysis.core.files import DATA_DIR
from fzanalysis.core.errors import CatalogError
from fzanalysis.core.text import normalise_label

SEED = pd.read_csv(Path(__file__).parent / "data" / "figures_2023.csv", dtype=str, keep_default_na=False)
SEED_SECTIONS = {"一(一)": "s1", "一(二)": "s2", "一(三)": "s3", "一(四)": "s4", "一(五)": "s5", "一(六)": "s6"}
TOWNS = ["新山村街道", "跃进村街道", "九宫庙街道", "茄子溪街道", "春晖路街道", "八桥镇", "建胜镇", "跳磴镇"]


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def _ind(cat: Catalog) -> pd.DataFrame:
    return cat.indicators.set_index("code")


# ------------------------------------------------------------------------------ the seed figures
def test_every_seed_figure_is_in_the_catalog_with_its_org_unit_and_name(cat):
    ind = _ind(cat)
    assert len(SEED) == 109
    problems = []
    for fig in SEED.itertuples():
        if fig.code not in ind.index:
            problems.append((fig.id, fig.code, "missing"))
            continue
        row = ind.loc[fig.code]
        names = {row["name"], *[a for a in row["aliases"].split("|") if a]}
        if row["org"] != fig.org:
            problems.append((fig.id, fig.code, "org", row["org"], fig.org))
        if row["unit"] != fig.unit:
            problems.append((fig.id, fig.code, "unit", row["unit"], fig.unit))
        if fig.indicator not in names:
            problems.append((fig.id, fig.code, "name", fig.indicator))
    assert problems == []


def test_section_follows_the_seed_section_column(cat):
    assert set(SEED["section"]) == set(SEED_SECTIONS)
    ind = _ind(cat)
    wrong = [(f.code, ind.loc[f.code, "section"], f.section) for f in SEED.itertuples()
             if ind.loc[f.code, "section"] != SEED_SECTIONS[f.section]]
    assert wrong == []
    assert set(cat.indicators["section"]) <= set(SECTIONS)


def test_rates_published_at_100_have_target_100(cat):
    ind = _ind(cat)
    at_100 = SEED[(SEED["kind"] == "rate") & (SEED["value"].astype(float) == 100)]
    assert len(at_100) >= 15  # 报备率, 出庭应诉率, 复议办结率 …
    assert {c: ind.loc[c, "target"] for c in at_100["code"] if ind.loc[c, "target"] != 100} == {}
    # a rate the report gives below 100 (调解成功率 99%) is not turned into a 100 target by accident
    assert "mediation_success_rate" not in set(at_100["code"])


def test_derived_formulas_reference_known_codes(cat):
    known = set(cat.indicators["code"])
    assert len(cat.derived) >= 1
    for row in cat.derived.itertuples():
        codes = Catalog.formula_codes(row.numerator) + Catalog.formula_codes(row.denominator)
        assert codes and set(codes) <= known, row.code
        assert row.section in SECTIONS
        if row.reported_code:
            assert row.reported_code in known
    recon = cat.derived.set_index("code").loc["recon_closure_rate_computed"]
    assert Catalog.formula_codes(recon["numerator"]) == ["recon_concluded"]
    assert Catalog.formula_codes(recon["denominator"]) == ["recon_accepted", "recon_carried_over"]
    assert recon["target"] == 100 and recon["reported_code"] == "recon_closure_rate"


def test_formula_codes_splits_on_plus_and_ignores_blanks():
    assert Catalog.formula_codes(" a + b_2 +") == ["a", "b_2"]
    assert Catalog.formula_codes("") == []


# ------------------------------------------------------------------------------ orgs
@pytest.mark.parametrize("text,org", [
    ("重庆市大渡口区市场监督管理局", "区市场监管局"),
    ("填报单位：重庆市大渡口区市场监督管理局（盖章）　填报日期：2024年1月15日", "区市场监管局"),
    ("重庆市大渡口区发展和改革委员会", "区发展改革委"),
    ("大渡口区人民政府", "区政府"),
    ("大渡口区人民政府办公室", "区政府办公室"),  # longest alias wins over 大渡口区人民政府
    ("重庆市大渡口区人民政府办公室2023年法治政府建设统计表", "区政府办公室"),
    ("大渡口区八桥镇人民政府", "八桥镇"),
    ("新山村街道办事处", "新山村街道"),
])
def test_resolve_org_official_names(cat, text, org):
    assert cat.resolve_org(text) == org


def test_resolve_org_unknown_and_empty(cat):
    assert cat.resolve_org("某某公司") is None
    assert cat.resolve_org("") is None
    assert cat.resolve_area("区司法局") is None  # a department is not an area


def test_the_eight_towns(cat):
    assert sorted(cat.towns()) == sorted(TOWNS)
    for town in TOWNS:
        assert cat.org_kind(town) == "镇街"
        assert cat.resolve_org(town) == town
        assert cat.resolve_area(town) == town
    assert cat.resolve_area("大渡口区跳磴镇人民政府") == "跳磴镇"
    assert cat.org_kind("区政府") == "区政府" and cat.org_kind("区司法局") == "部门"
    assert cat.org_kind("不存在的单位") == ""
    assert set(TOWNS) <= set(cat.expected_orgs())


# ------------------------------------------------------------------------------ labels
def test_normalise_label_matches_every_catalog_name_to_itself(cat):
    for row in cat.indicators.itertuples():
        key = normalise_label(row.name)
        assert key and normalise_label(key) == key, row.code


# ------------------------------------------------------------------------------ indicators
def test_resolve_indicator_by_reporting_unit_first(cat):
    assert cat.resolve_indicator("行政处罚案件数", "区市场监管局").code == "market_penalty_cases"
    assert cat.resolve_indicator("行政处罚案件数", "区生态环境局").code == "eco_penalty_cases"
    assert cat.resolve_indicator("二、行政处罚案件（件）", "区生态环境局").code == "eco_penalty_cases"
    res = cat.resolve_indicator("行政处罚案件数", "区司法局")
    assert res.code is None
    assert "market_penalty_cases" in res.reason and "eco_penalty_cases" in res.reason
    assert cat.resolve_indicator("行政处罚案件数").code is None


def test_resolve_indicator_by_name_alone_when_unique(cat):
    # the catalog's org is the usual reporter, not a filter
    assert cat.resolve_indicator("法律援助受理数", "区市场监管局").code == "legal_aid_accepted"
    assert cat.resolve_indicator("法律援助受理数").code == "legal_aid_accepted"
    assert cat.resolve_indicator("法律援助受理").code == "legal_aid_accepted"  # 数 added
    assert cat.resolve_indicator("（六）行政复议受理数（件）", "区司法局").code == "recon_accepted"
    assert cat.resolve_indicator("川渝通办事项办理量").code == "chuanyu_tongban_handled"  # alias


def test_resolve_indicator_unknown_and_empty(cat):
    res = cat.resolve_indicator("本单位食堂就餐人次", "区司法局")
    assert res.code is None and "不在目录" in res.reason
    res = cat.resolve_indicator("（一）", "区司法局")
    assert res.code is None and res.reason == "空指标名称"


def test_indicator_lookups(cat):
    row = cat.indicator("recon_accepted")
    assert row["org"] == "区司法局" and row["section"] == "s6"
    assert cat.indicator_record("recon_accepted")["name"] == row["name"]
    with pytest.raises(KeyError):
        cat.indicator("no_such_code")
    table = cat.table()
    assert len(table) == len(cat.indicators)
    assert table["section"].is_monotonic_increasing


# ------------------------------------------------------------------------------ analyst-edited catalogs
def _copy_catalog(tmp_path: Path) -> Path:
    dst = tmp_path / "catalog"
    shutil.copytree(DATA_DIR, dst)
    return dst


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _write(df: pd.DataFrame, path: Path) -> None:
    df.to_csv(path, index=False, encoding="utf-8-sig")


def test_an_added_alias_works_without_code_change(tmp_path):
    folder = _copy_catalog(tmp_path)
    ind = _read(folder / "indicators.csv")
    i = ind.index[ind["code"] == "legal_aid_accepted"][0]
    ind.loc[i, "aliases"] = "|".join(a for a in [ind.loc[i, "aliases"], "援助案件受理量"] if a)
    _write(ind, folder / "indicators.csv")
    orgs = _read(folder / "orgs.csv")
    i = orgs.index[orgs["org"] == "区司法局"][0]
    orgs.loc[i, "aliases"] += "|大渡口法援中心"
    _write(orgs, folder / "orgs.csv")

    assert load_catalog().resolve_indicator("援助案件受理量").code is None
    custom = load_catalog(folder)
    assert custom.resolve_indicator("援助案件受理量").code == "legal_aid_accepted"
    assert custom.resolve_indicator("法律援助受理数").code == "legal_aid_accepted"
    assert custom.resolve_org("填报单位：大渡口法援中心") == "区司法局"
    assert len(custom.indicators) == len(load_catalog().indicators)
    assert math.isnan(custom.indicator("legal_aid_accepted")["target"])


def _break(folder: Path, name: str, edit) -> None:
    df = _read(folder / name)
    df = edit(df)
    _write(df, folder / name)


def _set(df: pd.DataFrame, code: str, col: str, value: str) -> pd.DataFrame:
    df.loc[df["code"] == code, col] = value
    return df


@pytest.mark.parametrize("name,edit,file,words", [
    ("indicators.csv", lambda df: pd.concat([df, df[df["code"] == "recon_accepted"]]),
     "indicators.csv", ["重复", "recon_accepted"]),
    ("indicators.csv", lambda df: _set(df, "recon_accepted", "section", "s7"),
     "indicators.csv", ["section", "recon_accepted"]),
    ("indicators.csv", lambda df: _set(df, "recon_accepted", "org", "区不存在局"),
     "indicators.csv", ["单位名录", "区不存在局"]),
    ("derived.csv", lambda df: _set(df, "recon_closure_rate_computed", "denominator", "recon_accepted+recon_typo"),
     "derived.csv", ["recon_closure_rate_computed", "recon_typo"]),
    ("indicators.csv", lambda df: _set(df, "recon_accepted", "code", "Recon-Accepted"),
     "indicators.csv", ["snake_case", "Recon-Accepted"]),
], ids=["duplicate_code", "unknown_section", "unknown_org", "unknown_formula_code", "bad_code"])
def test_broken_catalogs_raise_catalog_error(tmp_path, name, edit, file, words):
    folder = _copy_catalog(tmp_path)
    load_catalog(folder)  # the untouched copy loads
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    _break(broken, name, edit)
    with pytest.raises(CatalogError) as info:
        load_catalog(broken)
    assert info.value.file == file
    for word in words:
        assert word in info.value.reason


def test_missing_catalog_file_is_a_catalog_error(tmp_path):
    folder = _copy_catalog(tmp_path)
    (folder / "derived.csv").unlink()
    with pytest.raises(CatalogError) as info:
        load_catalog(folder)
    assert info.value.file == "derived.csv"
