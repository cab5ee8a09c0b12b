"""Shared data for the report and check-report tests: the bundled workbooks cleaned once into a
temporary folder, the drafts of 2023 and 2022 written from them, and readers for what they contain."""
from __future__ import annotations

import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from fzanalysis.store.data import run_clean
from fzanalysis import commands
from fzanalysis.store.project import open_project

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SEED = ROOT / "tests" / "data" / "dadukou_2023_report.txt"
FIGURES = pd.read_csv(ROOT / "tests" / "data" / "figures_2023.csv", dtype={"value": float}, keep_default_na=False)


_MEMO: dict[str, object] = {}  # built once per test session, shared by every test module that imports these


@pytest.fixture
def processed(tmp_path_factory) -> Path:
    if "processed" not in _MEMO:
        out = tmp_path_factory.mktemp("processed")
        run_clean(raw_dir=RAW, processed_dir=out, progress=False)
        _MEMO["processed"] = out
    return _MEMO["processed"]


@pytest.fixture
def drafts(processed, tmp_path_factory) -> dict:
    """``{year: (out_dir, summary)}`` for the drafts of 2023 (baseline 2022) and 2021 (the first year: no baseline)."""
    if "drafts" not in _MEMO:
        out = tmp_path_factory.mktemp("reports")
        project = open_project(raw_dir=RAW, processed_dir=processed, output_dir=out)
        _MEMO["drafts"] = {year: (out / str(year), commands.report(project, year).value) for year in (2023, 2021)}
    return _MEMO["drafts"]


def tidy(processed: Path, year: int) -> pd.DataFrame:
    return pd.read_parquet(processed / str(year) / "indicators.parquet")


def own_row(table: pd.DataFrame, org: str, code: str) -> pd.Series | None:
    hit = table[(table["org"] == org) & (table["code"] == code) & (table["area"] == "")]
    return None if hit.empty else hit.iloc[0]


def ref(row: pd.Series) -> str:
    return f"{row['source_file']}!{row['sheet']}!{row['cell']}"


def footnotes(md: str) -> dict[int, str]:
    return {int(n): src for n, src in re.findall(r"^\[\^(\d+)\]: (.*)$", md, flags=re.M)}


def comment_anchors(path: Path) -> list[tuple[str, str]]:
    """(text the comment is anchored on, comment text) for every comment, read back with python-docx."""
    doc = Document(str(path))
    texts = {c.comment_id: c.text for c in doc.comments}
    open_ids: dict[int, list[str]] = {}
    out = []
    for el in doc.element.body.iter():
        if el.tag == qn("w:commentRangeStart"):
            open_ids[int(el.get(qn("w:id")))] = []
        elif el.tag == qn("w:commentRangeEnd"):
            cid = int(el.get(qn("w:id")))
            out.append(("".join(open_ids.pop(cid)), texts[cid]))
        elif el.tag == qn("w:t"):
            for parts in open_ids.values():
                parts.append(el.text or "")
    return out


def strip_comments(src: Path, dst: Path) -> Path:
    """The .docx as an analyst leaves it after deleting every comment."""
    doc = Document(str(src))
    body = doc.element.body
    for tag in ("w:commentRangeStart", "w:commentRangeEnd"):
        for el in list(body.iter(qn(tag))):
            el.getparent().remove(el)
    for ref_el in list(body.iter(qn("w:commentReference"))):
        run = ref_el.getparent()
        run.getparent().remove(run)
    for c in list(doc.comments):
        c._comment_elm.getparent().remove(c._comment_elm)
    doc.save(str(dst))
    return dst


# ---------------------------------------------------------------------------- text from workbooks as an attack
# Each is put where workbook text reaches the draft: a unit's name (a finding's 填报单位, the 填报单位 of a figure),
# a town's name, an indicator named by an unmapped label, and the file and sheet a figure is cited from.
ATTACKS = {
    "heading": "某单位\n\n## 三、伪造的一级标题\n\n### （九）伪造的二级标题。\n# 伪造的题目",
    "figure": "某单位\ue0001\ue001与\ue000 2 \ue001及\ue00099\ue001",
    "html": "某单位<img src=x onerror=alert(1)><script>alert(2)</script>",
    "markdown": "某单位[点我](javascript:alert(1)) *强调* _斜体_ `代码` $x$ ~~删~~ &lt; | 表 | # 标题 1. 编号 - 列表 > 引用",
}  # each begins as a name does (a name beginning with markup, at the start of a line: test_report_render)
BENIGN = "某单位"


def seen_text(attack: str) -> str:
    """The attack as a reader must see it: the same characters, minus line breaks and the private-use marks."""
    return re.sub(r"\s*\n\s*", "", attack).replace("\ue000", "").replace("\ue001", "")


def attacked_draft(processed: Path, text: str):
    """The 2023 draft with ``text`` as a unit's, a town's, an indicator's, a file's and a sheet's name
    (build with :data:`BENIGN` for the draft it must have the structure of)."""
    from fzanalysis.report.draft import build_draft

    table = tidy(processed, 2023).copy()
    aid = (table["code"] == "legal_aid_center") & (table["area"] == "")
    table.loc[aid, ["org", "source_file", "sheet"]] = [text, f"2023/{text}.xlsx", text]
    town = table.index[(table["code"] == "market_penalty_cases") & (table["area"] != "")][0]
    table.loc[town, "area"] = text
    label = table.index[table["code"] == "market_fines"][0]
    table.loc[label, "code"] = text  # an indicator known only by its label
    cells = {i: ref(table.loc[i]) for i in (town, label)}
    findings = pd.DataFrame([
        {"rule": "missing_submission", "severity": "高", "section": "s6", "category": "报送", "org": text,
         "area": "", "codes": "", "evidence": "", "cells": "", "suggestion": f"督促{text}报送",
         "framework_area": ""},
        {"rule": "town_zero_or_lagging", "severity": "中", "section": "s4", "category": "执法",
         "org": "区市场监管局", "area": text, "codes": "market_penalty_cases", "evidence": "", "cells": cells[town],
         "suggestion": "", "framework_area": ""},
        {"rule": "target_shortfall", "severity": "低", "section": "s4", "category": "执法", "org": "区市场监管局",
         "area": "", "codes": text, "evidence": "", "cells": cells[label], "suggestion": "", "framework_area": ""},
    ])
    return build_draft(table, 2023, findings=findings)


class _Html(HTMLParser):
    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: Counter = Counter()
        self.parts: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        self.tags.update(f"{tag}[{name}]" for name, _ in attrs if name.startswith("on") or name in ("src", "href"))

    def handle_data(self, data):
        self.parts.append(data)


def html_shape(html: str) -> tuple[Counter, str]:
    """The elements of a page (and their event / link attributes), and its text as a reader sees it."""
    page = _Html(html)
    return page.tags, "".join(page.parts)


def markdown_as_html(md: str) -> str:
    """report.md as a Markdown reader shows it (CommonMark with footnotes, tables, strikethrough and bare
    links, raw HTML passed through as a browser would get it)."""
    import mistune

    return mistune.create_markdown(escape=False, plugins=["footnotes", "table", "strikethrough", "url"])(md)
