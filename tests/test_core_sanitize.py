"""fzanalysis.core.sanitize: personal data masked and control characters removed in every output.

The unit cases pin the patterns (few false alarms: dates, document numbers, amounts, credit codes
stay); the end-to-end test plants an ID-card number, dashed and spaced phones, an e-mail, names on
sign-off lines, and digits in a sheet name and a file name, then cleans, runs the overview and the
diagnostics notebooks and greps every output byte — and checks that real 11-digit amounts survive.
"""
from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fzanalysis.core.sanitize import (ID_TOKEN, NAME_TOKEN, PHONE_TOKEN, clean_names, clean_text, is_personal_value,
                                 mask_personal, printable)
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


def test_changed_names_stay_apart_without_a_hash_of_the_original():
    """Two files differing only in a masked number get ~1 and ~2 (in the order given, so the same input
    gives the same names); no hash of the original, which would let the number be found by trying."""
    names = ["2023/区司法局13812345678.xlsx", "2023/区司法局13912345678.xlsx", "区司法局.xlsx", "表（13812345678）"]
    cited = clean_names(names)
    assert cited == {"2023/区司法局13812345678.xlsx": "2023/区司法局[手机号]~1.xlsx",
                     "2023/区司法局13912345678.xlsx": "2023/区司法局[手机号]~2.xlsx",
                     "区司法局.xlsx": "区司法局.xlsx", "表（13812345678）": "表([手机号])~1"}  # masked text comes NFKC-folded
    assert clean_names(names) == cited
    assert clean_names(reversed(names))["2023/区司法局13912345678.xlsx"] == "2023/区司法局[手机号]~1.xlsx"


def test_only_a_whole_phone_or_id_is_a_personal_value():
    assert is_personal_value("138-1234-5678") and is_personal_value(" 110101199003071234 ")
    assert not is_personal_value("579件") and not is_personal_value("13061000000元")


# ------------------------------------------------------------------------------ spellings people use (issue 16)
@pytest.mark.parametrize("text, expected", [
    ("1390 0222 222", "[手机号]"),                       # 4-4-3
    ("139 0011 1111", "[手机号]"),                       # 3-4-4
    ("(139)0033-3333", "[手机号]"),
    ("139.0044.4444", "[手机号]"),
    ("139–0055–5555", "[手机号]"),                       # en dash
    ("139—0055—5555", "[手机号]"), ("139－0055－5555", "[手机号]"), ("139‒0055‒5555", "[手机号]"),
    ("139―0055―5555", "[手机号]"), ("139‐0055‐5555", "[手机号]"),
    ("139\u30000055\u30005555", "[手机号]"),             # ideographic space
    ("+86 139 0000 1111", "[手机号]"), ("0086-139-0000-1111", "[手机号]"), ("(+86)13900001111", "[手机号]"),
    ("Tel13900666666", "Tel[手机号]"), ("TEL:139 0066 6666", "TEL:[手机号]"), ("电话13900777777", "电话[手机号]"),
    ("手机号13900999999", "手机号[手机号]"),
    ("13900001111 13900002222", "[手机号] [手机号]"),
    ("110105 19800101 888X", "[身份证号]"), ("110105-19800101-888X", "[身份证号]"),
    ("110105 800101 888", "[身份证号]"),
    ("联系人 王小明", "联系人 [姓名]"),
    ("联系人：李四光13900888888", "联系人:[姓名][手机号]"),
    ("联系人：张三、李四、王五", "联系人:[姓名]、[姓名]、[姓名]"),
    ("联系人：张三 李四", "联系人:[姓名] [姓名]"),
    ("联系人王小明13900888888", "联系人[姓名][手机号]"),
    ("负责人：赵六", "负责人:[姓名]"),
    ("某某协会（1390-8080-808）", "某某协会([手机号])"),
])
def test_the_spellings_of_the_issue_are_masked(text, expected):
    assert mask_personal(text) == expected


@pytest.mark.parametrize("text", [
    "13900000000元", "13900000000 万元", "13 900 000 000 元", "1.39亿", "1.39亿元", "13900000.000", "13900000000.00元",
    "2023-01-15", "2023.01.15—2023.12.31", "大渡府发〔2023〕15号", "13 14 15 16 17 18 19 20",
    "主要负责人履行推进法治建设第一责任人职责", "党政主要负责人履行推进法治建设第一责任人职责情况",
    "行政机关负责人出庭应诉率", "负责人出庭应诉率", "联系人 电话", "联系人 姓名", "单位负责人",
    "91500104MA5U123456",
])
def test_amounts_dates_document_numbers_and_indicator_names_stay(text):
    assert mask_personal(text) == text


SEPARATORS = (" ", "-", "–", "—", "－", "‒", "―", "‐", ".", "\u3000", "\u00a0", "·", " - ", "")
PHONE_PREFIXES = ("", "+86", "+86 ", "+86-", "0086", "0086 ", "(+86)", "（+86）", "86-")
PHONE_LABELS = ("", "Tel", "TEL", "tel:", "Tel.", "Mobile", "电话", "手机", "手机号", "手机号码", "联系电话：", "电话 ")
BEFORE = ("", "本单位", "如有疑问请联系", "备注：", "2023年度统计，", "（", "请与办公室")
AFTER = ("", "。", "，谢谢", " 转办公室", "）", "；核对后报送", "\n下一行")
SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "赵", "黄", "周", "吴", "欧阳", "司马")
GIVEN = ("小明", "建国", "红梅", "光", "伟", "芳", "四光", "晓燕", "德华")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def _spell(draw, chars: str, separators=SEPARATORS) -> str:
    """``chars`` cut into groups at random places, each cut with its own separator."""
    cuts = sorted(draw(st.sets(st.integers(1, len(chars) - 1), max_size=4)))
    parts = [chars[a:b] for a, b in zip([0, *cuts], [*cuts, len(chars)])]
    out = parts[0]
    for part in parts[1:]:
        out += draw(st.sampled_from(separators)) + part
    return out


@st.composite
def mobile_spellings(draw) -> tuple[str, str]:
    """(the 11 digits, one way a person writes them)."""
    digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    if draw(st.booleans()):
        spelled = _spell(draw, digits)
        assume(not re.fullmatch(r"\d+\.\d+", spelled))  # 1390022.2222 is a decimal number: kept by design
    else:  # (139)0033-3333
        cut = draw(st.integers(3, 4))
        spelled = f"({digits[:cut]})" + draw(st.sampled_from(("", " "))) + _spell(draw, digits[cut:])
    spelled = draw(st.sampled_from(PHONE_PREFIXES)) + spelled
    if draw(st.booleans()):
        spelled = spelled.translate(FULL_WIDTH)
    return digits, draw(st.sampled_from(PHONE_LABELS)) + spelled


@st.composite
def id_spellings(draw) -> tuple[str, str]:
    region = draw(st.sampled_from(("110105", "500104", "130102", "510102", "440305", "620102")))
    born = draw(st.dates(dt.date(1930, 1, 1), dt.date(2012, 12, 31)))
    seq = draw(st.text("0123456789", min_size=3, max_size=3))
    if draw(st.booleans()):
        digits = region + born.strftime("%y%m%d") + seq  # the 15-digit old form
    else:
        digits = region + born.strftime("%Y%m%d") + seq + draw(st.sampled_from("0123456789Xx"))
    spelled = _spell(draw, digits, (" ", "-", "–", "—", "\u3000", " - ", ""))
    return digits.rstrip("Xx"), draw(st.sampled_from(("", "身份证号", "身份证号：", "经办人身份证号 "))) + spelled


@st.composite
def name_lists(draw) -> tuple[list[str], list[str], str]:
    """(names, phone digits glued to them, a sign-off text: label, colon or not, names, numbers)."""
    names = draw(st.lists(st.builds(lambda s, g: s + g, st.sampled_from(SURNAMES), st.sampled_from(GIVEN)),
                          min_size=1, max_size=4, unique=True))
    label = draw(st.sampled_from(("联系人", "填表人", "审核人", "负责人", "经办人", "单位负责人", "填报人")))
    after_label = draw(st.sampled_from(("：", ":", " ", "： ", "\u3000")))
    between = draw(st.sampled_from(("、", "，", " ", "/", "\u3000")))
    phones, items = [], []
    for name in names:
        if draw(st.booleans()):
            digits, spelled = draw(mobile_spellings().filter(lambda p: not p[1][:1].isalpha()))
            phones.append(digits)
            name += spelled
        items.append(name)
    return names, phones, label + after_label + between.join(items)


def _digits_left(out: str, digits: str, run: int = 7) -> list[str]:
    """Runs of ``run`` consecutive digits of ``digits`` still in ``out`` once separators are removed."""
    flat = re.sub(r"[\s\-–—－‒―‐.·()（）+＋]", "", unicodedata.normalize("NFKC", out))
    return [digits[k:k + run] for k in range(len(digits) - run + 1) if digits[k:k + run] in flat]


@settings(max_examples=400, deadline=None)
@given(mobile_spellings(), st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_no_spelling_of_a_mobile_number_survives(phone, before, after):
    digits, spelled = phone
    out = clean_text(before + spelled + after)
    assert _digits_left(out, digits) == [], (spelled, out)
    assert PHONE_TOKEN in out


@settings(max_examples=300, deadline=None)
@given(id_spellings(), st.sampled_from(BEFORE), st.sampled_from(AFTER))
def test_no_spelling_of_an_id_number_survives(id_number, before, after):
    digits, spelled = id_number
    out = clean_text(before + spelled + after)
    assert _digits_left(out, digits) == [], (spelled, out)
    assert ID_TOKEN in out


@settings(max_examples=400, deadline=None)
@given(name_lists(), st.sampled_from(("", "本表", "备注：", "2023年度，")),
       st.sampled_from(("", "。", "，请核对", "\u3000审核人：王建国", " 联系电话：023-68881234")))
def test_no_name_of_a_sign_off_list_survives(sign_off, before, after):
    names, phones, text = sign_off
    out = clean_text(before + text + after)
    assert [n for n in names if n in out] == [], (text, out)
    assert all(_digits_left(out, p) == [] for p in phones), (text, out)
    assert out.count(NAME_TOKEN) >= len(names)


@settings(max_examples=200, deadline=None)
@given(mobile_spellings(), id_spellings())
def test_several_numbers_in_one_remark_all_go(phone, id_number):
    text = f"经办人手机{phone[1]}，身份证{id_number[1]}；另：{phone[1]}"
    out = clean_text(text)
    assert _digits_left(out, phone[0]) == [] and _digits_left(out, id_number[0]) == [], (text, out)


@settings(max_examples=300, deadline=None)
@given(st.integers(13_000_000_000, 19_999_999_999), st.sampled_from(("元", "万元", " 元", "亿元", "件", "次")))
def test_an_eleven_digit_amount_or_count_stays(value, unit):
    assert clean_text(f"{value}{unit}") == f"{value}{unit}"


# ------------------------------------------------------------------------------ the command line's edge
def test_the_stream_of_the_command_line_masks_whole_lines_however_they_are_written():
    import io

    from fzanalysis.core.sanitize import MaskedStream

    sink = io.StringIO()
    stream = MaskedStream(sink)
    print("电话", "139 0022", "2222", file=stream)  # print writes its arguments one by one
    stream.write("进度 1390 0")
    assert sink.getvalue() == "电话 [手机号]\n"  # half a line waits for its end
    stream.write("222 222\r")  # a progress bar's carriage return ends a line too
    stream.write("末尾 (139)0033-3333\x1b[2J")
    stream.flush()
    assert sink.getvalue() == "电话 [手机号]\n进度 [手机号]\r末尾 [手机号]\\x1b[2J"


def test_no_command_prints_personal_data_not_even_argparse(capsys):
    from fzanalysis.cli import main

    with pytest.raises(SystemExit):
        main(["status", "--year", "139 0066 6666"])  # argparse echoes the bad value
    with pytest.raises(SystemExit):
        main(["status", "--year", "2023", "--bogus", "联系人 王小明"])
    code = main(["check-report", "联系人王小明13900777777.txt", "--year", "2023"])
    err = capsys.readouterr().err
    assert code != 0 and "[手机号]" in err
    assert _digits_left(err, "13900666666") == [] and _digits_left(err, "13900777777") == [] and "王小明" not in err


# ------------------------------------------------------------------------------ spellings end to end (issue 16)
MEMBER_ORG = "某某协会（1390-8080-808）"
REMARK = "经办人Tel13900666666，(139)0033-3333，139–0055–5555，身份证110105 19800101 888X；联系人：李四光13900888888"
SPELLING_SECRETS = ("13908080808", "13900666666", "13900333333", "13900555555", "13900888888", "13900222222",
                    "13900444444", "13900777777", "13900888888", "11010519800101888")
SPELLING_NAMES = ("李四光", "王小明", "张三丰", "赵子龙", "钱学森")


def _plant_spellings(raw: Path) -> None:
    y = raw / str(YEAR)
    y.mkdir(parents=True)
    # an unknown unit: its 填报单位 line holds a phone (dropped as personal data), so its name is the file's
    write_xlsx(y / f"{MEMBER_ORG}.xlsx", {
        "联系1390 0222 222": [
            [org_line(MEMBER_ORG)],
            ["备注：联系人 王小明 13900777777"],
            ["序号", "指标名称", "单位", f"{YEAR}年", "备注"],
            [1, "普法宣传活动场次", "场", 12, REMARK],
            [2, "普法志愿者人数（联系人 张三丰、赵子龙）", "人", 30, None],   # unmapped: its label is cited
            [3, "法律服务咨询（负责人 钱学森 139 0088 8888）", "次", 40, None],
            [4, "会员单位数", "个", Text("1390 0222 222"), None],       # a phone typed as the value
            [5, "培训人次", "人次", Text("待统计，联系139.0044.4444"), None],  # text the parser refuses
            [],
            ["联系人：张三丰、赵子龙", None, "手机：(+86)139 0066 6666"],
        ]})
    write_xlsx(y / "区市场监管局统计表.xlsx", {"表1": [
        [org_line("重庆市大渡口区市场监督管理局")],
        ["指标名称", "单位", f"{YEAR}年"],
        ["行政处罚案件数", "件", 579],
        ["主要负责人履行推进法治建设第一责任人职责情况", "项", 3],
    ]})


def _leaks(text: str) -> list[str]:
    return [d for d in SPELLING_SECRETS if _digits_left(text, d)] + [n for n in SPELLING_NAMES if n in text]


def test_spellings_reach_no_output_of_clean_status_or_check_report(tmp_path, capsys):
    from fzanalysis.store.data import run_clean
    from fzanalysis.cli import main

    raw, processed, out = tmp_path / "raw", tmp_path / "processed", tmp_path / "out"
    _plant_spellings(raw)
    run_clean(raw_dir=raw, processed_dir=processed, year=YEAR, progress=False)
    year_dir = processed / str(YEAR)
    for name in ("indicators.csv", "cleaning_log.csv", "unmapped.csv"):
        text = (year_dir / name).read_bytes().decode("utf-8")
        assert _leaks(text) == [], name
    assert _leaks(pd.read_parquet(year_dir / "indicators.parquet").astype(str).to_csv()) == []
    log = pd.read_csv(year_dir / "cleaning_log.csv", dtype=str, keep_default_na=False)
    member = log[log["file"].str.startswith(f"{YEAR}/某某协会")]
    (org,) = set(member["org"])
    assert org.startswith("某某协会([手机号])~")  # the unknown unit: named after its file, the number masked
    assert member["file"].iloc[0].startswith(f"{YEAR}/某某协会([手机号])~")
    sheets = set(member.loc[member["sheet"] != "", "sheet"])
    assert len(sheets) == 1 and sheets.pop().startswith("联系[手机号]~")
    assert {"personal_data_removed", "unknown_org"} <= set(member["event"])
    unmapped = pd.read_csv(year_dir / "unmapped.csv", dtype=str, keep_default_na=False)
    assert "普法志愿者人数(联系人 [姓名]、[姓名])" in set(unmapped["label"])
    assert "法律服务咨询(负责人 [姓名] [手机号])" in set(unmapped["label"])
    ind = pd.read_csv(year_dir / "indicators.csv", dtype=str, keep_default_na=False)
    assert "主要负责人履行推进法治建设第一责任人职责情况" in set(unmapped["label"]) | set(ind["indicator"])
    assert "579" in set(ind["value"].str.replace(".0", "", regex=False))  # the good workbook is untouched

    capsys.readouterr()
    assert main(["status", "--year", str(YEAR), "--processed", str(processed), "--raw", str(raw),
                 "--out", str(out)]) == 0
    printed = capsys.readouterr()
    status = (out / str(YEAR) / "status.csv").read_bytes().decode("utf-8")
    assert org in status and org in printed.out
    assert _leaks(status) == [] and _leaks(printed.out + printed.err) == []

    report = tmp_path / "成稿.txt"
    report.write_text("市场监管领域办理行政处罚案件579件。\n"
                      f"联系人 王小明，电话1390 0222 222；{REMARK}。\n"
                      "某某协会（1390-8080-808）开展普法宣传12场，联系人：张三丰、赵子龙、钱学森。\n"
                      "另：Tel13900777777，会员139.0044.4444，139 0088 8888人次参加培训。\n", encoding="utf-8")
    main(["check-report", str(report), "--year", str(YEAR), "--processed", str(processed), "--raw", str(raw),
          "--out", str(out)])
    printed = capsys.readouterr()
    checked = (out / str(YEAR) / "report_check.csv").read_bytes().decode("utf-8")
    assert _leaks(checked) == [] and _leaks(printed.out + printed.err) == []
    rows = pd.read_csv(out / str(YEAR) / "report_check.csv", dtype=str, keep_default_na=False)
    assert "579件" in set(rows["figure_text"]) and len(rows) >= 3
    assert rows["sentence"].str.contains("[手机号]", regex=False).sum() >= 2


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
