"""Shared data for the report and check-report tests: the bundled workbooks cleaned once into a
temporary folder, the drafts of 2023 and 2022 written from them, and readers for what they contain."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn

from fzanalysis.clean import run_clean
from fzanalysis.report_run import write_report

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
SEED = ROOT / "tests" / "data" / "dadukou_2023_report.txt"
FIGURES = pd.read_csv(ROOT / "tests" / "data" / "figures_2023.csv", dtype={"value": float}, keep_default_na=False)


_MEMO: dict[str, object] = {}  # built once per test session, shared by every test module that imports these


@pytest.fixture
def processed(tmp_path_factory) -> Path:
    if "processed" not in _MEMO:
        out = tmp_path_factory.mktemp("processed")
        run_clean(RAW, out, progress=False)
        _MEMO["processed"] = out
    return _MEMO["processed"]


@pytest.fixture
def drafts(processed, tmp_path_factory) -> dict:
    """``{year: (out_dir, summary)}`` for the drafts of 2023 (baseline 2022) and 2021 (the first year: no baseline)."""
    if "drafts" not in _MEMO:
        out = tmp_path_factory.mktemp("reports")
        _MEMO["drafts"] = {year: (out / str(year), write_report(year, None, processed, out, raw_dir=RAW))
                           for year in (2023, 2021)}
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
