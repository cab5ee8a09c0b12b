#!/usr/bin/env python3
"""Create the bundled sample data: data/raw/2023/, data/raw/2022/, data/raw/2021/ and data/raw/README.md.

One workbook per reporting unit, laid out the way departments really send them
(DESIGN.md §2: Layout A indicator lists, Layout B 镇街 matrices, titles, 填报单位 lines,
notes, sign-off lines, hidden / empty / instructions sheets, a GB18030 CSV).

2023 reproduces the 109 published figures of the 2023 report (tests/data/figures_2023.csv)
exactly, each once as an area-less value of its reporting unit; everything else is
illustrative (see the generated README).  The output is byte-reproducible: fixed document
properties, fixed zip entry times, sorted zip entries.

    python scripts/make_sample_data.py             # (re)write data/raw/{2023,2022,2021}, README.md
    python scripts/make_sample_data.py --check     # rebuild twice in a temp dir, compare the
                                                   # bytes with data/raw, read every figure back
"""
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import math
import re
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from fzanalysis.core.catalog import load_catalog  # noqa: E402
from fzanalysis.core.text import split_unit  # noqa: E402
from fzanalysis.core.numbers import format_value, parse_value  # noqa: E402

SEED = ROOT / "tests" / "data" / "figures_2023.csv"
FIXED_TIME = datetime(2024, 1, 15, 9, 0, 0)
ZIP_TIME = (2024, 1, 15, 9, 0, 0)

# ------------------------------------------------------------------------- data tables
TOWNS = ["新山村街道", "跃进村街道", "九宫庙街道", "茄子溪街道", "春晖路街道", "八桥镇", "建胜镇", "跳磴镇"]
TOWN_WEIGHT = [1.3, 0.9, 1.5, 0.8, 1.2, 1.1, 0.9, 0.6]
OFFICIAL_TOWN = {"跃进村街道": "跃进村街道办事处", "九宫庙街道": "九宫庙街道办事处", "八桥镇": "八桥镇人民政府",
                 "跳磴镇": "跳磴镇人民政府"}
VILLAGE_POINTS = [13, 9, 15, 8, 12, 11, 9, 7]  # 村（社区）法律援助联络点 per 镇街, sum 84

# Illustrative 镇街综合行政执法 figures (not in the report); None = not applicable ("/").
TOWN_ENF = {
    2023: {"town_enforcement_cases": [46, 31, 58, 16, 40, 27, 19, 0],
           "town_enforcement_inspections": [326, 268, 402, 145, 310, 236, 198, 96],
           "enforcement_publicity_rate": [100, 100, 100, 87.5, 100, 100, 100, None],
           "enforcement_recording_rate": [100, 100, 100, 100, 100, 100, 94.7, None],
           "enforcement_legal_review_rate": [100, 100, 100, 100, 100, 100, 100, None]},
    2022: {"town_enforcement_cases": [38, 35, 44, 10, 29, 31, 15, 3],
           "town_enforcement_inspections": [280, 231, 350, 120, 266, 201, 170, 88],
           "enforcement_publicity_rate": [100, 100, 100, 100, 100, 100, 100, 66.7],
           "enforcement_recording_rate": [100, 100, 95.5, 100, 100, 100, 100, 100],
           "enforcement_legal_review_rate": [100, 100, 100, 100, 100, 100, 100, 100]},
    2021: {"town_enforcement_cases": [31, 30, 37, 12, 22, 26, 14, 5],
           "town_enforcement_inspections": [240, 210, 298, 101, 230, 188, 150, 80],
           "enforcement_publicity_rate": [100, 100, 95.2, 100, 100, 100, 100, 80],
           "enforcement_recording_rate": [100, 100, 90.9, 100, 100, 96.2, 100, 100],
           "enforcement_legal_review_rate": [100, 100, 100, 100, 100, 100, 100, 100]},
}
ENF_CODES = list(TOWN_ENF[2023])
TOWN_UNITS = {"town_enforcement_cases": "件", "town_enforcement_inspections": "次"}

# 2022: the report implies 行政复议受理 29 (41 / 1.413) and 审结 33 (42 / 1.272); the rest of
# 2022 is illustrative: fixed here, or the 2023 value times a per-code factor in [0.72, 1.15].
Y2022_FIXED = {
    "recon_accepted": 29, "recon_concluded": 33, "recon_carried_over": 5, "recon_closure_rate": 97.1,
    "chuanyu_tongban_modes": 3, "legal_aid_center": 1, "legal_aid_town_stations": 8,
    "legal_aid_village_points": 84, "mediation_committees": 103, "town_enforcement_items": 86,
    "legal_miniprogram_users": 19873, "legal_aid_accepted": 298, "legal_aid_closed": 236, "yukuaiban_satisfaction_rate": 99.6, "mediation_success_rate": 98.6,
    "village_notary_coverage": 96.4, "litigation_head_appearance_rate": 95.2,
}
IMPLIED_2022 = {"recon_accepted", "recon_concluded"}
# 2021 is illustrative: the five figures of the 司法局's hidden 历史数据 sheet (which the cleaner must not read)
# are the 2021 workbooks' own values; the rest is fixed here or the 2022 value times a per-code factor.
Y2021_FIXED = {
    "legal_aid_accepted": 287, "legal_aid_closed": 251, "recon_accepted": 22, "recon_concluded": 25,
    "mediation_success_cases": 6120, "recon_carried_over": 3, "recon_closure_rate": 92.9, "chuanyu_tongban_modes": 2,
    "legal_aid_center": 1, "legal_aid_town_stations": 8, "legal_aid_village_points": 84, "mediation_committees": 101,
    "town_enforcement_items": 80, "legal_miniprogram_users": 15020, "yukuaiban_satisfaction_rate": 99.3,
    "mediation_success_rate": 98.1, "village_notary_coverage": 92.9, "litigation_head_appearance_rate": 90.5,
}
NO_PREVIOUS_COLUMN = (2022, 2021)  # the first years' workbooks have no 上年 column

SIGNERS = ["张某某", "李某某", "王某某", "刘某某", "陈某某", "杨某某", "赵某某", "黄某某", "周某某", "吴某某",
           "徐某某", "孙某某", "马某某", "朱某某"]

# Value styles — how a value is written (cell text or number):
#  n  number           t  number as text        c  text with thousands commas ("27,186")
#  s  text with spaces fw full-width digits     u  text with unit ("441处", "2.5万余件", "-28%")
#  q  text with 万/余 but no unit ("600余")      cn Chinese numeral ("三", "十八")
#  w  number in 万元 (unit column / header says 万元)   wc same as text with commas ("13,061")
#  p  Excel percent (1.0 with format 0%)        pfw full-width percent text ("100％")
QUAL_STYLES = {"u", "q"}
WAN_STYLES = {"w", "wc"}

# Layout A columns: 序号 / 单位|计量单位 / 备注 by name, "V:" the year's value column, "P:" the
# previous year's, "grp/sub" a two-row merged header; anything else is the indicator-name column.
# Items: (code, label, style[, 备注]); a str is a group row; None is a blank row.
QZF_BLOCK1 = ["一、法治政府建设推进",
              ("gov_law_lectures", "法治专题讲座期数", "n", "区政府常务会会前学法"),
              ("major_decision_items", "重大行政决策事项数", "n"),
              ("decision_consultation_rate", "决策事项征求意见率", "p"),
              ("decision_legality_review_rate", "决策事项合法性审查率", "p"),
              ("decision_collective_discussion_rate", "决策事项集体讨论率", "p"),
              None,
              "二、优化营商环境",
              ("business_env_actions", "营商环境专项行动数", "n"),
              ("business_env_measures", "营商环境措施数", "n"),
              ("above_scale_firms_served", "服务规上企业数", "q"),
              "三、道路交通安全和运输执法领域突出问题专项整治",
              ("traffic_rectification_task_forces", "道路交通专项整治工作专班数", "n"),
              ("traffic_rectification_clues", "道路交通专项整治问题线索数", "n"),
              ("traffic_rectification_issues", "道路交通专项整治纳入整改问题数", "n"),
              ("traffic_case_review_issues", "专项案卷评查转交问题数", "n"),
              ("traffic_rectification_rate", "道路交通专项整治整改率", "p")]
QZF_BLOCK2 = ["四、自觉接受监督",
              ("npc_review_opinion_reply_rate", "人大审议意见办复率", "pfw"),
              ("npc_suggestions_handled", "办理人大建议", "n"),
              ("cppcc_proposals_handled", "办理政协提案", "n"),
              ("proposal_satisfaction_rate", "建议提案办理满意率", "p"),
              ("judicial_suggestions_handled", "司法建议办理数", "n"),
              ("procuratorial_suggestions_handled", "检察建议办理数", "n"),
              ("litigation_head_appearance_rate", "行政机关负责人出庭应诉率", "u", "一审案件")]
ZFB_ITEMS = ["一、主动公开",
             ("disclosure_normdocs", "主动公开行政规范性文件数", "n"),
             ("disclosure_other_docs", "主动公开其他文件数", "n"),
             ("disclosure_gov_info", "主动公开政府信息条数", "q"),
             ("policy_interpretations", "政策解读数", "n"),
             "二、依申请公开",
             ("disclosure_requests", "依申请公开办理数", "n"),
             ("disclosure_reply_rate", "政府信息公开申请答复率", "u")]
ZWB_ITEMS = [("chuanyu_tongban_modes", "川渝通办业务模式数", "cn", "全程网办、异地代收代办、多地联办"),
             ("chuanyu_tongban_handled", "办理川渝通办事项", "u"),
             ("yuguang_tongban_items", "渝广通办高频事项数", "n", "与广安市共同梳理"),
             ("yijianshi_online_items", "一件事一次办网上办事项数", "n"),
             ("yijianshi_handled", "一件事一次办办件数", "q"),
             ("yijianshi_pilot_items", "一件事试点事项数", "n"),
             ("e_license_types", "电子证照类别数", "n"),
             ("e_licenses_generated", "生成归集电子证照", "u"),
             ("yukuaiban_evaluation_rate", "渝快办评价率", "pfw"),
             ("yukuaiban_satisfaction_rate", "渝快办满意率", "pfw")]
FGW_ITEMS = [("credit_data_records", "归集信用数据", "u"),
             ("credit_commitments_signed", "信用承诺签订数（份）", "q"),
             ("credit_supervision_fields", "信用监管领域数（个）", "n", "物业、价格、税务等领域"),
             ("xinyidai_registered_firms", "信易贷平台注册企业数（家）", "fw"),
             ("xinyidai_financed_smes", "纯信用融资中小企业数（家）", "cn"),
             ("xinyidai_credit_financing", "纯信用融资金额", "u")]
SFJ_NORMDOC = ["一、规范性文件管理",
               ("normdoc_joint_meetings", "备案前置审查联席会议次数", "n"),
               ("normdoc_filed_city", "向市政府报备规范性文件数", "n"),
               ("normdoc_filed_npc", "向区人大常委会报备规范性文件数", "n"),
               ("normdoc_filing_rate", "规范性文件报备率", "u"),
               ("normdoc_filing_timely_rate", "规范性文件报备及时率", "p"),
               ("normdoc_compliance_rate", "规范性文件规范率", "pfw"),
               None,
               ("normdoc_cleanups", "规范性文件全面清理次数", "n"),
               ("normdoc_repealed", "废止区政府规范性文件数", "n"),
               ("normdoc_dept_reviewed", "部门规范性文件备案审查数", "n"),
               "二、行政决策合法性审查",
               ("decision_legality_reviews", "行政决策合法性审查次数", "q"),
               ("decision_legal_opinions", "合法性审查法律意见数", "u"),
               ("legal_adviser_opinions", "法律顾问提供法律意见数", "n"),
               "三、学法用法",
               ("law_exam_trial_attendance", "法治理论考试及在线旁听庭审人次", "u")]
SFJ_ENFORCE = [("town_enforcement_items", "1.镇街综合行政执法事项数（项）", "n", "已向社会公布"),
               ("joint_inspections", "2.综合查一次联合检查次数（次）", "n"),
               ("town_enforcement_training_batches", "3.镇街执法人员培训批次", "u"),
               ("town_enforcement_training_attendance", "4.镇街执法人员培训人次", "u"),
               ("town_enforcement_staff_equipped", "5.统一配备服装装备执法人员数（名）", "n")]
SFJ_SERVICE = [("legal_aid_center", "区法律援助中心数", "n"),
               ("legal_consultations", "接待群众法律咨询", "s"),
               ("legal_aid_losses_recovered", "法律援助挽回经济损失", "u"),
               ("criminal_legal_aid_assigned", "公检法指派刑事案件数", "n"),
               ("criminal_legal_aid_closed", "刑事法律援助办结数", "n"),
               ("legal_help_provided", "法律帮助件次", "n", "刑事被告人或犯罪嫌疑人"),
               ("village_legal_adviser_coverage", "村（社区）法律顾问配备覆盖率", "p"),
               ("village_notary_coverage", "村（社区）公证员配备覆盖率", "p"),
               ("offline_law_lectures", "线下法治讲座场次", "n"),
               ("law_publicity_events", "专题法治宣传场次", "n"),
               ("legal_miniprogram_users", "法律顾问小程序累计用户数", "c"),
               ("legal_miniprogram_services", "法律顾问小程序服务人次", "n")]
SFJ_RECON = [("recon_accepted", "受理行政复议案件", "n"),
             ("recon_accepted_yoy", "行政复议受理同比增长率", "u"),
             ("recon_concluded", "审结行政复议案件", "n", "含上年结转"),
             ("recon_carried_over", "上年结转行政复议案件", "n"),
             ("recon_concluded_yoy", "行政复议审结同比增长率", "u"),
             ("recon_closure_rate", "行政复议办结率", "u"),
             ("recon_corrected", "行政复议直接纠错数", "n", "撤销、确认违法等"),
             ("recon_withdrawn_after_mediation", "经调解撤销行政复议申请数", "n"),
             ("recon_duration_yoy", "行政复议办理时长同比变化", "u", "负数为缩短")]
SFJ_MEDIATION = [("mediation_committees", "（一）各级调解委员会数（个）", "n"),
                 ("mediation_success_cases", "（二）成功调解矛盾纠纷数（件）", "t"),
                 ("mediation_success_rate", "（三）调解成功率", "u")]
SCJ_ITEMS = [("market_typical_cases", "市局收录典型案例数", "n"),
             ("market_police_transfers", "移送公安机关立案侦查数", "n")]
STHJ_ITEMS = [("eco_positive_list_firms", "正面清单企业数", "n", "动态更新"),
              ("eco_penalty_cases", "行政处罚案件数", "n"),
              ("eco_fines", "罚款金额", "w"),
              ("eco_police_transfers", "移送公安机关", "n")]
CGJ_ITEMS = [("urban_parking_warnings", "占道停车劝诫人次", "n"),
             ("urban_vehicles_penalized", "查处违停车辆", "u")]
MZJ_ITEMS = ["一、社会组织登记管理", ("social_orgs_deregistered", "撤销登记社会组织数", "n")]
YJJ_ITEMS = ["一、安全生产执法", ("safety_inspections", "执法检查企业家次", "n", "危化、工贸等企业"),
             ("safety_hazards_found", "排查安全隐患", "u"),
             ("safety_penalized_firms", "处罚企业家次", "n"),
             ("safety_inspection_fines", "执法检查罚款金额", "u"),
             "二、事故调查处理", ("safety_accidents_investigated", "调查生产安全事故", "u"),
             ("safety_accident_fines", "生产安全事故罚款金额", "u")]
SJJ_ITEMS = [("audit_projects", "执行审计项目", "n"),
             ("audit_losses_recovered", "挽回损失金额", "w"),
             ("audit_remitted_to_treasury", "促进整改上交财政金额", "wc"),
             ("audit_clues_transferred", "移送问题线索数", "n")]
TOWN_ITEMS_A = [("town_enforcement_cases", "镇街综合行政执法案件数", "n"),
                ("town_enforcement_inspections", "镇街日常巡查次数", "n"),
                ("enforcement_publicity_rate", "行政执法公示率", "u"),
                ("enforcement_recording_rate", "执法全过程记录率", "u"),
                ("enforcement_legal_review_rate", "重大执法决定法制审核率", "u")]
TOWN_ITEMS_B = [("town_enforcement_cases", "综合行政执法案件数（件）", "n"),
                ("town_enforcement_inspections", "日常巡查次数（次）", "n"),
                ("enforcement_publicity_rate", "执法公示率", "p"),
                ("enforcement_recording_rate", "全过程记录率", "p"),
                ("enforcement_legal_review_rate", "法制审核率", "p")]

# Layout B column specs: (code, header, group header or None, style, unit for a unit row).
MATRIX_ENF = [("town_enforcement_cases", "综合行政执法案件数（件）", None, "n", ""),
              ("town_enforcement_inspections", "日常巡查次数（次）", None, "n", ""),
              ("enforcement_publicity_rate", "行政执法公示率", None, "p", ""),
              ("enforcement_recording_rate", "执法全过程记录率", None, "p", ""),
              ("enforcement_legal_review_rate", "重大执法决定法制审核率", None, "p", "")]
MATRIX_AID = [("legal_aid_accepted", "受理法律援助案件", None, "n", "件"),
              ("legal_aid_closed", "办结法律援助案件", None, "n", "件"),
              ("legal_aid_town_stations", "镇街法律援助工作站", None, "n", "个"),
              ("legal_aid_village_points", "村（社区）法律援助联络点", None, "n", "个")]
MATRIX_MARKET = [("market_penalty_cases", "案件数（件）", "行政处罚", "n", ""),
                 ("market_fines", "罚款（万元）", "行政处罚", "w", "")]

INSTRUCTIONS = ["填报说明", "1.本表统计时间为{y}年1月1日至{y}年12月31日。",
                "2.金额类指标请注明计量单位（元或万元），比率类指标填写百分数。",
                "3.无此项工作的请填“无”，不得空缺；分镇街数据请填写合计行。",
                "4.请于{n}年1月20日前报送电子版及盖章扫描件。"]
HISTORY_CODES = [("legal_aid_accepted", 287), ("legal_aid_closed", 251), ("recon_accepted", 22),
                 ("recon_concluded", 25), ("mediation_success_cases", 6120)]  # the hidden sheet's figures, by code
HISTORY = [("法律援助受理数", 287), ("法律援助办结数", 251), ("行政复议受理数", 22),
           ("行政复议审结数", 25), ("成功调解矛盾纠纷数", 6120)]  # hidden sheet, 2021: must not be read


# ------------------------------------------------------------------------ values and text
def _h01(key: str) -> float:
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 2 ** 32


def _round_sig(x: float) -> float:
    if x < 1000:
        return max(10.0, round(x, -1))
    return float(round(x, 1 - int(math.floor(math.log10(x)))))


def value_2021(code: str, v22: float | None, q: str, kind: str) -> float | None:
    """2021 from 2022 (illustrative): fixed, 100 for rates, else 2022 times a per-code factor in [0.78, 1.08]."""
    if code in Y2021_FIXED:
        return float(Y2021_FIXED[code])
    if kind == "change" or v22 is None:
        return None
    if kind == "rate":
        return 100.0
    x = v22 * (0.78 + 0.30 * _h01(code + "2021"))
    if q:
        return _round_sig(x)
    if kind == "amount":
        return float(round(x, -3 if v22 < 1e7 else -4))
    return float(max(1, round(x)))


def value_2022(code: str, v: float, q: str, kind: str) -> float | None:
    if code in Y2022_FIXED:
        return float(Y2022_FIXED[code])
    if kind == "change":
        return None
    if kind == "rate":
        return 100.0
    x = v * (0.72 + 0.43 * _h01(code))
    if q:
        return _round_sig(x)
    if kind == "amount":
        return float(round(x, -3 if v < 1e7 else -4))
    return float(max(1, round(x)))


def cn_numeral(n: int) -> str:
    d = "零一二三四五六七八九"
    if n < 10:
        return d[n]
    if n < 100:
        return ("" if n < 20 else d[n // 10]) + "十" + (d[n % 10] if n % 10 else "")
    raise ValueError(n)


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else x


def render(v: float, unit: str, q: str, style: str):
    """(cell value, number format or None, text for a unit column) for one value."""
    if q and style not in QUAL_STYLES:
        raise ValueError(f"style {style} cannot carry qualifier {q}")
    if style in WAN_STYLES:
        w = _num(round(v / 10_000, 4))
        return (w if style == "w" else f"{w:,}"), None, "万元"
    if style == "p":
        return round(v / 100, 6), ("0%" if float(v).is_integer() else "0.0%"), unit
    text = {"n": None, "t": str(_num(v)), "c": f"{_num(v):,}", "s": f" {_num(v)} ",
            "fw": str(_num(v)).translate(str.maketrans("0123456789.", "０１２３４５６７８９．")),
            "u": format_value(v, unit, q), "q": format_value(v, "", q),
            "cn": cn_numeral(int(v)) if style == "cn" else None,
            "pfw": f"{_num(v)}％"}[style]
    return (_num(v) if text is None else text), None, unit


def split(total: int, weights: list[float]) -> list[int]:
    """Largest-remainder split of an integer total by weights."""
    raw = [total * w / sum(weights) for w in weights]
    out = [int(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (-(raw[i] - out[i]), i))
    for i in order[: total - sum(out)]:
        out[i] += 1
    return out


@dataclass
class YearData:
    year: int
    seed: dict  # code -> seed row (2023 values, unit, org, kind)
    registry: list = field(default_factory=list)

    def __post_init__(self):
        self.values, self.prev = {}, {}
        for code, r in self.seed.items():
            v23 = (float(r["value"]), r["unit"], r["qualifier"])
            v22 = value_2022(code, v23[0], r["qualifier"], r["kind"])
            v21 = value_2021(code, v22, r["qualifier"], r["kind"])
            v22 = None if v22 is None else (v22, r["unit"], r["qualifier"])
            v21 = None if v21 is None else (v21, r["unit"], r["qualifier"])
            self.values[code], self.prev[code] = {2023: (v23, v22), 2022: (v22, None), 2021: (v21, None)}[self.year]
        self.towns = self._breakdowns()

    def value(self, org: str, code: str, prev: bool = False):
        if org in TOWNS:  # a 镇街 reports its own row of the 镇街综合行政执法 table
            table = TOWN_ENF.get(self.year - 1 if prev else self.year)
            x = table[code][TOWNS.index(org)] if table else None
            return None if x is None else (float(x), TOWN_UNITS.get(code, "%"), "")
        return (self.prev if prev else self.values).get(code)

    def _breakdowns(self) -> dict:
        """镇街 rows (base units) for the Layout B matrices; their sums are the unit totals."""
        t = {c: [None if x is None else float(x) for x in xs] for c, xs in TOWN_ENF[self.year].items()}
        tot = {c: int(self.values[c][0]) for c in ("legal_aid_accepted", "legal_aid_closed",
                                                  "market_penalty_cases", "market_fines")}
        jit = lambda code: [w * (0.7 + 0.6 * _h01(code + town)) for w, town in zip(TOWN_WEIGHT, TOWNS)]
        acc = split(tot["legal_aid_accepted"], jit("legal_aid_accepted"))
        closed = split(tot["legal_aid_closed"], acc)
        cases = split(tot["market_penalty_cases"], jit("market_penalty_cases"))
        fines = split(tot["market_fines"] // 1000, [c * (0.5 + _h01("f" + str(i))) for i, c in enumerate(cases)])
        assert all(c <= a for c, a in zip(closed, acc))
        t.update(legal_aid_accepted=acc, legal_aid_closed=closed, market_penalty_cases=cases,
                 market_fines=[f * 1000 for f in fines], legal_aid_town_stations=[1] * 8,
                 legal_aid_village_points=VILLAGE_POINTS)
        assert sum(VILLAGE_POINTS) == self.values["legal_aid_village_points"][0]
        return t


# ----------------------------------------------------------------------------- sheets
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT, BOLD, BODY = Font(name="方正小标宋_GBK", size=16), Font(name="宋体", bold=True), Font(name="宋体")


LAYOUT_NOTES = {
    "区政府": "A：两栏并列、中间空一列；序号+分组行；表内空行；比率为 Excel 百分比格式（1.0 / 0%）；`600余`、`100％`",
    "区政府办公室": "A：序号、计量单位、本年度、上年同期；`5000余`、`100%`",
    "区政务服务管理办公室": "A：两行合并表头（数值 → 2023年｜2022年）；`三`、`2.5万余件`、`1万余`、`18万余件`、`100％`",
    "区发展改革委": "A：无单位列（单位在指标名括号内或数值中）；`超300万条`、`3.5万余`、`１４９２`、`十八`、`3000余万元`；空工作表 Sheet3",
    "区司法局": "多个工作表（每个专题一个）：A（序号+分组行、`1.`/`（一）`编号、上年栏、`-28%`、`41.3%`、` 2679 `、`27,186`、"
                "`253.7万元`）；B“镇街法律援助”（单独单位行，合计＝报告数）；B“镇街综合行政执法”（示例指标，跳磴镇0件，"
                "比率含87.5%，不适用填“/”）；隐藏表“历史数据”",
    "区市场监管局": "填报说明表；A；B“分镇街处罚情况”（两行表头：行政处罚 → 案件数（件）｜罚款（万元），合计为 =SUM 公式含缓存值）",
    "区生态环境局": "A：`填报单位（盖章）：…` 变体；罚款 45.8 + 单位列“万元”",
    "区城市管理局": "A：无填报单位行、标题不含单位名称（由文件名确定单位）；`1800辆`",
    "区民政局": "CSV（GB18030，CRLF）：A",
    "区应急管理局": "A：仅标题含单位名称；`441处`、`16.6万元`、`12起`、`208.4万元`",
    "区审计局": "A：仅标题含单位名称；单位列“万元”，2143 与文本 `13,061`",
    **{t: ("A：本镇街综合行政执法（示例指标），与区司法局镇街表中本镇街一行一致" if i % 2 == 0 or t == "跃进村街道" else
           "A：无单位列、本年/上年；比率为 Excel 百分比格式；与区司法局镇街表中本镇街一行一致")
       for i, t in enumerate(TOWNS)},
}


@dataclass
class Book:
    org: str
    file: str
    ident: str  # the text that names the unit: 填报单位 line, title, or file name
    wb: Workbook = field(default_factory=Workbook)
    cached: dict = field(default_factory=dict)  # (sheet, cell) -> cached formula result

    def __post_init__(self):
        self.wb.remove(self.wb.active)


def box(ws, r1, c1, r2, c2):
    for row in ws.iter_rows(min_row=r1, max_row=r2, min_col=c1, max_col=c2):
        for cell in row:
            cell.border = BOX
            if not cell.font.b:
                cell.font = BODY


def title(ws, text, ncols, row=1):
    ws.cell(row, 1, text).font = TITLE_FONT
    ws.cell(row, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)


def ident_line(ws, book: Book, yd: YearData, ncols: int, row=2, variant=0):
    d = yd.year + 1, 1, 10 + len(book.org) % 9
    text = (f"填报单位：{book.ident}（盖章）\u3000\u3000填报日期：{d[0]}年{d[1]}月{d[2]}日" if variant == 0 else
            f"填报单位（盖章）：{book.ident}\u3000\u3000\u3000\u3000{d[0]}年{d[1]}月{d[2]}日")
    ws.cell(row, 1, text)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=ncols)


def footer(ws, row, notes=(), sign=None, split_cells=False):
    for note in notes:
        ws.cell(row, 1, note)
        row += 1
    if sign is not None:
        a, b = SIGNERS[sign % len(SIGNERS)], SIGNERS[(sign + 5) % len(SIGNERS)]
        phone = f"023-6888{1203 + 97 * sign:04d}" if sign % 2 == 0 else f"1380000{2071 + 517 * sign:04d}"
        row += 1
        if split_cells:
            ws.cell(row, 1, f"填表人：{a}")
            ws.cell(row, 3, f"联系电话：{phone}")
            ws.cell(row, 5, f"审核人：{b}")
        else:
            ws.cell(row, 1, f"填表人：{a}\u3000\u3000联系电话：{phone}\u3000\u3000审核人：{b}")
    return row + 1


def _col_kind(text: str) -> str:
    return {"序号": "no", "单位": "unit", "计量单位": "unit", "备注": "remark"}.get(
        text, {"V:": "val", "P:": "prev"}.get(text[:2], "name"))


def layout_a(ws, book: Book, yd: YearData, top: int, left: int, cols: list[str], items: list) -> int:
    """An indicator list; returns the next free row."""
    cols = [c.format(y=yd.year, p=yd.year - 1) for c in cols if not (c.startswith("P:") and yd.year in NO_PREVIOUS_COLUMN)]
    kinds = [_col_kind(c) for c in cols]
    heads = [c.split(":", 1)[-1] for c in cols]
    two = any("/" in h for h in heads)
    for j, h in enumerate(heads):
        c = left + j
        grp, _, sub = h.rpartition("/")
        ws.cell(top, c, grp or sub).font = BOLD
        if two and grp:
            ws.cell(top + 1, c, sub).font = BOLD
        elif two:
            ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
    if two:  # merge a group header over its sub-columns
        groups = [h.rpartition("/")[0] for h in heads]
        j = 0
        while j < len(groups):
            k = j
            while k + 1 < len(groups) and groups[j] and groups[k + 1] == groups[j]:
                k += 1
            if k > j:
                ws.merge_cells(start_row=top, start_column=left + j, end_row=top, end_column=left + k)
            j = k + 1
    row, n, right = top + (2 if two else 1), 0, left + len(cols) - 1
    for item in items:
        if item is None:
            row += 1
            continue
        if isinstance(item, str):
            ws.cell(row, left, item).font = BOLD
            ws.merge_cells(start_row=row, start_column=left, end_row=row, end_column=right)
            row += 1
            continue
        code, label, style, *remark = item
        val = yd.value(book.org, code)
        if val is None:
            continue
        n += 1
        cell, fmt, unit_text = render(*val, style)
        if "unit" not in kinds and style in WAN_STYLES:
            label += "（万元）"
        rec = dict(year=yd.year, file=book.file, org=book.org, area="", code=code, sheet=ws.title,
                   label=[f"{get_column_letter(left + kinds.index('name'))}{row}"], unit=None, ident=book.ident)
        for j, kind in enumerate(kinds):
            c = left + j
            if kind == "no":
                ws.cell(row, c, n)
            elif kind == "name":
                ws.cell(row, c, label)
            elif kind == "unit":
                ws.cell(row, c, unit_text)
                rec["unit"] = ws.cell(row, c).coordinate
            elif kind == "remark" and remark:
                ws.cell(row, c, remark[0])
            elif kind in ("val", "prev"):
                pv = val if kind == "val" else yd.value(book.org, code, prev=True)
                if pv is not None:
                    x, f, _ = render(*pv, style)
                    ws.cell(row, c, x).number_format = f or "General"
                if kind == "val":
                    rec["cell"] = ws.cell(row, c).coordinate
        yd.registry.append(rec)
        row += 1
    box(ws, top, left, row - 1, right)
    ws.column_dimensions[get_column_letter(left + kinds.index("name"))].width = 36
    return row


def layout_b(ws, book: Book, yd: YearData, top: int, area_head: str, cols: list, *, official=(),
             formula=False, total="合计") -> int:
    """A 镇街 matrix with a 合计 row; returns the next free row."""
    two = any(c[2] for c in cols) or any(c[4] for c in cols)
    for j, h in enumerate(("序号", area_head)):
        ws.cell(top, 1 + j, h).font = BOLD
        if two:
            ws.merge_cells(start_row=top, start_column=1 + j, end_row=top + 1, end_column=1 + j)
    for j, (code, head, grp, style, unit) in enumerate(cols):
        c = 3 + j
        if grp:
            ws.cell(top, c, grp).font = BOLD
            ws.cell(top + 1, c, head).font = BOLD
        else:
            ws.cell(top, c, head).font = BOLD
            if unit:
                ws.cell(top + 1, c, unit)
            elif two:
                ws.merge_cells(start_row=top, start_column=c, end_row=top + 1, end_column=c)
    grp_cols = [3 + j for j, c in enumerate(cols) if c[2]]
    if len(grp_cols) > 1:
        ws.merge_cells(start_row=top, start_column=grp_cols[0], end_row=top, end_column=grp_cols[-1])
    first = top + (2 if two else 1)
    for i, town in enumerate(TOWNS):
        r = first + i
        ws.cell(r, 1, i + 1)
        ws.cell(r, 2, OFFICIAL_TOWN[town] if town in official else town)
    tr = first + len(TOWNS)
    ws.cell(tr, 2, total).font = BOLD
    for j, (code, head, grp, style, unit) in enumerate(cols):
        c, letter = 3 + j, get_column_letter(3 + j)
        unit_base = "%" if style == "p" else ""
        label_cells = [f"{letter}{top}"] + ([f"{letter}{top + 1}"] if grp else [])
        rec = dict(year=yd.year, file=book.file, org=book.org, code=code, sheet=ws.title, label=label_cells,
                   unit=f"{letter}{top + 1}" if unit else None, ident=book.ident)
        xs = yd.towns[code]
        for i, x in enumerate(xs):
            if x is None:
                ws.cell(first + i, c, "/")
                continue
            v, f, _ = render(x, unit_base, "", style)
            ws.cell(first + i, c, v).number_format = f or "General"
            yd.registry.append(dict(rec, area=TOWNS[i], cell=f"{letter}{first + i}"))
        if style == "p":
            ws.cell(tr, c, "/")
            continue
        s = sum(x for x in xs if x is not None)
        if formula:
            ws.cell(tr, c, f"=SUM({letter}{first}:{letter}{tr - 1})")
            book.cached[(ws.title, f"{letter}{tr}")] = f"{_num(round(s / 10_000, 4) if style == 'w' else s)}"
        else:
            ws.cell(tr, c, render(s, unit_base, "", style)[0])
        yd.registry.append(dict(rec, area="", cell=f"{letter}{tr}"))
    box(ws, top, 1, tr, 2 + len(cols))
    ws.column_dimensions["B"].width = 18
    return tr + 1


def simple_sheet(book, yd, name, head, cols, items, *, ident=False, notes=(), sign=None):
    """Title (+ 填报单位 line), one Layout A table, notes and sign-off."""
    ws = book.wb.create_sheet(name)
    ncols = len([c for c in cols if not (c.startswith("P:") and yd.year in NO_PREVIOUS_COLUMN)])
    title(ws, head, ncols)
    top = 3
    if ident:
        ident_line(ws, book, yd, ncols, variant=ident - 1)
        top = 4
    row = layout_a(ws, book, yd, top, 1, cols, items)
    footer(ws, row + 1, notes, sign, split_cells=bool(sign) and sign % 3 == 0)
    return ws


# ------------------------------------------------------------------------ workbooks
def wb_district_gov(yd):  # 区政府: two Layout A blocks side by side, a blank column between them
    b = Book("区政府", f"区政府法治政府建设数据（{yd.year}年）.xlsx", "大渡口区人民政府")
    ws = b.wb.create_sheet("主要数据")
    title(ws, f"{yd.year}年法治政府建设主要数据统计表", 11)
    ident_line(ws, b, yd, 11)
    cols = ["序号", "项目", "单位", "V:{y}年", "备注"]
    r1 = layout_a(ws, b, yd, 4, 1, cols, QZF_BLOCK1)
    r2 = layout_a(ws, b, yd, 4, 7, cols, QZF_BLOCK2)
    footer(ws, max(r1, r2) + 1, [f"注：统计时间为{yd.year}年1月1日至12月31日。"], sign=0)
    return [b]


def wb_gov_office(yd):
    b = Book("区政府办公室", f"区政府办公室-{yd.year}年度政务公开数据.xlsx", "大渡口区人民政府办公室")
    simple_sheet(b, yd, "政务公开", f"{yd.year}年度政务公开工作情况统计表",
                 ["序号", "指标名称", "计量单位", "V:本年度", "P:上年同期", "备注"], ZFB_ITEMS, ident=1, sign=1)
    return [b]


def wb_gov_service(yd):  # two-row merged header: 数值 over {y}年 | {p}年
    b = Book("区政务服务管理办公室", f"区政务服务办{yd.year}年法治政府建设数据.xlsx", "重庆市大渡口区政务服务管理办公室")
    simple_sheet(b, yd, "政务服务", f"{yd.year}年法治化营商环境（政务服务）数据表",
                 ["指标", "单位", "V:数值/{y}年", "P:数值/{p}年", "备注"], ZWB_ITEMS, ident=1, sign=2,
                 notes=["注：川渝通办、一件事一次办数据来源于一体化政务服务平台。"])
    return [b]


def wb_development(yd):  # no unit column; an empty sheet
    b = Book("区发展改革委", f"区发改委_法治政府建设统计表{yd.year}.xlsx", "重庆市大渡口区发展和改革委员会")
    simple_sheet(b, yd, "信用建设", "社会信用体系建设情况", ["统计项目", "V:本年", "P:上年", "备注"], FGW_ITEMS,
                 ident=1, sign=3)
    b.wb.create_sheet("Sheet3")
    return [b]


def wb_justice(yd):  # several sheets, two matrices, a hidden sheet
    b = Book("区司法局", f"附件3-大渡口区司法局法治政府建设统计表（{yd.year}）.xlsx", "重庆市大渡口区司法局")
    simple_sheet(b, yd, "规范性文件和行政决策", f"{yd.year}年法治政府建设统计表（一）",
                 ["序号", "指标名称", "单位", "V:{y}年", "P:{p}年", "备注"], SFJ_NORMDOC, ident=1, sign=4,
                 notes=["注：1.规范性文件报备率＝已报备件数÷应报备件数。", "2.学法用法含法治理论知识考试和在线旁听庭审。"])
    simple_sheet(b, yd, "行政执法", "行政执法协调监督情况", ["内容", "V:数量", "备注"], SFJ_ENFORCE)
    ws = b.wb.create_sheet("镇街综合行政执法")
    title(ws, f"{yd.year}年镇街综合行政执法情况统计表", 7)
    row = layout_b(ws, b, yd, 3, "镇街名称", MATRIX_ENF, official=("九宫庙街道", "跳磴镇"))
    footer(ws, row + 1, ["注：当年无执法案件的，比率栏填“/”。"])
    simple_sheet(b, yd, "公共法律服务", "公共法律服务情况", ["项目", "计量单位", "V:数值", "备注"], SFJ_SERVICE)
    ws = b.wb.create_sheet("镇街法律援助")
    title(ws, f"{yd.year}年各镇街法律援助工作情况", 6)
    row = layout_b(ws, b, yd, 3, "镇（街道）", MATRIX_AID, official=("跃进村街道", "八桥镇"))
    footer(ws, row + 1, ["注：法律援助案件按申请人所在镇街统计。"], sign=5)
    simple_sheet(b, yd, "行政复议", "行政复议工作情况", ["指标", "单位", "V:{y}年", "P:{p}年", "备注"], SFJ_RECON)
    simple_sheet(b, yd, "人民调解", "人民调解工作情况", ["统计项目", "V:本年度", "P:上年", "备注"], SFJ_MEDIATION)
    if yd.year == 2023:
        ws = b.wb.create_sheet("历史数据")
        ws.sheet_state = "hidden"
        ws.append(["指标", "2021年"])
        for label, v in HISTORY:
            ws.append([label, v])
    return [b]


def wb_market(yd):  # 填报说明 sheet; matrix with a two-row group header and =SUM totals
    b = Book("区市场监管局", f"区市场监管局{yd.year}年法治政府建设数据.xlsx", "重庆市大渡口区市场监督管理局")
    ws = b.wb.create_sheet("填报说明")
    for k, line in enumerate(INSTRUCTIONS, start=1):
        ws.cell(k, 1, line.format(y=yd.year, n=yd.year + 1))
    ws.column_dimensions["A"].width = 70
    simple_sheet(b, yd, "行政执法情况", f"{yd.year}年市场监管领域行政执法情况",
                 ["指标", "单位", "V:{y}年", "P:上年", "备注"], SCJ_ITEMS, ident=1, sign=6)
    ws = b.wb.create_sheet("分镇街处罚情况")
    title(ws, "行政处罚案件分镇街统计", 4)
    row = layout_b(ws, b, yd, 3, "镇街", MATRIX_MARKET, official=("八桥镇",), formula=True)
    footer(ws, row + 1, ["注：按案件发生地所属镇街统计。"])
    return [b]


def wb_ecology(yd):
    b = Book("区生态环境局", f"生态环境局 法治政府建设统计 {yd.year}.xlsx", "重庆市大渡口区生态环境局")
    simple_sheet(b, yd, "Sheet1", f"{yd.year}年生态环境领域法治政府建设数据",
                 ["项目", "单位", "V:{y}年", "P:上年", "备注"], STHJ_ITEMS, ident=2, sign=7)
    return [b]


def wb_urban(yd):  # no 填报单位 line, no unit in the title: the file name names the unit
    b = Book("区城市管理局", "区城市管理局.xlsx", "区城市管理局.xlsx")
    simple_sheet(b, yd, "Sheet1", f"{yd.year}年度法治政府建设工作情况统计表", ["指标", "单位", "V:本年度", "备注"],
                 CGJ_ITEMS, notes=["注：数据统计截至当年12月31日。"], sign=8)
    return [b]


def wb_civil_affairs(yd):  # sent as CSV in GB18030
    b = Book("区民政局", f"区民政局{yd.year}年法治政府建设数据.csv", "重庆市大渡口区民政局")
    simple_sheet(b, yd, "Sheet1", f"{yd.year}年民政领域法治政府建设数据",
                 ["序号", "指标名称", "单位", "V:{y}年", "P:{p}年", "备注"], MZJ_ITEMS, ident=1, sign=9)
    return [b]


def wb_emergency(yd):  # title only
    b = Book("区应急管理局", f"应急局{yd.year}年度法治政府建设工作数据（终稿）.xlsx",
             f"大渡口区应急管理局{yd.year}年度法治政府建设工作数据")
    simple_sheet(b, yd, "统计表", b.ident, ["序号", "统计项目", "计量单位", "V:数量", "备注"], YJJ_ITEMS, sign=10)
    return [b]


def wb_audit(yd):  # title only
    b = Book("区审计局", f"审计局法治政府建设统计表{yd.year}.xlsx", f"重庆市大渡口区审计局{yd.year}年法治政府建设统计表")
    simple_sheet(b, yd, "Sheet1", b.ident, ["内容", "单位", "V:{y}年度", "P:上年", "备注"], SJJ_ITEMS,
                 notes=["注：挽回损失金额、上交财政金额以审计决定书为准。"], sign=11)
    return [b]


def wb_towns(yd):  # every 镇街 reports its own row of the 镇街综合行政执法 table, in one of two styles
    books = []
    for i, town in enumerate(TOWNS):
        official = f"大渡口区{town}办事处" if town.endswith("街道") else f"大渡口区{town}人民政府"
        if i % 2 == 0 or town == "跃进村街道":
            b = Book(town, f"{town}{yd.year}年法治政府建设数据.xlsx", official)
            simple_sheet(b, yd, "综合行政执法", f"{yd.year}年综合行政执法工作情况", ["指标", "单位", "V:{y}年", "备注"],
                         TOWN_ITEMS_A, ident=1, sign=12 + i)
        else:
            b = Book(town, f"{town}法治政府建设统计表（{yd.year}年度）.xlsx", official)
            simple_sheet(b, yd, "Sheet1", f"{yd.year}年度综合行政执法工作统计", ["项目", "V:本年", "P:上年", "备注"],
                         TOWN_ITEMS_B, ident=1, sign=12 + i)
        books.append(b)
    return books


# ------------------------------------------------------------------ work texts (工作情况, DESIGN §2b)
# Illustrative, written for these sample data (not the published report's sentences). 2023 and 2022 only: the
# 2021 draft shows its 【待补充】. Rows: (类别, 工作事项, 主要做法和成效); a text restating a figure of the table
# (行政处罚案件579件) shows that the draft leaves such a sentence out (its figure sentence states it with its cell).
WORK_SHEETS = {
    2023: {
        "区政府": [
            ("（一）第一责任人职责", "专题研究部署法治政府建设",
             "区委常委会、区政府常务会议先后专题听取法治政府建设情况汇报，对示范创建和镇街执法改革中的难点逐项明确牵头领导和完成时限。"),
            ("（一）第一责任人职责", "开展年终述法",
             "组织各部门、各镇街党政主要负责人在区委常委会会议上现场述法，述法情况纳入年度考核评价。"),
            ("（三）依法行政制度体系与行政决策", "落实重大行政决策程序",
             "重大行政决策事项实行目录管理，决策草案经过公众参与、风险评估和合法性审查后再提交集体讨论。"),
            ("（五）行政权力监督", "推动负责人出庭应诉",
             "行政机关负责人出庭应诉情况按季度通报，被诉部门负责人出庭后参与庭后协调，推动行政争议实质性化解。"),
        ],
        "区市场监管局": [
            ("（二）法治化营商环境", "推行包容审慎监管",
             "制定市场监管领域轻微违法行为免罚清单，对首次轻微违法并及时改正的市场主体依法不予处罚，同步开展合规指导。"),
            ("（四）行政执法", "加大重点领域执法力度",
             "围绕食品、药品、特种设备等重点领域开展专项检查。全年办理行政处罚案件579件。"
             "与公安机关建立涉嫌犯罪线索移送快查机制，做到线索共享、同步研判。"),
        ],
        "区政务服务管理办公室": [
            ("（二）法治化营商环境", "深化川渝通办",
             "与毗邻区县互设通办窗口，推行异地收件、属地办理，群众在本区窗口即可办理川渝两地高频事项。"),
            ("（二）法治化营商环境", "推动政务服务进社区",
             "把社保、民政、市场监管等高频事项下沉到社区便民服务站点，由工作人员提供帮办代办。"),
        ],
        "跃进村街道": [
            ("（六）基层治理与矛盾纠纷化解", "打造家事调解品牌",
             "依托街道司法所设立家事纠纷调解室，邀请社区民警、律师参与联合调解，推动矛盾纠纷就地化解。"),
            ("（四）行政执法", "规范综合行政执法",
             "街道综合行政执法队建立执法案卷自查制度，每月对执法文书开展交叉评查。"),
        ],
    },
    2022: {
        "区政府": [
            ("一", "健全法治建设领导机制",
             "调整区委全面依法治区委员会组成人员，明确各协调小组职责，定期研究法治政府建设重点任务。"),
            ("一", "推行党政主要负责人述法", "各部门、各镇街主要负责人年度述法实现全覆盖，述法评议结果向本人反馈。"),
        ],
        "区市场监管局": [
            ("四", "规范行政处罚裁量", "细化市场监管领域行政处罚裁量基准，统一同类案件的处罚尺度。"),
        ],
        "跃进村街道": [
            ("六", "推进矛盾纠纷源头化解", "在各社区设立调解工作室，由网格员第一时间发现并上报矛盾纠纷。"),
        ],
    },
}

# 工作总结 under <year>/总结/: (file name, paragraphs); a .docx is written with python-docx, .md and .txt as text
SUMMARIES = {
    2023: [
        ("区司法局2023年法治政府建设工作总结.docx", [
            "重庆市大渡口区司法局2023年法治政府建设工作总结",
            "一、主要工作",
            "（一）抓实学法用法。组织区管领导干部参加习近平法治思想专题培训，编发领导干部应知应会法律清单并纳入干部教育培训课程。",
            "（二）规范行政规范性文件管理。推行规范性文件制发前合法性审核全覆盖，建立规范性文件定期清理工作机制。",
            "（三）推进镇街综合行政执法改革。根据镇街执法实际动态调整赋权事项清单，区级执法部门对镇街执法人员开展跟班指导。",
            "（四）优化公共法律服务。推动法律援助工作站进驻镇街便民服务中心，对老年人、残疾人申请法律援助实行优先受理、优先指派。",
            "（五）发挥行政复议监督作用。推行复议案件繁简分流，简易案件快审快结。全年受理行政复议申请41件。"
            "对复议中发现的共性问题制发行政复议意见书，督促行政机关改进执法。",
            "（六）深化矛盾纠纷多元化解。健全诉调、访调对接工作机制，推动各镇街建成矛盾纠纷调处中心。",
            "二、存在的不足",
            "基层法治工作力量仍然偏弱，部分岗位人员流动较快。",
            "重庆市大渡口区司法局",
            "2024年1月10日",
        ]),
        ("区生态环境局2023年法治政府建设工作总结.md", [
            "# 区生态环境局2023年法治政府建设工作总结",
            "## 严格规范执法",
            "推行非现场执法监管，对守法记录良好的企业减少现场执法检查频次，对违法排污行为依法从严查处。",
            "## 优化营商环境",
            "对环评审批实行容缺受理，帮助企业在项目开工前完成环保手续。",
        ]),
        ("区城市管理局2023年工作总结.txt", [
            "区城市管理局2023年法治政府建设工作总结",
            "开展占道停车整治，坚持劝导在前、查处在后，对初次违停车辆先提醒后处罚。",
        ]),
    ],
    2022: [
        ("区司法局2022年法治政府建设工作总结.docx", [
            "重庆市大渡口区司法局2022年法治政府建设工作总结",
            "（一）加强行政复议规范化建设。完善复议案件受理、审理、听证工作规程，规范复议文书格式。",
            "（二）推进公共法律服务体系建设。在镇街公共法律服务工作站配备专职工作人员，开展法律咨询和法治宣传。",
            "重庆市大渡口区司法局",
            "2023年1月12日",
        ]),
    ],
}
SUMMARY_TIME = datetime(2024, 1, 10, 9, 0, 0)


def work_sheet(book: Book, yd: "YearData") -> None:
    """The unit's 工作情况 sheet (DESIGN §2b), when it has work texts this year."""
    rows = WORK_SHEETS.get(yd.year, {}).get(book.org)
    if not rows:
        return
    ws = book.wb.create_sheet("工作情况")
    title(ws, f"{yd.year}年法治政府建设工作情况", 4)
    heads = ["类别", "工作事项", "主要做法和成效", "佐证材料"]
    for j, h in enumerate(heads, start=1):
        ws.cell(2, j, h).font = BOLD
    for i, (section, item, text) in enumerate(rows, start=3):
        for j, v in enumerate((section, item, text, ""), start=1):
            ws.cell(i, j, v or None).alignment = Alignment(wrap_text=True, vertical="center")
    box(ws, 2, 1, 2 + len(rows), 4)
    for letter, width in zip("ABCD", (24, 22, 70, 16)):
        ws.column_dimensions[letter].width = width


def save_summaries(year: int, folder: Path) -> None:
    """The year's work summaries (总结/), byte-reproducible: fixed document properties and zip entry times."""
    from docx import Document

    for name, paragraphs in SUMMARIES.get(year, []):
        path = folder / "总结" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".docx"):
            doc = Document()
            for text in paragraphs:
                doc.add_paragraph(text)
            props = doc.core_properties
            props.author = props.last_modified_by = "Administrator"
            props.created = props.modified = props.last_printed = SUMMARY_TIME
            props.revision = 1
            buf = io.BytesIO()
            doc.save(buf)
            out = io.BytesIO()
            with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
                for entry in sorted(zin.namelist()):
                    info = zipfile.ZipInfo(entry, date_time=ZIP_TIME)
                    info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 0, 0
                    zout.writestr(info, zin.read(entry))
            path.write_bytes(out.getvalue())
        else:
            sep = "\n\n" if name.endswith(".md") else "\n"
            path.write_bytes((sep.join(paragraphs) + "\n").encode("utf-8"))


BUILDERS = [wb_district_gov, wb_gov_office, wb_gov_service, wb_development, wb_justice, wb_market,
            wb_ecology, wb_urban, wb_civil_affairs, wb_emergency, wb_audit, wb_towns]


# ---------------------------------------------------------------------------- saving
def save_xlsx(book: Book, path: Path) -> None:
    """Save with fixed timestamps, fixed zip entry times, sorted entries, patched cached values."""
    props = book.wb.properties
    props.created = props.modified = FIXED_TIME
    props.creator = props.lastModifiedBy = "Administrator"
    buf = io.BytesIO()
    book.wb.save(buf)
    sheet_xml = {ws.title: f"xl/worksheets/sheet{i}.xml" for i, ws in enumerate(book.wb.worksheets, start=1)}
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for name in sorted(zin.namelist()):
            data = zin.read(name)
            if name == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*", lambda m: m.group(1) + stamp.encode(), data)
            for (sheet, ref), cached in book.cached.items():
                if sheet_xml[sheet] == name:
                    pat = re.compile(rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v\s*/?>(</v>)?'.encode())
                    data, k = pat.subn(lambda m: m.group(1) + f"<v>{cached}</v>".encode(), data)
                    assert k == 1, (book.file, sheet, ref)
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type, info.create_system, info.external_attr = zipfile.ZIP_DEFLATED, 0, 0
            zout.writestr(info, data)
    path.write_bytes(out.getvalue())


def save_csv(book: Book, path: Path) -> None:
    """As Excel on a Chinese Windows machine writes it: GB18030, CRLF, every row padded."""
    ws = book.wb.worksheets[0]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column, values_only=True):
        w.writerow(["" if v is None else v for v in row])
    path.write_bytes(buf.getvalue().encode("gb18030"))


def load_seed() -> dict:
    with SEED.open(encoding="utf-8-sig", newline="") as f:
        return {r["code"]: r for r in csv.DictReader(f)}


def build(out: Path) -> dict[int, YearData]:
    seed = load_seed()
    years = {}
    for year in (2023, 2022, 2021):
        yd = YearData(year, seed)
        d = out / str(year)
        if d.exists():
            shutil.rmtree(d)
        d.mkdir(parents=True)
        for builder in BUILDERS:
            for book in builder(yd):
                work_sheet(book, yd)
                (save_csv if book.file.endswith(".csv") else save_xlsx)(book, d / book.file)
        save_summaries(year, d)
        years[year] = yd
    (out / "README.md").write_text(readme(years), encoding="utf-8")
    return years


# ---------------------------------------------------------------------------- README
def readme(years: dict[int, YearData]) -> str:
    seed = load_seed()
    lines = ["# 示例数据 / Sample data", "",
             "由 `scripts/make_sample_data.py` 生成（确定性、逐字节可复现），请勿手工修改；"
             "修改脚本后重新运行，并用 `--check` 校验。",
             "Generated by `scripts/make_sample_data.py` (deterministic, byte-reproducible); do not edit by hand.", "",
             "每个年度目录下每个填报单位一个文件，格式模拟各部门、镇街实际报送的表格（见 DESIGN.md §2）：",
             "版式A（指标清单）、版式B（分镇街矩阵，含合计行）、标题行、填报单位行、注释、填表人/联系电话/审核人"
             "（均为虚构，清洗后不得出现在任何输出中）、隐藏工作表、空工作表、填报说明、GB18030 编码的 CSV。", "",
             "## 哪些是公开数据，哪些是示例 / Published vs illustrative", "",
             "- **2023 年公开数据**：《大渡口区2023年法治政府建设情况报告》中的 109 个数据"
             "（`tests/data/figures_2023.csv`，F001–F109），每个恰好出现一次，作为其填报单位的不分镇街数值"
             "（版式A的一行，或版式B的合计行），读回后与报告数值、单位、限定词（余/超）完全一致。",
             "  The 109 published figures of the 2023 report, each exactly once as an area-less value of its unit.",
             "- **2022 年**：仅行政复议受理 29 件、审结 33 件由报告推算（41件同比增长41.3%、42件同比增长27.2%），"
             "其余均为示例数据（多数计数在2023年数值的±35%以内，比率为100%或略低）。",
             "  2022: only 行政复议受理 29 and 审结 33 are implied by the report; everything else is illustrative.",
             "- **2021 年**：全部为示例数据（多为2022年数值的78%–108%）；其中法律援助受理287件、办结251件、行政复议受理22件、"
             "审结25件、成功调解6120件与2023年区司法局隐藏表“历史数据”一致（该表不应被读取）。",
             "  2021: illustrative throughout; five figures equal the hidden 历史数据 sheet of the 2023 司法局 workbook.",
             "- **示例（非公开）数据**：各镇街分项行（area 非空；其合计等于报告数）；2023 年表中的“上年/2022年”栏"
             "（与 2022 年目录一致）；示例指标 " + "、".join(f"`{c}`" for c in ENF_CODES) +
             "（区司法局“镇街综合行政执法”表及8个镇街的自报表）；区司法局隐藏表“历史数据”（2021年，不应被读取）。",
             "  Illustrative: 镇街 breakdown rows, previous-year columns, the five 镇街 enforcement indicators, "
             "the hidden 历史数据 sheet.", "",
             "## 文件清单 / Files", ""]
    for year, yd in sorted(years.items(), reverse=True):
        lines += [f"### {year}", "", "| 文件 | 填报单位 | 版式与写法 | 公开数据 | 示例数据 |", "|---|---|---|---:|---:|"]
        files = {}
        for r in yd.registry:
            pub = year == 2023 and not r["area"] and r["code"] in seed and seed[r["code"]]["org"] == r["org"] or \
                year == 2022 and not r["area"] and r["code"] in IMPLIED_2022
            f = files.setdefault(r["file"], [r["org"], 0, 0])
            f[1 if pub else 2] += 1
        for name, (org, pub, ill) in sorted(files.items()):
            lines.append(f"| `{name}` | {org} | {LAYOUT_NOTES[org]} | {pub} | {ill} |")
        lines.append("")
    lines += ["## 工作情况（文字） / Work texts", "",
              "2023、2022 年部分单位的工作簿带“工作情况”工作表（类别、工作事项、主要做法和成效、佐证材料），"
              "`<年度>/总结/` 下有几份工作总结（.docx、.md、.txt）；文字为示例，均为本脚本编写，不取自公开报告。"
              "2021 年没有，所以 2021 年的报告初稿显示【待补充】。",
              "Some 2023 and 2022 workbooks carry a 工作情况 sheet and `<year>/总结/` holds a few work summaries "
              "(illustrative texts written for these data); 2021 has none, so its draft shows the 【待补充】 marks.", ""]
    for year in sorted(WORK_SHEETS, reverse=True):
        sheets = "、".join(WORK_SHEETS[year])
        files = "、".join(f"`总结/{name}`" for name, _ in SUMMARIES.get(year, []))
        lines.append(f"- {year}：工作情况工作表 {sheets}；工作总结 {files}")
    lines.append("")
    lines += ["“公开数据”“示例数据”为数值单元格个数（不含上年栏）。Counts are value cells (previous-year columns excluded).",
              "2022、2021 年各表版式与 2023 年相同，但不含上年栏和同比变化指标。The 2022 and 2021 workbooks have the same layouts "
              "without previous-year columns and year-on-year change rows.",
              "版式B 合计行中的比率栏、以及无案件镇街的比率栏填“/”（不适用，不是数值）。"
              "`/` in a matrix marks a rate that does not apply (a 合计 row, a 镇街 with no cases).", ""]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- check
def _grid(path: Path, sheet: str, cache: dict):
    key = (path, sheet)
    if key not in cache:
        if path.suffix == ".csv":
            cache[key] = list(csv.reader(io.StringIO(path.read_bytes().decode("gb18030"))))
        else:
            from python_calamine import CalamineWorkbook
            cache[key] = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    return cache[key]


MATRIX_SHEETS = ("镇街综合行政执法", "镇街法律援助", "分镇街处罚情况")


def _all_text(path: Path, cache: dict) -> str:
    """All cell text of a workbook's visible sheets (to find the unit's name)."""
    key = (path, None)
    if key not in cache:
        if path.suffix == ".csv":
            grids = [_grid(path, "", cache)]
        else:
            from python_calamine import CalamineWorkbook, SheetVisibleEnum
            wb = CalamineWorkbook.from_path(str(path))
            grids = [_grid(path, m.name, cache) for m in wb.sheets_metadata if m.visible == SheetVisibleEnum.Visible]
        cache[key] = "\n".join(str(x) for g in grids for row in g for x in row)
    return cache[key]


def _at(grid, ref: str):
    m = re.fullmatch(r"([A-Z]+)(\d+)", ref)
    col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(m.group(1)))) - 1
    row = int(m.group(2)) - 1
    return grid[row][col] if row < len(grid) and col < len(grid[row]) else ""


def read_back(raw, label: str, unit_text: str, pct: bool, catalog_unit: str):
    """Value in base units, unit and qualifier, as the contract says a cleaner should read them."""
    unit_ctx = unit_text or split_unit(label)[1] or catalog_unit
    if isinstance(raw, str):
        pv = parse_value(raw)
        v, unit, q, applied = pv.value, pv.unit or unit_ctx, pv.qualifier, pv.multiplier_applied
    else:
        v, unit, q, applied = float(raw), unit_ctx, "", False
    if pct:
        v, unit = v * 100, "%"
    if unit in ("万元", "亿元"):
        v, unit = (v if applied else v * (1e4 if unit == "万元" else 1e8)), "元"
    return v, unit, q


def check(out: Path, years: dict[int, YearData]) -> list[str]:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum
    cat, seed, errors, cache, formats = load_catalog(), load_seed(), [], {}, {}
    for year, yd in years.items():
        d = out / str(year)
        for p in sorted(d.iterdir()):
            if p.suffix == ".xlsx":
                hidden = [m.name for m in CalamineWorkbook.from_path(str(p)).sheets_metadata
                          if m.visible != SheetVisibleEnum.Visible]
                if any(r["file"] == p.name and r["sheet"] in hidden for r in yd.registry):
                    errors.append(f"{p.name}: registered value on a hidden sheet")
                if year == 2023 and p.name.startswith("附件3") and hidden != ["历史数据"]:
                    errors.append(f"{p.name}: hidden sheets {hidden}")
        seen = {}
        for r in yd.registry:
            path = d / r["file"]
            grid = _grid(path, r["sheet"], cache)
            raw = _at(grid, r["cell"])
            label = "".join(str(_at(grid, c)) for c in r["label"])
            unit_text = str(_at(grid, r["unit"])) if r["unit"] else ""
            pct = False
            if path.suffix == ".xlsx" and not isinstance(raw, str):
                if path not in formats:
                    formats[path] = load_workbook(path)
                pct = formats[path][r["sheet"]][r["cell"]].number_format.endswith("%")
            where = f"{year}/{r['file']}!{r['sheet']}!{r['cell']}"
            res = cat.resolve_indicator(label, r["org"])
            if res.code != r["code"]:
                errors.append(f"{where}: label {label!r} resolves to {res.code} ({res.reason}), not {r['code']}")
            ident_org = cat.resolve_org(r["ident"])
            ident_found = r["ident"] == r["file"] or r["ident"] in _all_text(path, cache)
            if ident_org != r["org"] or not ident_found:
                errors.append(f"{where}: unit text {r['ident']!r} -> {ident_org}, found={ident_found}")
            if raw in ("", None):
                errors.append(f"{where}: empty value cell")
                continue
            v, unit, q = read_back(raw, label, unit_text, pct, cat.indicator(r["code"])["unit"])
            if r["area"]:
                continue
            key = (r["org"], r["code"])
            seen[key] = seen.get(key, 0) + 1
            want = None
            if year == 2023 and r["code"] in seed and seed[r["code"]]["org"] == r["org"]:
                s = seed[r["code"]]
                want = (float(s["value"]), s["unit"], s["qualifier"])
            elif year == 2022 and r["code"] in IMPLIED_2022:
                want = (float(Y2022_FIXED[r["code"]]), "件", "")
            elif year == 2021 and r["code"] in {code for code, _ in HISTORY_CODES}:
                want = (float(Y2021_FIXED[r["code"]]), "件", "")
            if want and (abs(v - want[0]) > 1e-6 * max(1, abs(want[0])) or (unit, q) != want[1:]):
                errors.append(f"{where}: read {raw!r} as {(v, unit, q)}, seed says {want}")
        dup = [k for k, n in seen.items() if n > 1]
        if dup:
            errors.append(f"{year}: area-less values registered more than once: {dup}")
        if year == 2023:
            missing = [c for c, s in seed.items() if (s["org"], c) not in seen]
            if missing:
                errors.append(f"2023: seed figures missing: {missing}")
        # each matrix 合计 equals the sum of its 镇街 rows
        tot = {}
        for r in yd.registry:
            if r["sheet"] in MATRIX_SHEETS and "rate" not in r["code"]:
                g = _grid(d / r["file"], r["sheet"], cache)
                t = tot.setdefault((r["sheet"], r["code"]), [0.0, None])
                x = float(str(_at(g, r["cell"])))
                if r["area"]:
                    t[0] += x
                else:
                    t[1] = x
        for k, (s, t) in tot.items():
            if t is None or abs(s - t) > 1e-6:
                errors.append(f"{year}: {k}: 合计 {t} != sum {s}")
        print(f"{year}: {len(list(d.iterdir()))} files, {len(yd.registry)} value cells checked, "
              f"{len(seen)} area-less figures")
    return errors


def digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "data" / "raw")
    ap.add_argument("--check", action="store_true", help="rebuild twice in a temp dir and verify everything")
    args = ap.parse_args(argv)
    if not args.check:
        build(args.out)
        print(f"wrote {args.out}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        years = build(Path(tmp) / "a")
        build(Path(tmp) / "b")
        a, b = digest(Path(tmp) / "a"), digest(Path(tmp) / "b")
        bundled = digest(args.out) if args.out.exists() else {}
        errors = [] if a == b else ["two runs differ: " + ", ".join(k for k in a if a[k] != b.get(k))]
        if bundled != a:
            errors.append(f"{args.out} differs from a fresh build (re-run the script): "
                          + ", ".join(sorted(set(a) ^ set(bundled) | {k for k in a if a[k] != bundled.get(k)})))
        errors += check(Path(tmp) / "a", years)
    for e in errors:
        print("ERROR", e)
    print(f"{len(a)} files; two runs byte-identical: {a == b}; bundled data up to date: {bundled == a}")
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
