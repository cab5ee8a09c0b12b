"""表格展示：how a table reads in a notebook and in the exported HTML (pandas Styler).

:func:`setup_display` (``fz.setup_display()``, first cell of every notebook) registers
:func:`to_html` as the HTML view of every DataFrame shown in a notebook, so the notebooks stay
thin (a cell shows ``table``) and every table reads the same way:

- no index column (a named index, such as 镇街, becomes the first column);
- every heading in Chinese (:data:`HEADINGS` translates the tidy table's, the cleaning log's and
  ``unmapped.csv``'s own columns); identifiers (代码) and the numeric twins of a readable column
  (本年 beside 本年（报告写法）) are left to the DataFrame;
- 是/否 for booleans; numbers right-aligned without float noise, text left-aligned; short names
  (指标, 填报单位, 镇街) kept on one line, long text wrapped;
- provenance last, in one 出处 column: a cited cell shows its file name without the year folder
  (the full ``file!sheet!cell`` on hover); a long list shows its count and first few, the rest in
  a ``<details>``;
- a long table shows its first :data:`SHOWN_ROWS` rows and its count in the exported HTML
  (:data:`HTML_CSS`, added by ``fzanalysis run``); the notebook keeps it whole.

The text view (``text/plain``) stays pandas' own, so nbval compares the figures themselves; the
HTML's table id is made from its headings, so it is the same from run to run and a changed figure
shows in nbval's diff as itself.
"""
from __future__ import annotations

import hashlib
import html
import re
from pathlib import PurePosixPath

import pandas as pd

from ..core.cite import LABEL_SEP, cite_text, parse_cite, parse_sources, sources_text, split_cites

__all__ = ["BOOL_TEXT", "CELL", "CITE", "CITE_BOX", "CITE_PARTS", "HEADER", "HEADINGS", "HIDDEN", "HTML_CSS",
           "LEFT_ONE_LINE", "LEFT_WRAPPED", "LONG_NAME", "ONE_LINE", "PROVENANCE", "RIGHT", "SAME_IN_EVERY_ROW",
           "SHOWN_CITES", "SHOWN_ROWS", "TWINS", "WRAP_BOX", "cite_texts", "cites_html", "column_styles", "number",
           "prepare", "setup_display", "short_cite", "styled", "text_table", "text_width", "to_html"]

HEADINGS = {  # the tidy table, the cleaning log and unmapped.csv, as a reader sees them
    "year": "年度", "org": "填报单位", "area": "镇街", "indicator": "指标", "label": "原表名称", "code": "代码",
    "section": "章节", "value": "数值", "unit": "计量单位", "qualifier": "限定词", "raw_text": "原文",
    "event": "事件", "outcome": "处理结果", "reason": "原因", "cells_read": "读取单元格", "kept": "采用",
    "rejected": "拒收", "set_aside": "搁置", "source_file": "文件", "file": "文件", "sheet": "工作表",
    "cell": "单元格",
}
CITE_PARTS = ("文件", "工作表", "单元格")  # shown as one 出处 column: 文件!工作表!单元格
CITE = "出处"
# provenance columns (文件!工作表!单元格, several joined by ; — fzanalysis.core.cite) and the label of each in the
# merged 出处
PROVENANCE = {"出处": "", "出处（文件!工作表!单元格）": "", "上年出处": "上年", "分子出处": "分子", "分母出处": "分母",
              "报告值出处": "报告值", "文件": ""}
HIDDEN = ("代码", "指标代码", "规则")  # identifiers: in the DataFrame and the CSV files, not in a reader's table
SAME_IN_EVERY_ROW = ("章节", "年度")  # hidden when one value fills the column: it says nothing per row
TWINS = {"本年": "本年（报告写法）", "计量单位": "本年（报告写法）", "上年": "上年（报告写法）",
         "增减": "同比", "增减幅度（%）": "同比"}  # numeric column → the readable column that shows it
SHOWN_ROWS = 15
SHOWN_CITES = 3
ONE_LINE = 30  # text no longer than this stays on one line (every name: 指标, 填报单位, 镇街); longer text wraps
_FIGURE = re.compile(r"^[-+−]?[\d,.]+\D{0,4}$")  # 253.7万元, 100%, 2679人次: a number written out
BOOL_TEXT = {True: "是", False: "否"}

# inline styles (see to_html); widths go on a block inside a cell, since browsers ignore them on cells
RIGHT = "text-align: right; white-space: nowrap;"
LEFT_ONE_LINE = "text-align: left; white-space: nowrap;"
LEFT_WRAPPED = "text-align: left;"
WRAP_BOX = "min-width: 10em; max-width: 32em; overflow-wrap: anywhere;"  # prose
CITE_BOX = "min-width: 10em; max-width: 28em; overflow-wrap: anywhere;"  # cited cells: never a sliver
LONG_NAME = 8  # a longer name may break once, before its bracket (行政复议办结率 / （按审结…计算）), never elsewhere
CELL = "vertical-align: top; padding: 4px 5px;"
HEADER = "white-space: normal; word-break: keep-all;"  # a heading breaks only before its bracket: 差异/（百分点）

HTML_CSS = f"""<style>
table.fz-table {{ border-collapse: collapse; margin: 0.4em 0 1em; max-width: 100%; }}
table.fz-long tbody tr:nth-child(n+{SHOWN_ROWS + 1}) {{ display: none; }}
table.fz-table caption .fz-html-only {{ display: inline !important; }}
.jp-RenderedHTMLCommon {{ overflow-x: auto; }}
</style>"""


def prepare(df: pd.DataFrame) -> pd.DataFrame:
    """The columns a reader sees, in order: Chinese headings, no identifiers, provenance last."""
    out = df.copy()
    if any(name is not None for name in out.index.names):
        out = out.reset_index()  # a named index (镇街, 章节) is a column a reader needs
    else:
        out = out.reset_index(drop=True)  # row numbers of a filtered table are not
    out.columns.name = None
    out.columns = [HEADINGS.get(str(c), str(c)) for c in out.columns]
    out = out.loc[:, ~pd.Index(out.columns).duplicated()]
    if all(c in out for c in CITE_PARTS) and CITE not in out:
        out[CITE] = cite_texts(*(out[c].fillna("").astype(str) for c in CITE_PARTS))
        out = out.drop(columns=list(CITE_PARTS))
    empty = [c for c in out if len(out) and out[c].map(lambda v: v is None or v == "" or
                                                      (not isinstance(v, str) and pd.isna(v))).all()]
    out = out.drop(columns=[c for c in out if c in HIDDEN or c in empty or (c in TWINS and TWINS[c] in out)
                            or (c in SAME_IN_EVERY_ROW and len(out) > 1 and out[c].nunique(dropna=False) == 1)])
    cites = [c for c in out if c in PROVENANCE]
    if len(cites) > 1:  # one 出处 column, each part labelled (分子：…；分母：…)
        merged = [sources_text((PROVENANCE[c], split_cites(v)) for c, v in zip(cites, row))
                  for row in out[cites].itertuples(index=False)]
        out = out.drop(columns=cites).assign(**{CITE: merged})
    elif cites:
        out = out[[c for c in out if c != cites[0]] + cites]
    return out


def _is_bool(s: pd.Series) -> bool:
    values = s.dropna()
    return s.dtype == bool or (len(values) > 0 and values.map(lambda v: isinstance(v, bool)).all())


def number(x: object) -> str:
    """A number as a reader writes it: thousands separated, no float noise; missing is —."""
    if x is None or pd.isna(x):
        return "—"
    return f"{x:,.4f}".rstrip("0").rstrip(".") if isinstance(x, float) else f"{x:,}"


def short_cite(cite: str) -> str:
    """``2023/区司法局统计表.xlsx!Sheet1!D4`` → ``区司法局统计表.xlsx!Sheet1!D4`` (a 分子： label is kept)."""
    groups = parse_sources(cite)
    if len(groups) != 1 or len(groups[0][1]) != 1:
        return cite
    (label, (one,)), = groups
    try:
        c = parse_cite(one)
    except ValueError:  # not written by fzanalysis.core.cite: shown as it is
        return cite
    return (f"{label}{LABEL_SEP}" if label else "") + cite_text(PurePosixPath(c.file).name, c.sheet, c.cell)


def cites_html(text: object) -> str:
    """Cited cells: each shortened with the full reference on hover; past :data:`SHOWN_CITES`, the count
    and the first few, the rest in a ``<details>``."""
    groups = parse_sources("" if text is None or (not isinstance(text, str) and pd.isna(text)) else text)
    items = [f"{label}{LABEL_SEP}{c}" if label else c for label, cells in groups for c in cells]

    def one(c: str) -> str:
        return f'<span title="{html.escape(c)}">{html.escape(short_cite(c))}</span>'

    if len(items) <= SHOWN_CITES:
        body = "<br>".join(one(c) for c in items)
    else:
        rest = "<br>".join(one(c) for c in items[SHOWN_CITES:])
        body = (f"共 {len(items)} 处：<br>" + "<br>".join(one(c) for c in items[:SHOWN_CITES])
                + f"<details><summary>其余 {len(items) - SHOWN_CITES} 处</summary>{rest}</details>")
    return f'<div style="{CITE_BOX}">{body}</div>' if body else ""


def column_styles(shown: pd.DataFrame) -> dict[str, str]:
    """Inline CSS per column of a prepared table: numbers (and numbers written out, ``253.7万元``) to
    the right, text to the left, short text on one line, long text wrapped at a readable width."""
    styles = {}
    for c in shown:
        values = shown[c].dropna()
        if c in PROVENANCE:
            styles[c] = "text-align: left; font-size: 90%;"
        elif _is_bool(shown[c]):
            styles[c] = LEFT_ONE_LINE
        elif pd.api.types.is_numeric_dtype(shown[c]):
            styles[c] = RIGHT
        else:
            text = values.astype(str)
            text = text[text != ""]
            if len(text) and text.map(lambda v: bool(_FIGURE.match(v))).all():
                styles[c] = RIGHT
            elif len(text) and (text.str.len().max() > ONE_LINE or text.str.contains(" ").any()):
                styles[c] = LEFT_WRAPPED  # prose (long, or words between spaces: 受理数 ÷ 办结数), not a name
            else:
                styles[c] = LEFT_ONE_LINE
    return styles


def cite_texts(files, sheets, cells) -> list[str]:
    """``file!sheet!cell`` per row (:func:`fzanalysis.core.cite.cite_text`: an event about a whole file or sheet
    cites what it has)."""
    return [cite_text(*trio) for trio in zip(files, sheets, cells)]


def styled(df: pd.DataFrame):
    """The table as a reader sees it (:func:`prepare`), as a pandas Styler (formats, no index, caption);
    :func:`to_html` adds the column styles inline."""
    return _styled(df)[0]


def _styled(df: pd.DataFrame):
    """(Styler, column styles) of :func:`styled`: the styles are computed once, for both."""
    from pandas.io.formats.style import Styler

    shown = prepare(df)
    booleans = [c for c in shown if _is_bool(shown[c])]
    numeric = [c for c in shown if pd.api.types.is_numeric_dtype(shown[c]) and c not in booleans]
    cites = [c for c in shown if c in PROVENANCE]
    texts = [c for c in shown if c not in numeric + booleans + cites]
    # the id names the table's shape, not its figures: a changed figure shows as itself in nbval's diff
    uuid = hashlib.sha1("|".join(map(str, shown.columns)).encode("utf-8")).hexdigest()[:10]
    st = Styler(shown, uuid=uuid, cell_ids=False).hide(axis="index")
    st = st.format(number, subset=numeric, na_rep="—")
    st = st.format(lambda v: BOOL_TEXT.get(v, "—"), subset=booleans)
    st = st.format(cites_html, subset=cites, escape=None)
    styles = column_styles(shown)
    for c in texts:
        st = st.format(_wrapped if styles[c] == LEFT_WRAPPED else _name, subset=[c], escape=None)
    long = len(shown) > SHOWN_ROWS
    st = st.set_table_attributes(f'class="fz-table{" fz-long" if long else ""}" style="border-collapse: collapse;"')
    if long:
        st = st.set_caption(f'共 {len(shown)} 行<span class="fz-html-only" style="display: none;">，此处显示前 '
                            f'{SHOWN_ROWS} 行，全表见同名 .ipynb</span>')
    return st, styles


def _text(v: object) -> str:
    return "" if v is None or (not isinstance(v, str) and pd.isna(v)) else html.escape(str(v))


def _wrapped(v: object) -> str:
    return f'<div style="{WRAP_BOX}">{_text(v)}</div>' if _text(v) else ""


def _qualifier_at(name: str) -> int:
    """Where a name's closing bracketed qualifier starts (行政复议办结率｜（按审结/（受理+上年结转）计算）), or -1."""
    if len(name) <= LONG_NAME or not name.endswith("）"):
        return -1
    depth = 0
    for i in range(len(name) - 1, 0, -1):
        depth += {"）": 1, "（": -1}.get(name[i], 0)
        if depth == 0:
            return i
    return -1


def _name(v: object) -> str:
    """A name on one line; a long name ending in a bracketed qualifier may put the qualifier on a second line."""
    text = _text(v)
    cut = _qualifier_at(str(v)) if text else -1
    if cut < 0:
        return text
    head, tail = _text(str(v)[:cut]), _text(str(v)[cut:])
    one = "white-space: nowrap;"
    return (f'<span style="white-space: normal;"><span style="{one}">{head}</span><wbr>'
            f'<span style="{one}">{tail}</span></span>')


_TD = re.compile(r'class="data row\d+ col(\d+)" ?')
_TH = re.compile(r'class="col_heading level0 col(\d+)" ?')


def to_html(df: pd.DataFrame) -> str:
    """The HTML view of ``df``.  Styles are inline attributes, not a ``<style>`` block: JupyterLab
    keeps inline styles in a notebook it did not run itself (an executed report, a colleague's
    notebook) but drops style blocks, and Chinese text would then be squeezed and right-aligned."""
    st, by_column = _styled(df)
    styles = [by_column[c] for c in st.data.columns]
    html_text = re.sub(r'<style type="text/css">\s*</style>\s*', "", st.to_html())
    html_text = _TD.sub(lambda m: f'{m.group(0).rstrip()} style="{CELL} {styles[int(m.group(1))]}"', html_text)
    heads = ["text-align: right;" if s == RIGHT else "text-align: left;" for s in styles]
    html_text = _TH.sub(lambda m: f'{m.group(0).rstrip()} style="{CELL} {HEADER} {heads[int(m.group(1))]}"', html_text)
    return html_text.replace("<caption>", '<caption style="caption-side: bottom; text-align: left; color: #666; '
                                           'font-size: 90%;">')


def setup_display() -> None:
    """Notebook tables in full (text view) and read as :mod:`fzanalysis.analysis.display` lays them out (HTML view)."""
    import sys

    pd.set_option("display.max_colwidth", None)
    pd.set_option("display.max_rows", 500)
    pd.set_option("display.max_columns", 50)
    pd.set_option("display.float_format", lambda x: f"{x:,.4f}".rstrip("0").rstrip("."))
    if "IPython" not in sys.modules:
        return
    from IPython import get_ipython

    shell = get_ipython()
    if shell is not None and hasattr(shell, "display_formatter"):
        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, to_html)


# ---------------------------------------------------------------------------- terminal
def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (a Chinese character takes two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch) > width - 1:
            break
        out += ch
    return out + "…"


def text_table(df: pd.DataFrame, width: int = 80, gap: int = 2, whole: tuple[str, ...] = ()) -> list[str]:
    """``df`` as lines of at most ``width - 1`` terminal columns (so a line never wraps): the widest
    column not in ``whole`` (identifiers one types, such as 代码) is cut with … until the table fits."""
    cells = [[str(c) for c in df.columns]] + [["" if pd.isna(v) else str(v) for v in row]
                                              for row in df.itertuples(index=False)]
    widths = [max(text_width(r[i]) for r in cells) for i in range(len(df.columns))]
    cuttable = [i for i, c in enumerate(df.columns) if c not in whole]
    while cuttable and sum(widths) + gap * (len(widths) - 1) > width - 1:
        i = max(cuttable, key=lambda k: widths[k])
        if widths[i] <= 4:
            break
        widths[i] -= 1

    def line(row: list[str]) -> str:
        parts = [_clip(v, w) for v, w in zip(row, widths)]
        return (" " * gap).join(p + " " * (w - text_width(p)) for p, w in zip(parts, widths)).rstrip()

    return [line(r) for r in cells]
