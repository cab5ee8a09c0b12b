"""Malformed department submissions, each beside a good workbook in one raw year folder.

Every case states the exact ``cleaning_log.csv`` line it must produce (file, sheet, cell,
event, outcome, code and a key phrase of the reason) and the values that must (or must not)
reach ``indicators.csv``; the good 区市场监管局 workbook must always still be read in full.
The last tests run the CLI once over the whole corpus: exit status, stderr, time, memory,
untouched raw folder, balanced ledger, no personal data, deterministic outputs.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import resource
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
import pytest

from fzanalysis.core.catalog import load_catalog
from fzanalysis.ingest.clean import clean_workbook
from fzanalysis.store.data import run_clean
from fzanalysis.store.outputs import OUTPUT_FILES
from fzanalysis.ingest.log import check_ledger
from fzanalysis.ingest.workbook import Limits
from tests.xlsx_factory import (
    GOOD_MARKET_VALUES,
    MARKET_ORG_LINE,
    SIGN_OFF,
    YEAR,
    Fmt,
    Text,
    layout_a_grid,
    make_csv,
    make_good_market,
    make_layout_a,
    make_layout_b,
    org_line,
    truncate,
    write_xlsx,
    zip_bomb,
)

GOOD = "区市场监管局统计表.xlsx"
BOMB_MB = 210  # inflates past the default bound of 200 MB; the file itself is ~0.2 MB
PERSONAL = ("张晓明", "王建国", "李红梅", "13812345678", "023-68881234")
FORMULA_LABELS = ('=HYPERLINK("http://x","y")', "+1+2", "@SUM(A1)")


def read_out(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


@dataclass(frozen=True)
class Line:
    """One expected cleaning-log row; ``phrase`` must occur in its reason."""

    file: str
    event: str
    outcome: str
    phrase: str
    sheet: str = ""
    cell: str = ""
    code: str = ""
    raw_text: str | None = None  # checked when given (as written in the CSV)


@dataclass(frozen=True)
class Kept:
    """A value that must be in indicators.csv."""

    file: str
    code: str
    value: float
    cell: str
    area: str = ""


@dataclass(frozen=True)
class Case:
    id: str
    build: Callable[[Path, dict], None]  # (year folder, assets) → writes the case's files
    lines: tuple[Line, ...]
    kept: tuple[Kept, ...] = ()
    absent_codes: tuple[tuple[str, str], ...] = ()  # (file, code) that must not be kept
    unreadable: tuple[str, ...] = ()  # files the CLI must name on stderr


# ------------------------------------------------------------------------------ the corpus
def _corrupt(y: Path, _: dict) -> None:
    (y / "损坏文件.xlsx").write_bytes(bytes(range(256)) * 40)


def _truncated(y: Path, _: dict) -> None:
    full = make_layout_a(y.parent / "full.xlsx", org_line("重庆市大渡口区财政局"), [("审计项目数", "个", 3)] * 40)
    truncate(full, y / "区财政局统计表.xlsx")
    full.unlink()


def _text_file(y: Path, _: dict) -> None:
    (y / "区税务局统计表.xlsx").write_text("区税务局2023年法治政府建设情况：办理行政处罚案件12件。\n", encoding="utf-8")


def _pdf_file(y: Path, _: dict) -> None:
    (y / "区交通局统计表.xlsx").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n%%EOF\n")


def _empty_file(y: Path, _: dict) -> None:
    (y / "区卫生健康委统计表.xlsx").write_bytes(b"")


def _zip_not_xlsx(y: Path, _: dict) -> None:
    with zipfile.ZipFile(y / "区人力社保局统计表.xlsx", "w") as zf:
        zf.writestr("统计表.txt", "行政处罚案件数,12")


def _garbage_xls(y: Path, _: dict) -> None:
    (y / "区教委统计表.xls").write_bytes(b"\xd0\xcf\x11\xe0" + bytes(range(200, 256)) * 30)


def _bomb_xlsx(y: Path, assets: dict) -> None:
    (y / "区住房城乡建委统计表.xlsx").write_bytes(assets["bomb.xlsx"])


def _bomb_ods(y: Path, assets: dict) -> None:
    (y / "区规划自然资源局统计表.ods").write_bytes(assets["bomb.ods"])


def _prose_only(y: Path, _: dict) -> None:
    write_xlsx(y / "区公安分局情况说明.xlsx", {"说明": [
        ["区公安分局关于2023年度法治政府建设情况的说明"],
        [],
        ["我局2023年认真贯彻落实法治政府建设各项部署，全年未发生重大行政执法过错。"],
        ["具体数据已在年度工作总结中报送，此处不再重复填报。"],
    ]})


def _empty_sheet(y: Path, _: dict) -> None:
    write_xlsx(y / "区民政局统计表.xlsx", {
        "统计表": layout_a_grid(org_line("重庆市大渡口区民政局"), [("撤销登记社会组织数", "家", 3)]),
        "Sheet2": [],
    })


def _negative(y: Path, _: dict) -> None:
    make_layout_a(y / "区应急管理局统计表.xlsx", org_line("重庆市大渡口区应急管理局"),
                  [("安全生产执法检查家次", "家次", -5), ("排查安全隐患数", "处", 321)])


def _rate_over_100(y: Path, _: dict) -> None:
    make_layout_a(y / "区政务服务管理办公室统计表.xlsx", org_line("大渡口区政务服务管理办公室"),
                  [("渝快办满意率", "%", "120%"), ("渝快办评价率", "%", Fmt(0.995, "0.0%"))])


def _unreadable_text(y: Path, _: dict) -> None:
    make_layout_a(y / "九宫庙街道统计表.xlsx", org_line("九宫庙街道办事处"),
                  [("镇街日常巡查次数", "次", "待统计"), ("镇街综合行政执法案件数", "件", 33)])


def _formula_no_cache(y: Path, _: dict) -> None:
    make_layout_a(y / "区发展改革委统计表.xlsx", org_line("重庆市大渡口区发展和改革委员会"),
                  [("信用数据归集条数", "条", '=IF(D5>0,D5*2,"待统计")'), ("信用承诺签订数", "份", 800)])


def _duplicate(y: Path, _: dict) -> None:
    make_layout_a(y / "区市场监管局统计表（补报）.xlsx", MARKET_ORG_LINE, [("行政处罚案件数", "件", 581)])


def _unknown_org(y: Path, _: dict) -> None:
    make_layout_a(y / "档案馆统计表.xlsx", org_line("重庆市大渡口区档案馆"), [("政策解读数", "件", 8)])


def _unknown_label(y: Path, _: dict) -> None:
    make_layout_a(y / "区司法局统计表.xlsx", org_line("重庆市大渡口区司法局"),
                  [("行政复议受理数", "件", 29), ("普法短视频播放量", "次", 12000)])


def _formula_text(y: Path, _: dict) -> None:
    make_layout_a(y / "区政府办公室统计表.xlsx", org_line("大渡口区人民政府办公室"), [
        *[(Text(label), "件", n) for n, label in enumerate(FORMULA_LABELS, start=1)],
        ("政策解读数", "件", Text("=1+1")),
        ("主动公开政府信息条数", "条", 2400),
    ])


def _hidden_sheet(y: Path, _: dict) -> None:
    make_layout_a(y / "区审计局统计表.xlsx", org_line("重庆市大渡口区审计局"), [("审计项目数", "个", 45)],
                  hidden_sheets={"往年数据": layout_a_grid(None, [("审计项目数", "个", 999), ("挽回损失金额", "万元", 77)])})


def _unit_conflict(y: Path, _: dict) -> None:
    make_layout_a(y / "区生态环境局统计表.xlsx", org_line("重庆市大渡口区生态环境局"),
                  [("行政处罚案件数", "件", "12家"), ("正面清单企业数", "家", 25)])


def _csv_gb18030(y: Path, _: dict) -> None:
    make_csv(y / "新山村街道统计表.csv", layout_a_grid(org_line("大渡口区新山村街道办事处"),
             [("镇街综合行政执法案件数", "件", "56"), ("镇街日常巡查次数", "次", "1,200")]), encoding="gb18030")


def _csv_utf8_bom(y: Path, _: dict) -> None:
    make_csv(y / "跃进村街道统计表.csv", layout_a_grid(org_line("大渡口区跃进村街道办事处"),
             [("镇街综合行政执法案件数", "件", "41"), ("镇街日常巡查次数", "次", "980")]), encoding="utf-8-sig")


def _total_mismatch(y: Path, _: dict) -> None:
    make_layout_b(y / "区城市管理局镇街统计表.xlsx", org_line("重庆市大渡口区城市管理局"),
                  ["镇街", "占道停车劝诫人次（人次）", "查处车辆数（辆）"],
                  [["八桥镇", 100, 5], ["建胜镇", 200, 6], ["跳磴镇", 300, 7]], total=[600, 20])


def _excel_errors(y: Path, _: dict) -> None:
    # D4: a real error cell (t="e"), as Excel saves =0/0; D5: the error typed as text
    make_layout_a(y / "茄子溪街道统计表.xlsx", org_line("大渡口区茄子溪街道办事处"),
                  [("调解成功率", "%", "#DIV/0!"), ("行政执法公示率", "%", Text("#DIV/0!")), ("调解委员会数", "个", 6)])


def _missing_markers(y: Path, _: dict) -> None:
    make_layout_a(y / "区政府统计表.xlsx", org_line("重庆市大渡口区人民政府"), [
        ("重大行政决策事项数", "件", "—"), ("法治专题讲座期数", "期", "/"), ("营商环境专项行动数", "项", "无"),
        ("营商环境措施数", "条", 30),
    ])


def _sign_off(y: Path, _: dict) -> None:
    make_layout_a(y / "春晖路街道统计表.xlsx", org_line("大渡口区春晖路街道办事处"),
                  [("镇街综合行政执法案件数", "件", 27), ("镇街日常巡查次数", "次", 640)],
                  footer=[["注：数据截至2023年12月31日。"], list(SIGN_OFF), ["填表人", "李红梅", "联系电话", "023-68881234"]])


def _date_value(y: Path, _: dict) -> None:
    make_layout_a(y / "八桥镇统计表.xlsx", org_line("大渡口区八桥镇人民政府"),
                  [("镇街综合行政执法案件数", "件", dt.datetime(2023, 12, 31)), ("镇街日常巡查次数", "次", 512)])


def _blank_row(y: Path, _: dict) -> None:
    make_layout_a(y / "建胜镇统计表.xlsx", org_line("大渡口区建胜镇人民政府"),
                  [("镇街综合行政执法案件数", "件", 19), None, ("镇街日常巡查次数", "次", 733)])


F = f"{YEAR}/"
CASES = [
    Case("corrupt_bytes", _corrupt, (Line(F + "损坏文件.xlsx", "unreadable_workbook", "", "zip 结构损坏或被截断"),),
         unreadable=(F + "损坏文件.xlsx",)),
    Case("truncated_xlsx", _truncated,
         (Line(F + "区财政局统计表.xlsx", "unreadable_workbook", "", "zip 结构损坏或被截断"),),
         unreadable=(F + "区财政局统计表.xlsx",)),
    Case("text_named_xlsx", _text_file,
         (Line(F + "区税务局统计表.xlsx", "unreadable_workbook", "", "不是有效的 xlsx 文件"),),
         unreadable=(F + "区税务局统计表.xlsx",)),
    Case("pdf_named_xlsx", _pdf_file,
         (Line(F + "区交通局统计表.xlsx", "unreadable_workbook", "", "不是有效的 xlsx 文件"),),
         unreadable=(F + "区交通局统计表.xlsx",)),
    Case("empty_file", _empty_file, (Line(F + "区卫生健康委统计表.xlsx", "unreadable_workbook", "", "空文件（0 字节）"),),
         unreadable=(F + "区卫生健康委统计表.xlsx",)),
    Case("zip_without_workbook", _zip_not_xlsx,
         (Line(F + "区人力社保局统计表.xlsx", "unreadable_workbook", "", "缺少 xl/workbook.xml"),),
         unreadable=(F + "区人力社保局统计表.xlsx",)),
    Case("garbage_xls", _garbage_xls, (Line(F + "区教委统计表.xls", "unreadable_workbook", "", "不是可读的电子表格"),),
         unreadable=(F + "区教委统计表.xls",)),
    Case("zip_bomb_xlsx", _bomb_xlsx,
         (Line(F + "区住房城乡建委统计表.xlsx", "workbook_too_large", "", f"解压后 {BOMB_MB} MB，超过上限 200 MB"),),
         unreadable=(F + "区住房城乡建委统计表.xlsx",)),
    Case("zip_bomb_ods", _bomb_ods,
         (Line(F + "区规划自然资源局统计表.ods", "workbook_too_large", "", "超过上限 200 MB"),),
         unreadable=(F + "区规划自然资源局统计表.ods",)),
    Case("prose_only", _prose_only,
         (Line(F + "区公安分局情况说明.xlsx", "skipped_sheet", "", "未找到数据表", sheet="说明"),)),
    Case("empty_sheet", _empty_sheet,
         (Line(F + "区民政局统计表.xlsx", "skipped_sheet", "", "空工作表", sheet="Sheet2"),),
         kept=(Kept(F + "区民政局统计表.xlsx", "social_orgs_deregistered", 3, "D4"),)),
    Case("negative_count", _negative,
         (Line(F + "区应急管理局统计表.xlsx", "rejected", "rejected", "小于下限 0", "Sheet1", "D4",
               "safety_inspections", "-5"),),
         kept=(Kept(F + "区应急管理局统计表.xlsx", "safety_hazards_found", 321, "D5"),),
         absent_codes=((F + "区应急管理局统计表.xlsx", "safety_inspections"),)),
    Case("rate_over_100", _rate_over_100,
         (Line(F + "区政务服务管理办公室统计表.xlsx", "rejected", "rejected", "超过上限 100%", "Sheet1", "D4",
               "yukuaiban_satisfaction_rate", "120%"),
          Line(F + "区政务服务管理办公室统计表.xlsx", "coerced", "", "百分比格式单元格", "Sheet1", "D5",
               "yukuaiban_evaluation_rate")),
         kept=(Kept(F + "区政务服务管理办公室统计表.xlsx", "yukuaiban_evaluation_rate", 99.5, "D5"),),
         absent_codes=((F + "区政务服务管理办公室统计表.xlsx", "yukuaiban_satisfaction_rate"),)),
    Case("unreadable_text", _unreadable_text,
         (Line(F + "九宫庙街道统计表.xlsx", "rejected", "rejected", "无法识别的数值：'待统计'", "Sheet1", "D4",
               "town_enforcement_inspections", "待统计"),),
         kept=(Kept(F + "九宫庙街道统计表.xlsx", "town_enforcement_cases", 33, "D5"),),
         absent_codes=((F + "九宫庙街道统计表.xlsx", "town_enforcement_inspections"),)),
    Case("formula_without_cached_value", _formula_no_cache,
         (Line(F + "区发展改革委统计表.xlsx", "rejected", "rejected", '公式没有缓存值（=IF(D5>0,D5*2,"待统计")）',
               "Sheet1", "D4", "credit_data_records"),),
         kept=(Kept(F + "区发展改革委统计表.xlsx", "credit_commitments_signed", 800, "D5"),),
         absent_codes=((F + "区发展改革委统计表.xlsx", "credit_data_records"),)),
    Case("duplicate_submission", _duplicate,
         (Line(F + GOOD, "duplicate_submission", "", "另见 2023/区市场监管局统计表（补报）.xlsx"),
          Line(F + "区市场监管局统计表（补报）.xlsx", "duplicate_submission", "", f"另见 2023/{GOOD}")),
         kept=(Kept(F + "区市场监管局统计表（补报）.xlsx", "market_penalty_cases", 581, "D4"),)),
    Case("unknown_org", _unknown_org,
         (Line(F + "档案馆统计表.xlsx", "unknown_org", "", "报送单位「重庆市大渡口区档案馆」不在单位名录中"),),
         kept=(Kept(F + "档案馆统计表.xlsx", "policy_interpretations", 8, "D4"),)),
    Case("unknown_label", _unknown_label,
         (Line(F + "区司法局统计表.xlsx", "unmapped", "set_aside", "指标名称「普法短视频播放量」指标名称不在目录中",
               "Sheet1", "D5", "", "12000"),),
         kept=(Kept(F + "区司法局统计表.xlsx", "recon_accepted", 29, "D4"),)),
    Case("formula_looking_text", _formula_text,
         (*[Line(F + "区政府办公室统计表.xlsx", "unmapped", "set_aside", f"指标名称「{label}」", "Sheet1", f"D{4 + n}")
            for n, label in enumerate(FORMULA_LABELS)],
          Line(F + "区政府办公室统计表.xlsx", "rejected", "rejected", "无法识别的数值", "Sheet1", "D7",
               "policy_interpretations", "'=1+1")),
         kept=(Kept(F + "区政府办公室统计表.xlsx", "disclosure_gov_info", 2400, "D8"),)),
    Case("hidden_sheet", _hidden_sheet,
         (Line(F + "区审计局统计表.xlsx", "skipped_sheet", "", "隐藏工作表", sheet="往年数据"),),
         kept=(Kept(F + "区审计局统计表.xlsx", "audit_projects", 45, "D4"),),
         absent_codes=((F + "区审计局统计表.xlsx", "audit_losses_recovered"),)),
    Case("unit_conflict", _unit_conflict,
         (Line(F + "区生态环境局统计表.xlsx", "rejected", "rejected", "单位「家」与目录单位「件」不一致", "Sheet1", "D4",
               "eco_penalty_cases", "12家"),),
         kept=(Kept(F + "区生态环境局统计表.xlsx", "eco_positive_list_firms", 25, "D5"),),
         absent_codes=((F + "区生态环境局统计表.xlsx", "eco_penalty_cases"),)),
    Case("csv_gb18030", _csv_gb18030,
         (Line(F + "新山村街道统计表.csv", "ledger", "", "读取 2 = 保留 2 + 拒收 0 + 搁置 0"),),
         kept=(Kept(F + "新山村街道统计表.csv", "town_enforcement_cases", 56, "D4"),
               Kept(F + "新山村街道统计表.csv", "town_enforcement_inspections", 1200, "D5"))),
    Case("csv_utf8_bom", _csv_utf8_bom,
         (Line(F + "跃进村街道统计表.csv", "ledger", "", "读取 2 = 保留 2 + 拒收 0 + 搁置 0"),),
         kept=(Kept(F + "跃进村街道统计表.csv", "town_enforcement_cases", 41, "D4"),
               Kept(F + "跃进村街道统计表.csv", "town_enforcement_inspections", 980, "D5"))),
    Case("layout_b_total_mismatch", _total_mismatch,
         (Line(F + "区城市管理局镇街统计表.xlsx", "total_mismatch", "", "合计 20辆 不等于分项之和 18辆（按原值保留合计）",
               "Sheet1", "C7", "urban_vehicles_penalized", "20"),),
         kept=(Kept(F + "区城市管理局镇街统计表.xlsx", "urban_vehicles_penalized", 20, "C7"),
               Kept(F + "区城市管理局镇街统计表.xlsx", "urban_vehicles_penalized", 5, "C4", "八桥镇"),
               Kept(F + "区城市管理局镇街统计表.xlsx", "urban_parking_warnings", 600, "B7"))),
    Case("excel_error_values", _excel_errors,
         (Line(F + "茄子溪街道统计表.xlsx", "rejected", "rejected", "Excel 错误值", "Sheet1", "D4",
               "mediation_success_rate", "#DIV/0!"),
          Line(F + "茄子溪街道统计表.xlsx", "rejected", "rejected", "Excel 错误值", "Sheet1", "D5",
               "enforcement_publicity_rate", "#DIV/0!")),
         kept=(Kept(F + "茄子溪街道统计表.xlsx", "mediation_committees", 6, "D6"),),
         absent_codes=((F + "茄子溪街道统计表.xlsx", "mediation_success_rate"),
                       (F + "茄子溪街道统计表.xlsx", "enforcement_publicity_rate"))),
    Case("missing_markers", _missing_markers,
         (Line(F + "区政府统计表.xlsx", "missing", "set_aside", "缺失标记「—」，未记为 0", "Sheet1", "D4",
               "major_decision_items", "—"),
          Line(F + "区政府统计表.xlsx", "missing", "set_aside", "缺失标记「/」，未记为 0", "Sheet1", "D5",
               "gov_law_lectures", "/"),
          Line(F + "区政府统计表.xlsx", "missing", "set_aside", "缺失标记「无」，未记为 0", "Sheet1", "D6",
               "business_env_actions", "无")),
         kept=(Kept(F + "区政府统计表.xlsx", "business_env_measures", 30, "D7"),),
         absent_codes=tuple((F + "区政府统计表.xlsx", c)
                            for c in ("major_decision_items", "gov_law_lectures", "business_env_actions"))),
    Case("sign_off_personal_data", _sign_off,
         (Line(F + "春晖路街道统计表.xlsx", "personal_data_removed", "", "已剔除", "Sheet1", "A7"),
          Line(F + "春晖路街道统计表.xlsx", "personal_data_removed", "", "已剔除", "Sheet1", "A8")),
         kept=(Kept(F + "春晖路街道统计表.xlsx", "town_enforcement_cases", 27, "D4"),
               Kept(F + "春晖路街道统计表.xlsx", "town_enforcement_inspections", 640, "D5"))),
    Case("date_in_value_cell", _date_value,
         (Line(F + "八桥镇统计表.xlsx", "rejected", "rejected", "不是数值", "Sheet1", "D4", "town_enforcement_cases"),),
         kept=(Kept(F + "八桥镇统计表.xlsx", "town_enforcement_inspections", 512, "D5"),),
         absent_codes=((F + "八桥镇统计表.xlsx", "town_enforcement_cases"),)),
    Case("blank_row_inside_table", _blank_row,
         (Line(F + "建胜镇统计表.xlsx", "ledger", "", "读取 2 = 保留 2 + 拒收 0 + 搁置 0"),),
         kept=(Kept(F + "建胜镇统计表.xlsx", "town_enforcement_cases", 19, "D4"),
               Kept(F + "建胜镇统计表.xlsx", "town_enforcement_inspections", 733, "D6"))),
]
UNREADABLE = [f for c in CASES for f in c.unreadable]


# ------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def assets(tmp_path_factory) -> dict:
    """Built once: the zip bombs (~0.2 MB each on disk, 210 MB inflated)."""
    d = tmp_path_factory.mktemp("assets")
    return {
        "bomb.xlsx": zip_bomb(d / "bomb.xlsx", BOMB_MB).read_bytes(),
        "bomb.ods": zip_bomb(d / "bomb.ods", BOMB_MB).read_bytes(),
    }


def year_folder(root: Path) -> Path:
    y = root / "raw" / str(YEAR)
    y.mkdir(parents=True)
    make_good_market(y / GOOD)
    return y


def outputs(out: Path) -> dict[str, pd.DataFrame]:
    d = out / str(YEAR)
    return {name: read_out(d / f"{name}.csv") for name in ("indicators", "cleaning_log", "unmapped")}


def assert_line(log: pd.DataFrame, line: Line) -> None:
    hit = log[(log["file"] == line.file) & (log["event"] == line.event)
              & (log["sheet"] == line.sheet) & (log["cell"] == line.cell)]
    assert len(hit) == 1, f"expected one {line}, got:\n{log[log['file'] == line.file].to_string()}"
    row = hit.iloc[0]
    assert row["outcome"] == line.outcome, row.to_dict()
    assert row["code"] == line.code, row.to_dict()
    assert line.phrase in row["reason"], row.to_dict()
    if line.raw_text is not None:
        assert row["raw_text"] == line.raw_text, row.to_dict()


def assert_kept(ind: pd.DataFrame, kept: Kept) -> None:
    hit = ind[(ind["source_file"] == kept.file) & (ind["code"] == kept.code) & (ind["area"] == kept.area)]
    assert len(hit) == 1, f"expected {kept}, got:\n{ind[ind['source_file'] == kept.file].to_string()}"
    assert float(hit.iloc[0]["value"]) == pytest.approx(kept.value), hit.iloc[0].to_dict()
    assert hit.iloc[0]["cell"] == kept.cell


def assert_good_values(ind: pd.DataFrame) -> None:
    good = ind[ind["source_file"] == f"{YEAR}/{GOOD}"]
    assert dict(zip(good["code"], good["value"].astype(float))) == GOOD_MARKET_VALUES
    assert set(good["org"]) == {"区市场监管局"} and set(good["area"]) == {""}


def assert_balanced(out: Path, files: list[str]) -> None:
    o = outputs(out)
    ind = pd.read_parquet(out / str(YEAR) / "indicators.parquet")
    log = o["cleaning_log"]
    for col in ("cells_read", "kept", "rejected", "set_aside"):
        log[col] = pd.to_numeric(log[col].replace("", None))
    ledger = check_ledger(ind, o["unmapped"], log)
    assert sorted(ledger["file"]) == sorted(files)
    assert ledger["balanced"].all(), ledger.to_string()


def assert_no_formula_cells(out: Path) -> None:
    """No CSV cell an Excel user opens may start like a formula (=, +, @)."""
    for name in ("indicators", "cleaning_log", "unmapped"):
        df = read_out(out / str(YEAR) / f"{name}.csv")
        for col in df.columns:
            bad = df[col][df[col].str.startswith(("=", "+", "@"))]
            assert bad.empty, (name, col, bad.tolist())


def output_bytes(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def assert_no_personal_data(out: Path) -> None:
    for name, data in output_bytes(out).items():
        for secret in PERSONAL:
            assert secret.encode() not in data, (name, secret)
    # parquet is compressed: look inside its cells too
    ind = pd.read_parquet(out / str(YEAR) / "indicators.parquet")
    text = ind.astype(str).to_csv()
    assert not any(secret in text for secret in PERSONAL)


# ------------------------------------------------------------------------------ one case at a time
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_malformed_beside_good_workbook(case: Case, tmp_path: Path, assets: dict) -> None:
    y = year_folder(tmp_path)
    case.build(y, assets)
    files = sorted(f"{YEAR}/{p.name}" for p in y.iterdir())
    t0 = time.perf_counter()
    results = run_clean(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "out", year=YEAR, progress=False)
    assert time.perf_counter() - t0 < 10
    (result,) = results
    assert sorted(line.split(": ", 1)[0] for line in result.failed) == sorted(case.unreadable)
    o = outputs(tmp_path / "out")
    for line in case.lines:
        assert_line(o["cleaning_log"], line)
    assert_good_values(o["indicators"])
    for kept in case.kept:
        assert_kept(o["indicators"], kept)
    for file, code in case.absent_codes:
        assert o["indicators"][(o["indicators"]["source_file"] == file) & (o["indicators"]["code"] == code)].empty
    # nothing else than the duplicate case touches the good workbook's log
    good_events = set(o["cleaning_log"].loc[o["cleaning_log"]["file"] == f"{YEAR}/{GOOD}", "event"])
    assert good_events <= {"coerced", "ledger", "duplicate_submission", "filing_date"}
    if case.id != "duplicate_submission":
        assert "duplicate_submission" not in good_events
    assert_balanced(tmp_path / "out", files)
    assert_no_formula_cells(tmp_path / "out")


def test_unmapped_and_neutralised_formula_text(tmp_path: Path, assets: dict) -> None:
    y = year_folder(tmp_path)
    _unknown_label(y, assets)
    _formula_text(y, assets)
    run_clean(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "out", year=YEAR, progress=False)
    um = outputs(tmp_path / "out")["unmapped"]
    row = um[um["label"] == "普法短视频播放量"].iloc[0]
    assert (row["org"], row["value"], row["unit"], row["cell"], row["reason"]) == (
        "区司法局", "12000", "次", "D5", "指标名称不在目录中")
    # formula-looking labels: kept in unmapped.csv, neutralised with a leading apostrophe
    labels = um.loc[um["source_file"] == f"{YEAR}/区政府办公室统计表.xlsx", "label"].tolist()
    assert labels == ["'" + t for t in FORMULA_LABELS]
    raw = (tmp_path / "out" / str(YEAR) / "unmapped.csv").read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in raw and "\n=" not in raw and ",=" not in raw and ",+" not in raw and ",@" not in raw
    log_raw = (tmp_path / "out" / str(YEAR) / "cleaning_log.csv").read_text(encoding="utf-8-sig")
    assert ",'=1+1," in log_raw
    # the parquet keeps the text as received (it is data, not a spreadsheet)
    assert_no_formula_cells(tmp_path / "out")


def test_hidden_sheet_values_absent(tmp_path: Path, assets: dict) -> None:
    y = year_folder(tmp_path)
    _hidden_sheet(y, assets)
    run_clean(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "out", year=YEAR, progress=False)
    o = outputs(tmp_path / "out")
    assert "往年数据" not in set(o["indicators"]["sheet"]) and "999" not in set(o["indicators"]["raw_text"])
    assert o["unmapped"].empty
    hidden = o["cleaning_log"][o["cleaning_log"]["sheet"] == "往年数据"]
    assert hidden["event"].tolist() == ["skipped_sheet"]
    assert hidden["org"].tolist() == ["区审计局"]


def test_missing_markers_are_never_zero(tmp_path: Path, assets: dict) -> None:
    y = year_folder(tmp_path)
    _missing_markers(y, assets)
    run_clean(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "out", year=YEAR, progress=False)
    ind = outputs(tmp_path / "out")["indicators"]
    gov = ind[ind["source_file"] == f"{YEAR}/区政府统计表.xlsx"]
    assert gov["code"].tolist() == ["business_env_measures"]
    assert "0" not in set(ind["value"])


def test_personal_data_in_no_output(tmp_path: Path, assets: dict) -> None:
    y = year_folder(tmp_path)
    _sign_off(y, assets)
    # a sign-off block under a Layout B sheet
    make_layout_b(y / "跳磴镇统计表.xlsx", org_line("大渡口区跳磴镇人民政府"),
                  ["镇街", "镇街综合行政执法案件数（件）", "镇街日常巡查次数（次）"],
                  [["跳磴镇", 14, 300], ["建胜镇", 9, 200]],
                  footer=[[], list(SIGN_OFF), ["经办人：李红梅", "手机：13812345678"]])
    run_clean(raw_dir=tmp_path / "raw", processed_dir=tmp_path / "out", year=YEAR, progress=False)
    assert_no_personal_data(tmp_path / "out")
    ind = outputs(tmp_path / "out")["indicators"]
    assert ind.loc[ind["source_file"] == f"{YEAR}/跳磴镇统计表.xlsx", "value"].tolist() == ["14", "300", "9", "200"]
    log = outputs(tmp_path / "out")["cleaning_log"]
    removed = log[(log["file"] == f"{YEAR}/跳磴镇统计表.xlsx") & (log["event"] == "personal_data_removed")]
    assert removed["cell"].tolist() == ["A7", "A8"]


def test_bomb_refused_without_inflating(tmp_path: Path, assets: dict) -> None:
    cat = load_catalog()
    for name in ("bomb.xlsx", "bomb.ods"):
        path = tmp_path / name
        path.write_bytes(assets[name])
        t0 = time.perf_counter()
        res = clean_workbook(path, name, YEAR, cat)
        assert time.perf_counter() - t0 < 0.5  # inflating 210 MB takes longer than this
        assert not res.readable
        assert [(e.event, e.outcome) for e in res.events] == [("workbook_too_large", "")]
        assert "超过上限 200 MB" in res.events[0].reason
    # the bound is a parameter: a small good workbook passes 1 MB, not 1 KB
    good = make_good_market(tmp_path / GOOD)
    assert clean_workbook(good, GOOD, YEAR, cat, Limits(max_uncompressed=1024 * 1024)).readable
    small = clean_workbook(good, GOOD, YEAR, cat, Limits(max_uncompressed=1024))
    assert [e.event for e in small.events] == ["workbook_too_large"]
    cells = clean_workbook(good, GOOD, YEAR, cat, Limits(max_cells=10))
    assert [(e.event, e.sheet) for e in cells.events] == [("workbook_too_large", "Sheet1")]
    assert "单元格" in cells.events[0].reason


# ------------------------------------------------------------------------------ the whole corpus, CLI
@pytest.fixture(scope="module")
def corpus(tmp_path_factory, assets) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    y = year_folder(root)
    for case in CASES:
        case.build(y, assets)
    return root / "raw"


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _cli_clean(raw: Path, out: Path) -> tuple[subprocess.CompletedProcess, float]:
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "fzanalysis.cli", "clean", "--raw", str(raw), "--out", str(out)],
                          capture_output=True, text=True, timeout=60)
    return proc, time.perf_counter() - t0


MEASURED: dict[str, float] = {}


@pytest.fixture(scope="module")
def corpus_run(corpus: Path, tmp_path_factory) -> dict:
    before = _hashes(corpus)
    out = tmp_path_factory.mktemp("corpus_out")
    proc, seconds = _cli_clean(corpus, out / "a")
    max_rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    MEASURED.update(seconds=seconds, max_rss_mb=max_rss_mb)
    print(f"\ncorpus clean: {seconds:.2f} s, max RSS {max_rss_mb:.0f} MB", file=sys.stderr)
    return dict(proc=proc, seconds=seconds, rss=max_rss_mb, out=out, before=before, raw=corpus)


def test_corpus_cli_exit_and_stderr(corpus_run: dict) -> None:
    proc = corpus_run["proc"]
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == len(UNREADABLE), proc.stderr
    assert all(line.startswith("无法读取：") for line in lines), proc.stderr
    assert sorted(line.removeprefix("无法读取：").split(": ", 1)[0] for line in lines) == sorted(UNREADABLE)
    assert proc.stdout.startswith(f"{YEAR}: ")


def test_corpus_time_and_memory(corpus_run: dict) -> None:
    assert corpus_run["seconds"] < 60
    assert corpus_run["rss"] < 2048


def test_corpus_raw_folder_untouched(corpus_run: dict) -> None:
    assert _hashes(corpus_run["raw"]) == corpus_run["before"]


def test_corpus_log_lines_and_values(corpus_run: dict) -> None:
    out = corpus_run["out"] / "a"
    o = outputs(out)
    for case in CASES:
        for line in case.lines:
            assert_line(o["cleaning_log"], line)
        for kept in case.kept:
            assert_kept(o["indicators"], kept)
    assert_good_values(o["indicators"])
    dup = o["cleaning_log"][o["cleaning_log"]["event"] == "duplicate_submission"]
    assert sorted(dup["file"]) == sorted([f"{YEAR}/{GOOD}", f"{YEAR}/区市场监管局统计表（补报）.xlsx"])
    files = sorted(_hashes(corpus_run["raw"] / str(YEAR)))
    assert_balanced(out, [f"{YEAR}/{f}" for f in files])
    assert_no_formula_cells(out)
    assert_no_personal_data(out)
    assert sorted(p.name for p in (out / str(YEAR)).iterdir()) == sorted(OUTPUT_FILES)


def test_corpus_second_run_byte_identical(corpus_run: dict) -> None:
    proc, seconds = _cli_clean(corpus_run["raw"], corpus_run["out"] / "b")
    assert proc.returncode == corpus_run["proc"].returncode
    assert proc.stderr == corpus_run["proc"].stderr
    assert output_bytes(corpus_run["out"] / "a") == output_bytes(corpus_run["out"] / "b")
    # and cleaning again into the same folder changes nothing either
    proc, _ = _cli_clean(corpus_run["raw"], corpus_run["out"] / "a")
    assert output_bytes(corpus_run["out"] / "a") == output_bytes(corpus_run["out"] / "b")
    assert _hashes(corpus_run["raw"]) == corpus_run["before"]
