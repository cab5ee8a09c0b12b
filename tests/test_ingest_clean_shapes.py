"""Issue 9, done when: workbooks of each shape, written fresh, clean to exactly the values and cells a
person reads off them — no unmapped value and nothing set aside but previous-year columns.

Each seed writes a new year folder: every shape (two-level row headers in a 类别 column and under group
rows, 镇街 across the columns with a 合计 column, the same with a 上年 block and a unit row, one sheet
per 镇街, 村（社区） rows and 村/社区 across the columns in a 镇街's own workbook), with names, order,
offsets and values drawn from the seed, blank rows, notes and sign-off lines around the tables. The
expected list is kept while the grid is written; the whole folder is cleaned by ``run_clean`` and the
outputs are compared cell by cell.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.core.catalog import load_catalog
from fzanalysis.store.data import run_clean
from fzanalysis.ingest.log import check_ledger
from fzanalysis.ingest.workbook import a1
from tests.xlsx_factory import YEAR, org_line, write_xlsx

CAT = load_catalog()
TOWNS = CAT.towns()
SIGN_OFF = [["填表人：周某某", None, "联系电话：023-68881234", None, "审核人：吴某某"]]
VILLAGES = ["长江村", "大堰村", "金鳌社区", "石盘村", "钢花居委会", "双山村委会", "锦城社区"]


@dataclass
class Sheet:
    """A grid being written and the values a person reads off it: (row, col) → (code, area, value)."""

    rows: list[list[object]] = field(default_factory=list)
    expected: dict[tuple[int, int], tuple[str, str, float]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # grid indices, inclusive

    def row(self, *cells: object) -> int:
        self.rows.append(list(cells))
        return len(self.rows) - 1

    def expect(self, i: int, j: int, code: str, area: str, value: float) -> None:
        self.expected[(i, j)] = (code, area, value)

    def shifted(self, down: int, right: int) -> tuple[list[list[object]], list[str], dict[str, tuple]]:
        grid = [[] for _ in range(down)] + [[None] * right + r if r else [] for r in self.rows]
        merges = [f"{a1(r1 + down, c1 + right)}:{a1(r2 + down, c2 + right)}" for r1, c1, r2, c2 in self.merges]
        cells = {a1(i + down, j + right): v for (i, j), v in self.expected.items()}
        return grid, merges, cells


def town_name(rnd: random.Random, town: str) -> str:
    """A 镇街 as departments write it: short, or with 办事处 / 人民政府 (an alias in orgs.csv)."""
    long = [a for a in CAT.orgs.set_index("org").loc[town, "aliases"].split("|") if a.startswith(town[:2])]
    return rnd.choice([town, *long])


def count(rnd: random.Random) -> int:
    return rnd.randint(0, 400)


# ------------------------------------------------------------------------------ the shapes
def two_level(rnd: random.Random, style: str) -> Sheet:
    s = Sheet()
    s.row(f"{YEAR}年行政复议和法律援助工作情况")
    s.row(org_line("重庆市大渡口区司法局"))
    groups = [("行政复议", [("受理数", "recon_accepted"), ("审结数", "recon_concluded"), ("直接纠错数", "recon_corrected")]),
              ("法律援助", [("受理数", "legal_aid_accepted"), ("办结数", "legal_aid_closed")])]
    rnd.shuffle(groups)
    if style == "column":
        s.row("类别", "项目", "单位", f"{YEAR}年", "上年", "备注")
    else:
        s.row("序号", "指标名称", "单位", "本年", "上年同期", "备注")
    n = 0
    for g, (group, items) in enumerate(groups):
        if style == "rows":
            i = s.row(f"{'一二'[g]}、{group}{rnd.choice(['', '工作情况', '工作'])}")
            s.merges.append((i, 0, i, 5))
        first = len(s.rows)
        for k, (item, code) in enumerate(items):
            if k and rnd.random() < 0.3:
                s.row()  # a blank row inside the table (and inside a merged 类别 cell)
            n += 1
            value = count(rnd)
            lead = (group if k == 0 else None) if style == "column" else n
            i = s.row(lead, item, "件", value, count(rnd), rnd.choice([None, "含上年结转"]))
            s.expect(i, 3, code, "", value)
        if style == "column":
            s.merges.append((first, 0, len(s.rows) - 1, 0))
    s.row()
    s.row("注：数据截至12月31日。")
    s.rows += SIGN_OFF
    return s


ACROSS_ROWS = [("镇街综合行政执法案件数", "件", "town_enforcement_cases"),
               ("镇街日常巡查次数", "次", "town_enforcement_inspections"),
               ("受理法律援助案件", "件", "legal_aid_accepted"),
               ("镇街法律援助工作站数", "个", "legal_aid_town_stations")]


def towns_across(rnd: random.Random) -> Sheet:
    s = Sheet()
    towns = rnd.sample(TOWNS, rnd.randint(3, len(TOWNS)))
    s.row(f"{YEAR}年各镇街法治建设数据")
    s.row(org_line("重庆市大渡口区司法局"))
    s.row("序号", "指标", "单位", *(town_name(rnd, t) for t in towns), "合计")
    for n, (label, unit, code) in enumerate(rnd.sample(ACROSS_ROWS, 3), start=1):
        values = [count(rnd) for _ in towns]
        i = s.row(n, label, unit, *values, sum(values))
        for k, (town, v) in enumerate(zip(towns, values)):
            s.expect(i, 3 + k, code, town, v)
        s.expect(i, 3 + len(towns), code, "", sum(values))
    s.row()
    s.row("注：合计为各镇街之和。")
    s.rows += SIGN_OFF
    return s


def towns_across_with_last_year(rnd: random.Random) -> Sheet:
    """Invented: a 2023 block and a 上年 block of 镇街 columns, units in a unit row."""
    s = Sheet()
    towns = rnd.sample(TOWNS, 3)
    width = len(towns) + 1
    s.row(org_line("重庆市大渡口区市场监督管理局"))
    top = s.row("指标名称", f"{YEAR}年", *[None] * (width - 1), "上年", *[None] * (width - 1))
    s.row(None, *(towns + ["合计"]) * 2)
    s.merges += [(top, 1, top, width), (top, width + 1, top, 2 * width), (top, 0, top + 1, 0)]
    s.row("计量单位", *["万元"] * (2 * width))
    fines = [round(rnd.uniform(1, 120), 1) for _ in towns]
    total = round(sum(fines), 1)
    i = s.row("罚款金额", *fines, total, *(round(f * 0.9, 1) for f in fines), round(total * 0.9, 1))
    for k, (town, v) in enumerate(zip(towns, fines)):
        s.expect(i, 1 + k, "market_fines", town, round(v * 10_000, 6))
    s.expect(i, width, "market_fines", "", round(total * 10_000, 6))
    s.row()
    s.rows += SIGN_OFF
    return s


def village_rows(rnd: random.Random) -> tuple[str, Sheet]:
    """Invented: a 镇街's own breakdown by 村/社区, a 合计 row; some names without their suffix."""
    town = rnd.choice(TOWNS)
    s = Sheet()
    s.row(f"{town}{YEAR}年人民调解情况")
    s.row(org_line(town_name(rnd, town)))
    s.row("序号", "村（社区）", "调解委员会数（个）", "成功调解矛盾纠纷数（件）")
    villages = rnd.sample(VILLAGES, 4)
    totals = [0, 0]
    for n, v in enumerate(villages, start=1):
        written = v if rnd.random() < 0.6 else v.removesuffix("村").removesuffix("社区") or v
        values = [rnd.randint(1, 3), count(rnd)]
        totals = [a + b for a, b in zip(totals, values)]
        i = s.row(n, written, *values)
        s.expect(i, 2, "mediation_committees", written, values[0])
        s.expect(i, 3, "mediation_success_cases", written, values[1])
        if rnd.random() < 0.3:
            s.row()
    i = s.row(None, "合计", *totals)
    s.expect(i, 2, "mediation_committees", "", totals[0])
    s.expect(i, 3, "mediation_success_cases", "", totals[1])
    s.row("注：社区调解委员会含物业纠纷调委会。")
    s.rows += SIGN_OFF
    return town, s


def villages_across(rnd: random.Random) -> tuple[str, Sheet]:
    """Invented: 村/社区 across the columns under a diagonal header, no name header."""
    town = rnd.choice(TOWNS)
    villages = [v if rnd.random() < 0.5 else v.removesuffix("村").removesuffix("社区") or v
                for v in rnd.sample(VILLAGES, 3)]  # the header names them 村（社区）: a suffix is not needed
    s = Sheet()
    s.row(org_line(town_name(rnd, town)))
    s.row()
    s.row("项目＼村（社区）", *villages, "合计")
    for label, code in (("成功调解矛盾纠纷数（件）", "mediation_success_cases"), ("调解委员会数（个）", "mediation_committees")):
        values = [rnd.randint(1, 50) for _ in villages]
        i = s.row(label, *values, sum(values))
        for k, (v, x) in enumerate(zip(villages, values)):
            s.expect(i, 1 + k, code, v, x)
        s.expect(i, 1 + len(villages), code, "", sum(values))
    s.rows += SIGN_OFF
    return town, s


def town_sheets(rnd: random.Random) -> dict[str, Sheet]:
    out = {}
    for town in rnd.sample(TOWNS, 3):
        s = Sheet()
        s.row(f"{town}{YEAR}年市场监管执法情况")
        s.row("指标名称", "单位", f"{YEAR}年", f"{YEAR - 1}年", "备注")
        cases, fines = count(rnd), round(rnd.uniform(1, 99), 1)
        s.expect(s.row("行政处罚案件数", "件", cases, count(rnd), None), 2, "market_penalty_cases", town, cases)
        s.expect(s.row("罚款金额", "万元", fines, 1.0, "含没收违法所得"), 2, "market_fines", town,
                 round(fines * 10_000, 6))
        s.row()
        s.rows += SIGN_OFF
        out[town_name(rnd, town)] = s
    return out


# ------------------------------------------------------------------------------ the check
def write_year(root: Path, seed: int) -> list[tuple]:
    """Every shape, written under root/raw/YEAR; returns the expected table rows."""
    rnd = random.Random(seed)
    books: dict[str, tuple[str, dict[str, Sheet]]] = {
        "区司法局复议援助.xlsx": ("区司法局", {"复议援助": two_level(rnd, "column")}),
        "区司法局复议援助（分组行）.xlsx": ("区司法局", {"Sheet1": two_level(rnd, "rows")}),
        "区司法局分镇街.xlsx": ("区司法局", {"分镇街": towns_across(rnd)}),
        "区市场监管局罚款.xlsx": ("区市场监管局", {"罚款": towns_across_with_last_year(rnd)}),
        "区市场监管局分镇街统计.xlsx": ("区市场监管局", town_sheets(rnd)),
    }
    town, s = village_rows(rnd)
    books[f"{town}人民调解.xlsx"] = (town, {"村社区": s})
    town2, s = villages_across(rnd)
    books[f"{town2}村社区调解.xlsx"] = (town2, {"分村": s})
    expected = []
    folder = root / "raw" / str(YEAR)
    for name, (org, sheets) in books.items():
        grids, merges = {}, {}
        for sheet_name, s in sheets.items():
            grids[sheet_name], merges[sheet_name], cells = s.shifted(rnd.randint(0, 2), rnd.randint(0, 2))
            expected += [(f"{YEAR}/{name}", sheet_name, cell, org, area, code, float(value))
                         for cell, (code, area, value) in cells.items()]
        write_xlsx(folder / name, grids, merges=merges)
    return sorted(expected)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_fresh_workbooks_of_every_shape_clean_to_what_a_person_reads(tmp_path, seed):
    expected = write_year(tmp_path, seed)
    (result,) = run_clean(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "out", year=YEAR, progress=False)
    ind, log = result.indicators, result.log
    got = sorted(ind[["source_file", "sheet", "cell", "org", "area", "code", "value"]].itertuples(index=False, name=None))
    assert got == expected
    assert result.unmapped.empty
    aside = log[log["outcome"] == "set_aside"]
    assert aside["reason"].str.endswith(f"列不是{YEAR}年数值列").all(), aside.to_string()
    assert aside["reason"].str.contains("上年|2022年").all()
    assert not (log["outcome"] == "rejected").any()
    assert not (log["event"].isin(["total_mismatch", "unknown_org", "skipped_sheet"])).any()
    assert check_ledger(ind, result.unmapped, log)["balanced"].all()
    # the cited cell holds the value as written (a 万元 figure ×10 000)
    assert set(ind["unit"]) <= {"件", "次", "个", "元"}
    assert (ind.loc[ind["unit"] == "元", "value"] % 1000 == 0).all()
    assert set(pd.unique(ind["year"])) == {YEAR}
