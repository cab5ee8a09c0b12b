"""fzanalysis.core.settings: settings, change links, prose words and the stop-list are catalog data."""
from __future__ import annotations

import shutil

import pytest

from fzanalysis.core.files import DATA_DIR
from fzanalysis.core.errors import CatalogError
from fzanalysis.core.settings import load_prose, load_settings


def test_district_placeholder_and_change_links():
    s = load_settings()
    assert s.text("district") == "大渡口区"
    assert s.text("report.placeholder", name="行政处罚案件数", who="区市场监管局") == "【缺数：行政处罚案件数（区市场监管局）】"
    assert s.change_code("recon_accepted") == "recon_accepted_yoy" and s.change_code("market_fines") == ""
    assert "数据质量" in s.list("report.internal_categories")


def test_prose_words_and_stoplist_kinds():
    p = load_prose()
    assert p.units.index("个方面") < p.units.index("个")  # longest first
    assert p.qualifiers["超过"] == "超" and p.change_words["降低"] == -1
    assert {"quoted", "year", "date", "ordinal", "docno", "plenary", "name", "target"} <= {k for _, k in p.stoplist}


def test_a_broken_stoplist_pattern_is_a_catalog_error(tmp_path):
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    with open(tmp_path / "figure_stoplist.csv", "a", encoding="utf-8") as fh:
        fh.write("[未闭合,name,坏规则\n")
    with pytest.raises(CatalogError) as err:
        load_prose(tmp_path)
    assert err.value.file == "figure_stoplist.csv"


# ------------------------------------------------------------------------------ one loader, the catalog's folder
def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, (path.name, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def custom(tmp_path_factory):
    """A custom catalog folder: the shipped one with a changed value in each settings file."""
    from fzanalysis.core.catalog import load_catalog

    folder = tmp_path_factory.mktemp("catalog")
    for f in DATA_DIR.glob("*.csv"):
        shutil.copy(f, folder / f.name)
    _edit(folder / "settings.csv", "district,大渡口区", "district,测试区")
    _edit(folder / "diagnostics.csv", "rate_decimals,1,", "rate_decimals,2,")
    _edit(folder / "scorecard.csv", "label.rejected,数值被拒收", "label.rejected,自定义的拒收扣分")
    _edit(folder / "form_texts.csv", "feedback.kind.rejected,无法采用", "feedback.kind.rejected,自定义的无法采用")
    _edit(folder / "form_texts.csv", "template.file_name,{year}年法治政府建设统计表（{org}）.xlsx",
          "template.file_name,{org}自定义模板{year}.xlsx")
    _edit(folder / "form_texts.csv", "feedback.file_name,{year}年统计数据核对反馈表（{org}）.xlsx",
          "feedback.file_name,{org}自定义反馈{year}.xlsx")
    with open(folder / "forms.csv", "a", encoding="utf-8") as fh:
        fh.write("区审计局,legal_aid_accepted,A,,自定义：审计局也报法律援助受理数\n")
    with open(folder / "personal_data.csv", "a", encoding="utf-8") as fh:
        fh.write("label,对接专员,自定义签字栏\n")
    with open(folder / "figure_stoplist.csv", "a", encoding="utf-8") as fh:
        fh.write("自定义停用\\d+件,name,自定义\n")
    return load_catalog(folder)


def _tidy(catalog):
    import pandas as pd

    rows = [("区司法局", "legal_aid_accepted", 316), ("区司法局", "legal_aid_closed", 221),
            ("区审计局", "audit_projects", 12)]
    return pd.DataFrame([{"year": 2023, "org": o, "area": "", "indicator": catalog.indicator_name(c), "code": c,
                          "section": catalog.indicator(c)["section"], "value": float(v),
                          "unit": catalog.indicator(c)["unit"], "qualifier": "", "source_file": f"2023/{o}.xlsx",
                          "sheet": "Sheet1", "cell": f"C{i + 2}", "raw_text": str(v)}
                         for i, (o, c, v) in enumerate(rows)])


def test_the_catalog_knows_its_folder_and_every_settings_file_is_read_from_it(custom):
    from fzanalysis.analysis.diagnostics import load_config
    from fzanalysis.core.catalog import load_catalog
    from fzanalysis.loop.scorecard import load_weights

    assert custom.folder != DATA_DIR and load_catalog().folder == DATA_DIR
    assert load_settings(custom.folder).text("district") == "测试区" and load_settings().text("district") == "大渡口区"
    assert load_config(catalog=custom).num("rate_decimals") == 2 and load_config().num("rate_decimals") == 1
    assert load_weights(custom)["label.rejected"] == "自定义的拒收扣分"


def test_report_analysis_and_check_read_the_custom_folder(custom, tmp_path):
    from fzanalysis.analysis.sections import derived_rates
    from fzanalysis.check.check import Tables, check_paragraphs
    from fzanalysis.report.draft import build_draft

    tidy = _tidy(custom)
    rates = derived_rates(tidy, custom)
    assert rates.loc[rates["代码"] == "legal_aid_closure_rate", "比率（%）"].item() == 69.94  # rate_decimals 2
    (tmp_path / "s6.j2").write_text("法律援助办结率{{ rate('legal_aid_closure_rate') }}。\n", encoding="utf-8")
    draft = build_draft(tidy, 2023, templates_dir=tmp_path, catalog=custom)
    assert draft.title.startswith("测试区") and "69.94%" in [c.text for c in draft.figures]
    text = ["自定义停用5件。"]  # the custom stop-list: no figure there
    assert check_paragraphs(text, Tables(tidy, None, 2023, None, custom), custom).empty
    assert len(check_paragraphs(text, Tables(tidy, None, 2023, None), None)) == 1


def test_the_yearly_loop_reads_the_custom_folder(custom, tmp_path):
    from fzanalysis.ingest.clean import year_files
    from fzanalysis.loop.feedback import feedback_items, feedback_workbook
    from fzanalysis.loop.forms import expected_codes
    from fzanalysis.loop.scorecard import scorecard
    from fzanalysis.loop.template import build_template, template_name
    import io

    import openpyxl
    import pandas as pd

    assert "legal_aid_accepted" in expected_codes(custom, "区审计局")
    assert template_name("区司法局", 2024, custom) == "区司法局自定义模板2024.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(build_template("区司法局", 2024, catalog=custom)))
    assert any(str(c.value).startswith("测试区2024年") for ws in book for row in ws.iter_rows() for c in row if c.value)
    (tmp_path / "区司法局自定义反馈2023.xlsx").write_bytes(b"")  # a form the product wrote, named the custom way
    assert [p.name for p, _ in year_files(tmp_path, custom)[1]] == ["区司法局自定义反馈2023.xlsx"]
    log = pd.DataFrame([{"year": 2023, "file": "2023/区司法局.xlsx", "sheet": "Sheet1", "cell": "C9", "org": "区司法局",
                         "area": "", "code": "legal_aid_accepted", "event": "rejected", "outcome": "rejected",
                         "reason": "无法识别", "raw_text": "待统计", "cells_read": None, "kept": None, "rejected": None,
                         "set_aside": None}])
    tidy = _tidy(custom)
    items = feedback_items(tidy, log, pd.DataFrame(), custom, findings=pd.DataFrame(columns=["rule"]), year=2023)
    assert "自定义的无法采用" in set(items["kind"])
    form = openpyxl.load_workbook(io.BytesIO(feedback_workbook("区司法局", items[items["org"] == "区司法局"], 2023,
                                                               custom)))
    assert str(form.active["A1"].value).startswith("测试区")
    _, details = scorecard(tidy, log, pd.DataFrame(columns=["rule", "cells", "org", "evidence"]), custom, 2023)
    assert "自定义的拒收扣分" in set(details["事项"])


def test_the_masker_reads_the_personal_data_words_of_the_catalog_in_force(custom, tmp_path):
    from fzanalysis.core.sanitize import mask_personal, use_catalog_folder
    from fzanalysis.ingest.clean import clean_year, discover
    from tests.xlsx_factory import make_layout_a, org_line

    assert mask_personal("对接专员：张三") == "对接专员：张三"  # the shipped words know no 对接专员
    make_layout_a(tmp_path / "2023" / "a.xlsx", org_line("重庆市大渡口区审计局"), [("审计项目数", "个", 12)],
                  footer=[("对接专员：张三",)])
    try:
        result = clean_year(tmp_path, 2023, discover(tmp_path, 2023, custom)[2023], custom)
        assert mask_personal("对接专员：张三") == "对接专员:[姓名]"  # (NFKC: the colon half-width)
        assert "张三" not in result.log.to_csv() + result.indicators.to_csv() + result.unmapped.to_csv()
        assert (result.log["event"] == "personal_data_removed").any()
    finally:
        use_catalog_folder(None)
    assert mask_personal("对接专员：张三") == "对接专员：张三"
