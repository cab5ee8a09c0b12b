"""Tests of fzanalysis.analysis.display: tables as a reader sees them (notebook HTML, exported HTML, terminal)."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from fzanalysis.analysis import display as D

CITE = "2023/附件3-大渡口区司法局法治政府建设统计表（2023）.xlsx!公共法律服务!C4"


def _section_like() -> pd.DataFrame:
    return pd.DataFrame({
        "代码": ["recon_accepted", "legal_aid_closed"], "指标": ["行政复议受理数", "法律援助办结数"],
        "填报单位": ["区司法局", "区司法局"], "本年（报告写法）": ["41件", "253.7万元"], "本年": [41.0, 2537000.0],
        "计量单位": ["件", "元"], "上年": [29.0, None], "上年（报告写法）": ["29件", ""], "增减": [12.0, None], "同比": ["增长41.4%", ""],
        "说明": ["", ""], "重复报送": [False, True], "出处": [CITE, CITE], "上年出处": ["2022/x.xlsx!S!C4", ""],
    })


def test_prepare_shows_what_a_reader_reads_with_provenance_last():
    shown = D.prepare(_section_like())
    # identifiers, numeric twins of a readable column and empty columns go; provenance is one column, last
    assert list(shown.columns) == ["指标", "填报单位", "本年（报告写法）", "上年（报告写法）", "同比", "重复报送", "出处"]
    assert shown["出处"].tolist() == [f"{CITE}；上年：2022/x.xlsx!S!C4", CITE]


def test_prepare_translates_english_headings_and_joins_file_sheet_cell():
    log = pd.DataFrame({"file": ["2023/a.xlsx"], "sheet": ["S"], "cell": ["B2"], "org": ["区司法局"],
                        "event": ["rejected"], "reason": ["负数"]})
    shown = D.prepare(log)
    assert list(shown.columns) == ["填报单位", "事件", "原因", "出处"]
    assert shown["出处"].iloc[0] == "2023/a.xlsx!S!B2"
    assert all(re.search("[\u4e00-\u9fff]", c) for c in D.prepare(log.rename(columns={"org": "area"})).columns)


def test_a_named_index_becomes_the_first_column_and_a_default_index_disappears():
    towns = pd.DataFrame({"案件数": [3, 4]}, index=pd.Index(["八桥镇", "建胜镇"], name="镇街"))
    assert list(D.prepare(towns).columns) == ["镇街", "案件数"]
    html = D.to_html(towns)
    assert "<th" in html and ">0<" not in html and "row_heading" not in html  # no index column


def test_short_cite_drops_the_year_folder_and_keeps_the_full_reference_on_hover():
    assert D.short_cite(CITE) == "附件3-大渡口区司法局法治政府建设统计表（2023）.xlsx!公共法律服务!C4"
    assert D.short_cite("分子：2023/a/b.xlsx!S!C4") == "分子：b.xlsx!S!C4"
    html = D.cites_html(CITE)
    assert f'title="{CITE}"' in html and ">附件3-" in html


def test_a_long_list_of_cells_shows_its_count_and_first_few_and_the_rest_on_demand():
    cells = ";".join(f"2023/a.xlsx!S!C{i}" for i in range(1, 18))
    html = D.cites_html(cells)
    assert html.count("<span") == 17 and "共 17 处" in html
    shown, rest = html.split("<details>")
    assert shown.count("<span") == D.SHOWN_CITES and "其余 14 处" in rest
    assert "<details>" not in D.cites_html("2023/a.xlsx!S!C1;2023/a.xlsx!S!C2")


def test_html_has_chinese_headers_no_index_yes_no_and_aligned_columns():
    html = D.to_html(_section_like())
    heads = re.findall(r"<th\s[^>]*>(.*?)</th>", html)
    assert heads == ["指标", "填报单位", "本年（报告写法）", "上年（报告写法）", "同比", "重复报送", "出处"]
    assert ">是<" in html and ">否<" in html and "True" not in html and "False" not in html
    cells = re.findall(r'<td class="data row0 col(\d)" style="([^"]*)"', html)
    style = dict(cells)
    assert "text-align: left" in style["0"] and "white-space: nowrap" in style["0"]  # a name on one line
    assert "text-align: right" in style["2"]  # 41件: a number written out
    assert "<style" not in html  # inline styles: JupyterLab keeps them in a notebook it did not run


def test_a_long_name_may_break_only_before_its_bracket():
    html = D.to_html(pd.DataFrame({"指标": ["行政复议办结率（按审结/（受理+上年结转）计算）", "村（社区）法律顾问配备覆盖率"],
                                   "数值": [1, 2]}))
    assert html.count("<wbr>") == 1  # 村（社区）… is whole: its bracket does not end it
    assert '<span style="white-space: nowrap;">行政复议办结率</span><wbr>' in html
    assert '<span style="white-space: nowrap;">（按审结/（受理+上年结转）计算）</span>' in html


def test_prose_wraps_and_names_do_not():
    styles = D.column_styles(D.prepare(pd.DataFrame({
        "指标": ["法律援助办结率"], "计算方法": ["法律援助办结数 ÷ 法律援助受理数"], "原因": ["理由" * 20]})))
    assert "nowrap" in styles["指标"] and "nowrap" not in styles["计算方法"] and "nowrap" not in styles["原因"]


def test_html_is_the_same_from_run_to_run_and_escapes_text():
    df = pd.DataFrame({"指标": ["<b>x</b>"], "数值": [1.5]})
    assert D.to_html(df) == D.to_html(df.copy())
    assert "&lt;b&gt;" in D.to_html(df)


def test_a_long_table_is_collapsed_in_the_exported_html_only():
    df = pd.DataFrame({"指标": [f"项{i}" for i in range(40)], "数值": range(40)})
    html = D.to_html(df)
    assert 'class="fz-table fz-long"' in html and "共 40 行" in html
    assert html.count("<tr>") == 41  # the notebook keeps every row …
    assert f"nth-child(n+{D.SHOWN_ROWS + 1})" in D.HTML_CSS  # … the exported page shows the first ones
    assert "fz-long" not in D.to_html(df.head(D.SHOWN_ROWS))


@pytest.mark.parametrize("value, text", [(2537000.0, "2,537,000"), (69.94, "69.94"), (float("nan"), "—"), (3, "3")])
def test_numbers_read_without_float_noise(value, text):
    assert D.number(value) == text


def test_text_table_fits_the_terminal_and_counts_chinese_as_two_columns():
    df = pd.DataFrame({"章节": ["s6"], "代码": ["x" * 36], "指标": ["行政复议办结率（按审结/（受理+上年结转）计算）"],
                       "单位": ["%"]})
    lines = D.text_table(df, 80)
    assert max(D.text_width(line) for line in lines) <= 79
    assert lines[1].startswith("s6") and "…" in lines[1]
    assert D.text_width("法治ab") == 6


def test_setup_display_shows_tables_in_full():
    keys = ("display.max_colwidth", "display.max_rows", "display.float_format")
    before = {k: pd.get_option(k) for k in keys}
    try:
        D.setup_display()
        long_text = "证据" * 80
        assert long_text in pd.DataFrame({"依据": [long_text]}).to_string()
        assert pd.DataFrame({"v": [2537000.0, 69.94]}).to_string().split() == ["v", "0", "2,537,000", "1", "69.94"]
    finally:
        for k, v in before.items():
            pd.set_option(k, v)


def test_setup_display_makes_every_dataframe_read_this_way_in_a_notebook():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        D.setup_display()
        data, _ = shell.display_formatter.format(_section_like())
        assert data["text/html"] == D.to_html(_section_like())
        assert "行政复议受理数" in data["text/plain"]  # the text view stays pandas' own (nbval compares it)
    finally:
        InteractiveShell.clear_instance()


def test_a_filtered_table_shows_no_row_numbers():
    import pandas as pd

    from fzanalysis.analysis import display

    df = pd.DataFrame({"填报单位": ["区司法局", "区民政局", "八桥镇"], "分值": [1, 2, 3]})
    shown = display.prepare(df[df["分值"] > 1])
    assert list(shown.columns) == ["填报单位", "分值"]
    assert list(display.prepare(df.set_index("填报单位")).columns)[0] == "填报单位"
