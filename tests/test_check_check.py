"""fzanalysis.check.check and ``fzanalysis check-report``: the seed report agrees with the data figure by
figure; every kind of wrong figure is caught, naming the table value and cell; matching is by words."""
from __future__ import annotations

import subprocess
import sys
import zipfile

import pandas as pd
import pytest

from fzanalysis.analysis import text_figures as find
from fzanalysis.analysis import text_match as match
from fzanalysis.check import check
from fzanalysis.check.check import COLUMNS, Tables, check_paragraphs
from fzanalysis.cli import DEFAULT_MAX_REPORT_MB, main
from fzanalysis.core.errors import ReportError
from fzanalysis.ingest.document import DEFAULT_MAX_REPORT_BYTES
from tests.docx_factory import DOCUMENT, minimal_docx, patch_headers, zeros_docx
from tests.work_count import lines_run
from tests.report_fixtures import FIGURES, RAW, ROOT, SEED, processed, tidy  # noqa: F401


_TABLES: dict[str, Tables] = {}


@pytest.fixture
def tables(processed) -> Tables:
    if "t" not in _TABLES:  # derived rates of both years: computed once for the module
        _TABLES["t"] = Tables(tidy(processed, 2023), tidy(processed, 2022), 2023, 2022)
    return _TABLES["t"]


def _check(text: str, tables: Tables, org: str = "") -> pd.DataFrame:
    return check_paragraphs(text.split("\n"), tables, org=org)


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "fzanalysis.cli", *args], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def test_seed_report_all_109_figures_found_and_agree(tables):
    df = _check(SEED.read_text(encoding="utf-8"), tables)
    assert list(df.columns) == COLUMNS
    assert len(df) == 109
    assert set(df["status"]) == {"一致"}
    assert sorted(df["code"]) == sorted(FIGURES["code"])  # each seed figure matched to its own indicator
    for f in FIGURES.itertuples():
        hit = df[df["code"] == f.code]
        assert len(hit) == 1 and hit["org"].iloc[0] == f.org, f.id
        assert hit["value"].iloc[0] == f.value, f.id
        assert f.sentence.split("，")[-1][:6] in hit["sentence"].iloc[0], f.id
        assert hit["cell"].iloc[0].startswith("2023/"), f.id


WRONG = [
    ("changed digit", "市场监管领域办理行政处罚案件579件", "市场监管领域办理行政处罚案件578件", "579件", "!C13"),
    ("swapped digits", "市场监管领域办理行政处罚案件579件", "市场监管领域办理行政处罚案件597件", "579件", "!C13"),
    ("wrong 万/余", "事项2.5万余件", "事项25万余件", "2.5万余件", "!政务服务!"),
    ("wrong 余 amount", "纯信用融资3000余万元", "纯信用融资300余万元", "3000余万元", "!信用建设!"),
    ("wrong rate", "调解成功率99%", "调解成功率98%", "99%", "!人民调解!"),
    ("moved to another indicator", "罚款566.2万元，17个", "罚款45.8万元，17个", "566.2万元", "!D13"),
    ("swapped between units", "办理行政处罚案件19件", "办理行政处罚案件579件", "19件", "生态环境局"),
    ("wrong change", "同比增长41.3%", "同比增长14.3%", "41.3%", "!行政复议!"),
    ("wrong direction", "同比增长41.3%", "同比下降41.3%", "41.3%", "!行政复议!"),
]


@pytest.mark.parametrize("kind,old,new,table_value,cell", WRONG, ids=[w[0] for w in WRONG])
def test_each_kind_of_wrong_figure_is_caught_with_the_table_value_and_cell(tables, kind, old, new, table_value, cell):
    text = SEED.read_text(encoding="utf-8")
    assert old in text
    df = _check(text.replace(old, new, 1), tables)
    bad = df[df["status"].isin(["不一致", "待核"])]
    assert len(bad) == 1, bad
    assert table_value in bad["table_value"].iloc[0] and cell in bad["cell"].iloc[0]
    assert (df["status"] == "一致").sum() == 108


def test_cli_exits_1_on_a_wrong_figure_and_writes_the_csv_with_bom(tmp_path, processed):
    bad = tmp_path / "成稿.txt"
    bad.write_text(SEED.read_text(encoding="utf-8").replace("调解成功率99%", "调解成功率98%"), encoding="utf-8")
    proc = _cli("check-report", str(bad), "--year", "2023", "--processed", str(processed), "--raw", str(RAW),
                "--out", str(tmp_path / "out"))
    assert proc.returncode == 1, proc.stderr
    assert "不一致 1" in proc.stdout and "98%" in proc.stdout and "99%" in proc.stdout
    data = (tmp_path / "out" / "2023" / "report_check.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    df = pd.read_csv(tmp_path / "out" / "2023" / "report_check.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(df.columns) == COLUMNS and len(df) == 109


def test_cli_on_the_seed_exits_0(tmp_path, processed):
    proc = _cli("check-report", str(SEED), "--year", "2023", "--processed", str(processed), "--raw", str(RAW),
                "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "一致 109，不一致 0，待核 0，无来源 0" in proc.stdout


@pytest.mark.parametrize("name,content", [("missing.docx", None), ("fake.docx", b"not a zip"), ("x.pdf", b"%PDF")])
def test_a_bad_input_file_is_one_line_exit_2(tmp_path, processed, name, content):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    proc = _cli("check-report", str(path), "--year", "2023", "--processed", str(processed), "--raw", str(RAW),
                "--out", str(tmp_path))
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr and name in proc.stderr


def test_words_decide_not_values_same_words_for_two_units_is_unsure(tables):
    df = _check("全年办理行政处罚案件579件。", tables)  # 区市场监管局 or 区生态环境局: the words do not say
    assert df["status"].tolist() == ["待核"]
    assert "market_penalty_cases" in df["code"].iloc[0] and "eco_penalty_cases" in df["code"].iloc[0]
    assert "579件" in df["table_value"].iloc[0] and "19件" in df["table_value"].iloc[0]


def test_org_option_checks_a_department_summary_against_its_own_figures(tables):
    text = "本局全年办理行政处罚案件579件，罚款566.2万元，移送公安机关立案侦查15件。"
    df = _check(text, tables, org="区市场监管局")
    assert df["status"].tolist() == ["一致", "一致", "不一致"]
    assert set(df["org"]) == {"区市场监管局"}
    assert _check(text.replace("本局", "区生态环境局"), tables, org="区市场监管局")["status"].tolist()[:2] == ["一致", "一致"]


def test_a_named_town_is_compared_with_its_own_row(tables):
    df = _check("八桥镇办理镇街综合行政执法案件27件。跳磴镇镇街综合行政执法案件数为3件。", tables)
    assert df["status"].tolist() == ["一致", "不一致"]
    assert df["area"].tolist() == ["八桥镇", "跳磴镇"]
    assert df["table_value"].iloc[1].startswith("0件")


def test_conflicting_duplicate_submissions(tables):
    cur = tables.cur.drop(columns=["cite", "eff_area"])
    row = cur[(cur["code"] == "market_penalty_cases") & (cur["area"] == "")]
    dup = row.assign(value=590.0, raw_text="590", source_file="2023/区市场监管局（补报）.xlsx", cell="C9")
    t = Tables(pd.concat([cur, dup]), None, 2023)
    df = _check("市场监管领域办理行政处罚案件579件。\n市场监管领域办理行政处罚案件590件。\n"
                "市场监管领域办理行政处罚案件585件。", t)
    assert df["status"].tolist() == ["一致", "一致", "不一致"]
    assert "补报" not in df["cell"].iloc[0] and "补报" in df["cell"].iloc[1]
    assert "579件" in df["table_value"].iloc[2] and "590件" in df["table_value"].iloc[2]


def test_derived_rate_and_computed_change_cite_their_cells(tables):
    df = _check("区司法局受理法律援助案件316件、办结221件，法律援助办结率为69.9%，同比下降9.3个百分点。"
                "受理法律援助案件数同比增长6%。", tables)
    assert df["status"].tolist() == ["一致"] * 5
    rate, change, pct = df.iloc[2], df.iloc[3], df.iloc[4]
    assert rate["code"] == "legal_aid_closure_rate" and "分子：" in rate["cell"] and "分母：" in rate["cell"]
    assert change["value"] == -9.3 and "上年：2022/" in change["cell"]
    assert pct["code"] == "legal_aid_accepted" and "本年：2023/" in pct["cell"]


def test_a_change_without_baseline_has_no_source(processed):
    t = Tables(tidy(processed, 2023), None, 2023)
    df = check_paragraphs(["受理法律援助案件数同比增长6%。"], t)
    assert df["status"].tolist() == ["无来源"]


def test_targets_are_not_checked_as_figures(tables):
    df = _check("2024年力争法律援助办结率不低于80%，确保出庭应诉率达到100%。", tables)
    assert df.empty


@pytest.mark.parametrize("text, status, table_value", [
    ("成立道路交通专项整治工作专班5个，与上年持平。", "一致", "+0%"),  # 5 → 5
    ("镇街执法人员培训5批次，与去年持平。", "一致", "+0%"),
    ("道路交通专项整治整改率100%，与上年持平。", "一致", "+0个百分点"),  # a rate: no change in points
    ("市场监管领域办理行政处罚案件579件，与上年持平。", "不一致", "-9.11%"),  # 637 → 579
    ("行政复议受理数与上年持平。", "不一致", "41.3%"),  # against the change the unit reported
])
def test_no_change_claimed_is_checked_against_both_years(tables, text, status, table_value):
    row = _check(text, tables).iloc[-1]
    assert (row["figure_text"][-2:], row["status"], row["table_value"]) == ("持平", status, table_value)
    assert row["cell"].count("2023/") >= 1


# ------------------------------------------------------------------------------ bounded input
def _zip_cases(tmp_path):
    """name → (builder, words of its one-line reason)."""
    def corrupt(path):
        minimal_docx(path, {"word/document.xml": DOCUMENT * 50})
        data = bytearray(path.read_bytes())
        data[data.find(b"word/document.xml") + len("word/document.xml")] = 0xFF  # its first deflate block
        path.write_bytes(bytes(data))

    return {
        "bomb.docx": (lambda p: zeros_docx(p, 3), "解压后 3 MB，超过上限 1 MB"),
        "many.docx": (lambda p: minimal_docx(p, {f"{i:x}": b"" for i in range(10_001)}, zipfile.ZIP_STORED),
                      "条目 10003 个，超过上限 10000 个"),
        "encrypted.docx": (lambda p: patch_headers(minimal_docx(p), 6, 8, "<H", lambda old: old | 1), "加密"),
        "aes.docx": (lambda p: patch_headers(minimal_docx(p), 8, 10, "<H", lambda old: 99), "压缩方式（99）"),
        "corrupt.docx": (corrupt, "压缩数据损坏"),
        "notzip.docx": (lambda p: p.write_bytes(b"PK\x03\x04 not a zip"), "zip 结构损坏"),
        "nodocument.docx": (lambda p: minimal_docx(p, {"word/document.xml": None}), "缺少 word/document.xml"),
        "big.txt": (lambda p: p.write_bytes("受理案件5件\n".encode() * 80_000), "超过上限 1 MB"),
        "big.md": (lambda p: p.write_bytes("受理案件5件\n\n".encode() * 70_000), "超过上限 1 MB"),
    }


@pytest.mark.parametrize("name", ["bomb.docx", "many.docx", "encrypted.docx", "aes.docx", "corrupt.docx",
                                  "notzip.docx", "nodocument.docx", "big.txt", "big.md"])
def test_a_malformed_or_oversized_report_is_one_line_exit_2(tmp_path, capsys, name):
    build, words = _zip_cases(tmp_path)[name]
    path = tmp_path / name
    build(path)
    status = main(["check-report", str(path), "--year", "2023", "--out", str(tmp_path / "out"),
                   "--max-uncompressed-mb", "1"])
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("错误：") and name in err and words in err, err
    assert not (tmp_path / "out").exists()


def test_the_size_bound_is_a_positive_number_and_its_default_is_the_readers(tmp_path, capsys):
    assert DEFAULT_MAX_REPORT_MB * 1024 * 1024 == DEFAULT_MAX_REPORT_BYTES
    assert main(["check-report", str(SEED), "--year", "2023", "--max-uncompressed-mb", "0"]) == 2
    assert "--max-uncompressed-mb 须为正整数" in capsys.readouterr().err


# ------------------------------------------------------------------------------ linear in the text
def test_checking_is_linear_in_the_figures_of_a_paragraph(tables):
    """300 and 600 figures in one paragraph: twice the figures, twice the lines run in the checker, the
    figure finder and the matcher (re-reading the paragraph for every figure was four times)."""
    def paragraph(n):
        return ["，".join(f"区司法局受理法律援助案件{i}件、办结{i // 2}件" for i in range(n // 2)) + "。"]

    modules = (check, match, find)
    small = lines_run(lambda: _check(paragraph(300)[0], tables), *modules)
    large = lines_run(lambda: _check(paragraph(600)[0], tables), *modules)
    assert len(_check(paragraph(600)[0], tables)) == 600
    assert 1.9 < large / small < 2.1, (small, large)


def test_a_table_look_up_is_done_once_not_once_per_figure(tables, monkeypatch):
    """100,000 paragraphs took ~30 ms each: every figure filtered the whole table again (and pandas built a
    new row type for each). Now a look-up (indicator, unit, 镇街) is done once for the whole text."""
    calls = []
    original = check._Checker._rows
    monkeypatch.setattr(check._Checker, "_rows",
                        lambda self, *args: calls.append(args[0].code) or original(self, *args))
    text = "\n".join(f"区司法局受理法律援助案件{316 + i % 2}件。" for i in range(400))
    df = _check(text, tables)
    assert df["status"].value_counts().to_dict() == {"一致": 200, "不一致": 200}
    assert calls == ["legal_aid_accepted"]


def test_a_sentence_without_full_stops_is_shown_around_its_figure(tables):
    """A row per figure must not copy a whole text without full stops: the sentence shown is the 500
    characters around the figure, its cut ends marked …"""
    text = "工作" * 3000 + "区司法局受理法律援助案件316件" + "推进" * 3000
    row = _check(text, tables).iloc[0]
    assert row["status"] == "一致" and len(row["sentence"]) <= check.MAX_SENTENCE + 2 * check._CUT_ROOM + 2
    assert "受理法律援助案件316件" in row["sentence"]
    assert row["sentence"].startswith("…") and row["sentence"].endswith("…")
    seed = _check(SEED.read_text(encoding="utf-8"), tables)
    assert not seed["sentence"].str.contains("…").any()  # every sentence of a real report is shown whole


def test_a_number_too_large_for_a_float_agrees_with_nothing(tables):
    df = _check("区司法局受理法律援助案件" + "1" * 400 + "件。", tables)
    assert df["status"].tolist() == ["不一致"] and "316件" in df["table_value"].iloc[0]


def test_a_cut_sentence_never_cuts_a_phone_number_in_half(tables):
    """The excerpt is masked after it is cut: a cut inside a phone number would leave its last digits
    unmasked. A cut goes to the nearest clause mark, else 40 characters wider."""
    figure = "区司法局受理法律援助案件316件"
    at = 6000  # the figure's start: the plain cut would fall at 6000 - 250, inside the number below
    text = "工" * (at - 255) + "13900666666" + "工" * 244 + figure + "推进" * 3000
    assert text.index(figure) == at
    row = _check(text, tables).iloc[0]
    assert row["status"] == "一致" and "[手机号]" in row["sentence"]
    assert "0666666" not in row["sentence"] and "139006" not in row["sentence"]
    with_stop = "工作" * 3000 + "，联系电话13900666666，" + "工" * 200 + figure + "推进" * 3000
    shown = _check(with_stop, tables).iloc[0]["sentence"]
    assert "666666" not in shown and "[手机号]" in shown and shown.startswith(("…", "..."))  # masked text comes NFKC-folded


def test_a_text_dense_with_figures_is_refused_in_one_line(tables, monkeypatch, tmp_path):
    """A small .docx can inflate to 50 MB of "1件、": past MAX_FIGURES figures the text is refused (one line
    naming the file), not checked for minutes."""
    monkeypatch.setattr(check, "MAX_FIGURES", 50)
    with pytest.raises(ReportError, match="文中数字超过 50 个（第 2 段处）"):
        check.check_paragraphs(["区司法局受理法律援助案件316件。", "1件、" * 60], tables)
    assert len(check.check_paragraphs(["1件、" * 50], tables)) == 50
