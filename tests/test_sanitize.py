"""fzanalysis.sanitize: personal data masked and control characters removed in every output.

The unit cases pin the patterns (few false alarms: dates, document numbers, amounts, credit codes
stay); the end-to-end test plants an ID-card number, dashed and spaced phones, an e-mail, names on
sign-off lines, and digits in a sheet name and a file name, then cleans, runs the overview and the
diagnostics notebooks and greps every output byte — and checks that real 11-digit amounts survive.
"""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from fzanalysis.sanitize import clean_name, clean_text, is_personal_value, mask_personal, printable
from tests.xlsx_factory import Text, org_line, write_xlsx

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("text, expected", [
    ("13812345678", "[手机号]"),
    ("138-1234-5678", "[手机号]"),
    ("138 1234 5678", "[手机号]"),
    ("+86 138 1234 5678", "[手机号]"),
    ("+8613812345678", "[手机号]"),
    ("１３８１２３４５６７８", "[手机号]"),
    ("023-68881234", "[电话]"),
    ("（023）68881234", "[电话]"),
    ("联系电话：68881234", "联系电话:[电话]"),
    ("110101199003071234", "[身份证号]"),
    ("11010119900307123X", "[身份证号]"),
    ("110101900307123", "[身份证号]"),
    ("经办人身份证号110101199003071234", "经办人身份证号[身份证号]"),
    ("xiao.ming@cq.gov.cn", "[邮箱]"),
    ("填表人：张晓明　审核人：王建国", "填表人:[姓名] 审核人:[姓名]"),
    ("联系人：李四，13900001111", "联系人:[姓名],[手机号]"),
])
def test_personal_data_is_replaced_by_a_token(text, expected):
    out = mask_personal(text)
    assert out == expected
    assert not any(ch.isdigit() for ch in out)


@pytest.mark.parametrize("text", [
    "2023年12月31日", "渝府发〔2023〕15号", "统一社会信用代码91500104MA5U123456", "罚款13061000000元",
    "110101199013071234",  # month 13: not a birth date, not an ID
    "2.5万余件", "第三批", "电话", "联系人", "八桥镇法治政府建设统计表（2023年度）.xlsx", "566.2",
])
def test_what_is_not_personal_stays_as_written(text):
    assert mask_personal(text) == text


def test_controls_and_bidi_overrides_are_removed_and_escaped_for_the_terminal():
    assert clean_text("区司法局\u202e统计表\x1b[2J\x00") == "区司法局统计表[2J"
    assert printable("bad\x1b[31m.xlsx 13812345678") == "bad\\x1b[31m.xlsx [手机号]"


def test_a_changed_name_keeps_a_stable_hash_so_citations_stay_unique():
    a, b = clean_name("2023/区司法局13812345678.xlsx"), clean_name("2023/区司法局13912345678.xlsx")
    assert a.startswith("2023/区司法局[手机号]~") and a.endswith(".xlsx") and a != b
    assert clean_name("2023/区司法局13812345678.xlsx") == a
    assert clean_name("区司法局.xlsx") == "区司法局.xlsx"


def test_only_a_whole_phone_or_id_is_a_personal_value():
    assert is_personal_value("138-1234-5678") and is_personal_value(" 110101199003071234 ")
    assert not is_personal_value("579件") and not is_personal_value("13061000000元")


# ------------------------------------------------------------------------------ end to end
ID, ID_X, PHONE, DASHED, SPACED, MAIL = ("110101199003071234", "51010219851231002X", "13812345678",
                                         "139-2345-6789", "137 3456 7890", "li.hongmei@example.cn")
SECRETS = (ID, ID_X, PHONE, "13923456789", "13734567890", "139-2345-6789", "137 3456 7890", MAIL, "张晓明", "王建国",
           "李红梅", "15987654321", "13600001111")
YEAR = 2023


def _plant(raw: Path) -> None:
    y = raw / str(YEAR)
    y.mkdir(parents=True)
    write_xlsx(y / f"区市场监管局统计表_{ID}.xlsx", {
        f"联系15987654321": [
            [f"{YEAR}年法治政府建设情况统计表"],
            [org_line("重庆市大渡口区市场监督管理局")],
            ["序号", "指标名称", "单位", f"{YEAR}年", "备注"],
            [1, "行政处罚案件数", "件", 579, f"经办人手机{DASHED}"],
            [2, "罚款金额", "元", 13_061_000_000, None],          # a real 11-digit amount: kept
            [3, "移送公安机关立案侦查数", "件", float(ID), None],   # an ID-card number typed as a count: rejected
            [4, "检查户次", "户次", Text(ID_X), None],             # an ID-card number typed as text: rejected
            [5, f"行政许可办理数（经办人{ID}）", "件", 12, None],     # an ID inside a label: unmapped, masked
            [6, "投诉举报处理数", "件", Text(SPACED), MAIL],
            [],
            ["填表人：张晓明", None, f"联系电话：{PHONE}", None, "审核人：王建国"],
            ["填表人", "李红梅", "手机", "13600001111"],
        ]})
    write_xlsx(y / "生态环境局统计表.xlsx", {"表1": [
        [org_line("重庆市大渡口区生态环境局")],
        ["指标名称", "单位", f"{YEAR}年"],
        ["罚款金额", "万元", 566.2],
    ]})


def _every_byte(*folders: Path) -> str:
    texts = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                texts.append(path.name)
                texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def _cli(*args, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "fzanalysis.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=600)


@pytest.mark.slow
def test_no_personal_digit_reaches_any_output_and_real_amounts_survive(tmp_path):
    raw, processed, reports, nb = tmp_path / "raw", tmp_path / "processed", tmp_path / "reports", tmp_path / "nb"
    _plant(raw)
    nb.mkdir()
    for name in ("overview.ipynb", "diagnostics.ipynb"):
        shutil.copyfile(ROOT / "notebooks" / name, nb / name)
    clean = _cli("clean", "--raw", str(raw), "--out", str(processed), "--quiet", cwd=tmp_path)
    run = _cli("run", "--year", str(YEAR), "--raw", str(raw), "--processed", str(processed), "--out", str(reports),
               "--notebooks", str(nb), "--quiet", cwd=tmp_path)
    assert clean.returncode == 0, clean.stderr
    assert run.returncode == 0, run.stderr
    text = _every_byte(processed, reports) + clean.stdout + clean.stderr + run.stdout + run.stderr
    leaked = [s for s in SECRETS if s in text or s.replace("-", "").replace(" ", "") in text]
    assert leaked == []
    assert "1.10101e+17" not in text and "110101" not in text

    ind = pd.read_csv(processed / str(YEAR) / "indicators.csv", dtype={"raw_text": str})
    kept = dict(zip(ind["code"], ind["value"]))
    assert kept["market_fines"] == 13_061_000_000 and kept["market_penalty_cases"] == 579
    assert kept["eco_fines"] == 5_662_000
    log = pd.read_csv(processed / str(YEAR) / "cleaning_log.csv", dtype=str, keep_default_na=False)
    source = log.loc[log["event"] == "ledger", "file"].tolist()
    assert any(f.startswith(f"{YEAR}/区市场监管局统计表_[身份证号]~") for f in source)
    rejected = log[log["outcome"] == "rejected"].set_index("cell")
    assert rejected.loc["D6", "raw_text"] == "[身份证号]" and "上限" in rejected.loc["D6", "reason"]
    assert rejected.loc["D7", "event"] == "personal_data_removed"
    assert rejected.loc["D9", "event"] == "personal_data_removed"
    assert set(rejected["sheet"]) == {next(iter(set(rejected["sheet"])))}  # one cleaned sheet name
    assert rejected["sheet"].iloc[0].startswith("联系[手机号]~")
    unmapped = pd.read_csv(processed / str(YEAR) / "unmapped.csv", dtype=str, keep_default_na=False)
    assert unmapped["label"].tolist() == ["行政许可办理数(经办人[身份证号])"]  # NFKC once masked
