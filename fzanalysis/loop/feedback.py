"""Feedback to each unit (核对反馈表): the cells it has to fix, ready to send back.

:func:`feedback_items` lists, per unit, every cell of its counting files (a file a correction
superseded is done with) that the year's processing could not use or doubts:

- ``rejected`` — a value cell the cleaner rejected (the log line: what was written, why);
- ``missing`` — a blank value cell of a known indicator (a missing marker such as 无 is an answer);
- ``unmapped`` — a value whose indicator name the catalog does not know (``unmapped.csv``);
- ``not_reported`` — an indicator the unit's form asks for (:func:`fzanalysis.loop.forms.expected_codes`)
  that none of its files holds;
- ``conflicting_values``, ``total_mismatch``, ``rate_inconsistent``, ``yoy_implausible`` — each of the
  unit's cells cited by such a finding of :func:`fzanalysis.analysis.diagnostics.find_problems`;
- ``no_submission`` — a unit that sent nothing (:func:`fzanalysis.analysis.diagnostics.missing_orgs`).

What was written is shown only as the log and the table keep it (:func:`fzanalysis.core.sanitize.clean_text`:
personal data masked, again as each cell of the form is written). A form holds only its unit's cells and
figures: where a finding also cites another unit's cells (two units report one figure differently), its
问题说明 says so without naming the other unit, its file or its value (``feedback.why.*.others``). ``fzanalysis feedback --year Y --out DIR`` writes one .xlsx per unit with
anything to fix; the words are ``catalog_data/form_texts.csv`` (``feedback.*``).
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..analysis.diagnostics import find_problems, missing_orgs
from ..core.catalog import Catalog, load_catalog
from ..core.cite import cite_text, split_cites
from ..core.sanitize import clean_text
from ..core.settings import load_settings, load_texts
from ..store.data import YearData
from ..store.folders import safe_components
from ..store.outputs import workbook_bytes
from .forms import expected_codes, form_item, range_text
from .status import answered_codes, text_columns

__all__ = ["FINDING_RULES", "HEADINGS", "ITEM_COLUMNS", "feedback_files", "feedback_items", "feedback_workbook"]

ITEM_COLUMNS = ["org", "kind", "file", "sheet", "cell", "indicator", "written", "why", "expected"]
HEADINGS = ["序号", "问题类型", "文件", "工作表", "单元格", "指标", "填写内容", "问题说明", "应如何填写", "核对结果（由填报单位填写）"]
FINDING_RULES = ("conflicting_values", "total_mismatch", "rate_inconsistent", "yoy_implausible")


def _expected_value(catalog: Catalog, code: str, texts) -> str:
    if not code or code not in set(catalog.indicators["code"]):
        return texts.text("feedback.expect.unmapped")
    item = form_item(catalog, code, texts)
    return texts.text("feedback.expect.value", name=item.name, unit=item.unit, range=range_text(item, texts))


def feedback_items(tidy: pd.DataFrame, log: pd.DataFrame, unmapped: pd.DataFrame, catalog: Catalog | None = None,
                   baseline: pd.DataFrame | None = None, findings: pd.DataFrame | None = None,
                   year: int | None = None) -> pd.DataFrame:
    """One row per cell to fix (or indicator not reported), :data:`ITEM_COLUMNS`, in unit order."""
    cat = catalog or load_catalog()
    texts = load_texts(cat.folder)
    kinds = {k: texts.text(f"feedback.kind.{k}") for k in
             ("rejected", "missing", "unmapped", "not_reported", "no_submission", *FINDING_RULES)}
    lg = text_columns(log, ["file", "sheet", "cell", "org", "code", "event", "outcome", "reason", "raw_text"])
    superseded = set(lg.loc[(lg["event"] == "superseded") & (lg["cell"] == ""), "file"])
    lg = lg[~lg["file"].isin(superseded)]
    file_org = dict(zip(lg.loc[lg["event"] == "ledger", "file"], lg.loc[lg["event"] == "ledger", "org"]))
    name = lambda code: cat.indicator_name(code) if code else ""  # noqa: E731
    rows: list[dict] = []
    for r in lg[lg["outcome"] == "rejected"].to_dict("records"):
        rows.append(dict(org=r["org"] or file_org.get(r["file"], ""), kind=kinds["rejected"], file=r["file"],
                         sheet=r["sheet"], cell=r["cell"], indicator=name(r["code"]), written=r["raw_text"],
                         why=r["reason"], expected=_expected_value(cat, r["code"], texts)))
    blank = lg[(lg["event"] == "missing") & (lg["code"] != "") & (lg["raw_text"] == "")]
    for r in blank.to_dict("records"):
        rows.append(dict(org=r["org"], kind=kinds["missing"], file=r["file"], sheet=r["sheet"], cell=r["cell"],
                         indicator=name(r["code"]), written="", why=r["reason"],
                         expected=_expected_value(cat, r["code"], texts)))
    um = text_columns(unmapped, ["org", "label", "source_file", "sheet", "cell", "raw_text", "reason"])
    for r in um[~um["source_file"].isin(superseded)].to_dict("records"):
        rows.append(dict(org=r["org"], kind=kinds["unmapped"], file=r["source_file"], sheet=r["sheet"], cell=r["cell"],
                         indicator=r["label"], written=r["raw_text"], why=r["reason"],
                         expected=texts.text("feedback.expect.unmapped")))
    rows += _finding_rows(tidy, log, cat, baseline, findings, file_org, kinds, texts)
    missing = set(missing_orgs(tidy, cat, log))
    deadline = texts.text("template.deadline", next_year=(year or _year(tidy, log)) + 1)
    for org in cat.expected_orgs():
        codes = expected_codes(cat, org)
        if org in missing:
            rows.append(dict(org=org, kind=kinds["no_submission"], file="", sheet="", cell="", indicator="",
                             written="", why=kinds["no_submission"],
                             expected=texts.text("feedback.expect.no_submission", n=len(codes), deadline=deadline)))
            continue
        touched = answered_codes(tidy, log, org) | {c for c in lg.loc[lg["org"] == org, "code"] if c}
        for code in codes:
            if code not in touched:
                rows.append(dict(org=org, kind=kinds["not_reported"], file="", sheet="", cell="", indicator=name(code),
                                 written="", why=kinds["not_reported"], expected=_expected_value(cat, code, texts)))
    out = pd.DataFrame(rows, columns=ITEM_COLUMNS)
    out["written"] = [clean_text(str(w)) for w in out["written"]]
    rank = {o: i for i, o in enumerate(cat.orgs["org"])}
    out["_o"] = out["org"].map(rank).fillna(len(rank))
    out = out.sort_values(["_o", "org", "file", "sheet", "cell"], kind="stable").drop(columns="_o")
    return out.drop_duplicates(["org", "kind", "file", "sheet", "cell", "indicator"]).reset_index(drop=True)


def _year(tidy: pd.DataFrame, log: pd.DataFrame) -> int:
    for df in (tidy, log):
        if "year" in df and len(df):
            return int(pd.to_numeric(df["year"]).mode().iloc[0])
    return 0


def _finding_rows(tidy, log, cat, baseline, findings, file_org, kinds, texts) -> list[dict]:
    """Each cell of the unit's counting files cited by a conflicting / total / rate / jump finding.

    A form holds only its unit's data: the finding's evidence is shown when every cell it cites is the
    unit's own (this year's or the baseline's); a finding that also cites another unit's cells is said
    in words that name no other unit, file or value (``feedback.why.*.others``)."""
    if findings is None:
        findings = find_problems(tidy, cat, baseline, log)
    findings = findings[findings["rule"].isin(FINDING_RULES)]
    columns = ["source_file", "sheet", "cell", "raw_text", "code", "org"]
    cells = {}
    for r in text_columns(tidy, columns).to_dict("records"):
        cells[cite_text(r["source_file"], r["sheet"], r["cell"])] = r
    owner = {cite: r["org"] for cite, r in cells.items()}
    if baseline is not None:  # a jump cites last year's cell of the same unit
        for r in text_columns(baseline, columns).to_dict("records"):
            owner.setdefault(cite_text(r["source_file"], r["sheet"], r["cell"]), r["org"])
    rows = []
    for f in findings.to_dict("records"):
        cites = split_cites(f["cells"])
        for cite in cites:
            row = cells.get(cite)
            if row is None or row["source_file"] not in file_org:  # another year's cell, or a superseded file
                continue
            name = cat.indicator_name(row["code"])
            why, expected = f["evidence"], texts.text(f"feedback.expect.{f['rule']}")
            if any(owner.get(c) != row["org"] for c in cites):
                others = f"feedback.why.{f['rule']}.others"
                why = texts.text(others if others in texts else "feedback.why.others", name=name)
                expected = texts.get(f"feedback.expect.{f['rule']}.others") or expected
            rows.append(dict(org=row["org"], kind=kinds[f["rule"]], file=row["source_file"], sheet=row["sheet"],
                             cell=row["cell"], indicator=name, written=row["raw_text"], why=why, expected=expected))
    return rows


# ------------------------------------------------------------------------------ the forms
def feedback_workbook(org: str, items: pd.DataFrame, year: int, catalog: Catalog | None = None) -> bytes:
    """The 核对反馈表 of one unit as .xlsx bytes (byte-identical from run to run); words from ``form_texts.csv`` and
    ``settings.csv`` of the catalog's folder."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    folder = catalog.folder if catalog is not None else None
    texts = load_texts(folder)
    wb = Workbook()
    ws = wb.active
    ws.title = "核对反馈表"
    district = load_settings(folder).text("district")
    ncols = len(HEADINGS)
    ws.cell(1, 1, texts.text("feedback.title", district=district, year=year)).font = Font(name="宋体", size=16, bold=True)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncols)
    ws.cell(2, 1, texts.text("feedback.org_line", org=clean_text(org)))
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, h in enumerate(HEADINGS, start=1):
        c = ws.cell(4, j, h)
        c.font, c.border, c.fill = Font(name="宋体", bold=True), box, PatternFill("solid", fgColor="F2F2F2")
    for i, r in enumerate(items.to_dict("records"), start=1):
        values = [i, r["kind"], Path(r["file"]).name, r["sheet"], r["cell"], r["indicator"], r["written"], r["why"],
                  r["expected"], ""]
        values = [clean_text(v) for v in values]  # every text masked as it is written, whatever made it
        for j, v in enumerate(values, start=1):
            c = ws.cell(4 + i, j, v)
            c.border, c.alignment, c.font = box, wrap, Font(name="宋体")
            if isinstance(v, str) and v[:1] in "=+-@":
                c.data_type = "s"  # what a unit wrote is shown, never run
    deadline = texts.text("template.deadline", next_year=year + 1)
    ws.cell(6 + len(items), 1, texts.text("feedback.note", deadline=deadline))
    widths = (6, 14, 30, 16, 8, 24, 14, 48, 40, 24)
    for letter, width in zip("ABCDEFGHIJ", widths):
        ws.column_dimensions[letter].width = width
    for i in range(len(items)):  # wrapped text gets its height (a CJK character is about two widths)
        cells = [str(ws.cell(5 + i, j).value or "") for j in range(1, len(widths) + 1)]
        lines = max(1 + (2 * len(t)) // max(1, w - 1) for t, w in zip(cells, widths))
        ws.row_dimensions[5 + i].height = 15 * lines + 3
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0  # one page wide
    ws.print_title_rows = "4:4"
    return workbook_bytes(wb, year)


def feedback_files(yr: YearData, findings: pd.DataFrame) -> dict[str, bytes]:
    """File name → .xlsx bytes of the 核对反馈表 of each unit with anything to fix in the year ``yr`` (the problems:
    ``findings``, the report's for the same baseline year); names from unit names made safe."""
    items = feedback_items(yr.tidy, yr.log, yr.unmapped, yr.catalog, yr.baseline, findings, year=yr.year)
    texts = load_texts(yr.catalog.folder)
    groups = [(org, g) for org, g in items.groupby("org", sort=False) if org]
    names = safe_components(org for org, _ in groups)  # unit names read from workbooks never become paths
    return {texts.text("feedback.file_name", year=yr.year, org=names[org]): feedback_workbook(org, g, yr.year,
                                                                                             yr.catalog)
            for org, g in groups}
