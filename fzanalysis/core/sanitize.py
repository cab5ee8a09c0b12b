"""Text received in workbooks, made safe to write anywhere (个人信息脱敏与控制字符清理).

Every text the cleaner passes on — labels, units, remarks, text-valued cells, sheet names, file
names, reasons that quote them — goes through :func:`clean_text` (or :func:`clean_names` for file
or sheet names) before it reaches processed data, the log, findings, notebooks, reports or the
terminal; check-report echoes the analyst's sentences through it; and every line a command prints
passes :class:`MaskedStream` (the command line's edge):

- personal data is replaced by a token, no digit of it left: mobile numbers, whatever the grouping
  of their 11 digits and whatever stands between the groups — spaces of any width, dots, dashes of
  every kind, brackets (``13812345678``, ``1390 0222 222``, ``(139)0033-3333``, ``139.0044.4444``,
  ``139–0055–5555``), a ``+86`` / ``0086`` / ``(+86)`` before, letters or a label glued before
  (``Tel13900666666``, ``电话139…``) → ``[手机号]``; landlines with an area code (``023-68881234``)
  or after a 电话 label → ``[电话]``; ID-card numbers (18 digits or 17 + X with a valid birth date;
  the 15-digit old form), with spaces or dashes inside too (``110105 19800101 888X``) →
  ``[身份证号]``; e-mail addresses → ``[邮箱]``; the names after a 填表人 / 联系人 / 审核人 / 负责人 …
  label — after a colon, after a space (``联系人 王小明``), glued to a number
  (``联系人：李四光13900888888``), every name of a list (``张三、李四、王五``) → ``[姓名]``;
- control characters and bidirectional overrides are removed (they could rewrite a terminal or
  reverse text in a browser).

What is not personal stays as written: dates, document numbers (``〔2023〕15号``), a decimal
(``13900000.000``), eleven digits written as an amount or count (``13900000000元``, ``13 900 000 000
元``; the units are catalog data), a label word inside an indicator name with no name after it
(``主要负责人履行推进法治建设第一责任人职责``).

The label words are catalog data (``personal_data.csv`` of the catalog folder in force: the package's own, or the
project's — :func:`use_catalog_folder`, set where a project is opened and where a year is cleaned, since this masker
serves every module and every line printed).  A file or sheet name that
had to be changed gets ``~1``, ``~2`` … (in the order of the files or sheets), so two never share a
citation; never a hash of the original, which would give the masked digits back to anyone who tries them all.  Numbers in value cells are not judged here:
a count or amount is judged by its indicator's bounds (a real amount may have 11 digits).
Every pattern is linear in the text's length (a long cell or a 10 MB report costs no more per
character than a short one).
"""
from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from .files import DATA_DIR
from .text import text_cache

__all__ = ["DATA_FILE", "EMAIL", "EMAIL_TOKEN", "FILE_NAME", "ID_TOKEN", "LANDLINE", "LANDLINE_TOKEN", "NAME_TOKEN",
           "PHONE_TOKEN", "LabelPattern", "MaskedStream", "catalog_folder", "clean_names", "clean_text",
           "follows_words", "has_controls", "is_personal_value", "mask_personal", "name_labels", "personal_labels",
           "phone_labels", "printable", "strip_controls", "use_catalog_folder"]

FILE_NAME = "personal_data.csv"
DATA_FILE = DATA_DIR / FILE_NAME  # the package's own

PHONE_TOKEN, LANDLINE_TOKEN, ID_TOKEN, EMAIL_TOKEN, NAME_TOKEN = "[手机号]", "[电话]", "[身份证号]", "[邮箱]", "[姓名]"

# What may stand between the digits of a phone or ID number as people write them: spaces of every
# width, dots, dashes of every kind, parentheses, a plus (1390 0222 222, (139)0033-3333, 139.0044.4444,
# 139–0055–5555, +86 139…).  At most _GAP of them in a row.
_SPACES = " \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
_DOTS = ".\uff0e\u00b7\u30fb\u2027"
_DASHES = "\\-\u2010-\u2015\u2212\u2e3a\u2e3b\ufe58\ufe63\uff0d~\uff5e"
_BRACKETS = "()\uff08\uff09+\uff0b"
_SEP_CLASS = f"[{_SPACES}{_DOTS}{_DASHES}{_BRACKETS}]"
_GAP = 3
# a run of at least 11 digits, any two of them apart by at most _GAP separators (an ID may end in X)
_NUMBER_RUN = re.compile(rf"[(\uff08+\uff0b]{{0,2}}(?:\d{_SEP_CLASS}{{0,{_GAP}}}){{10,}}(?:\d|[Xx](?![A-Za-z\d]))")
_DIGITS = re.compile(r"\d+")
_OPENERS, _CLOSERS = "(\uff08+\uff0b", ")\uff09"
_DECIMAL_POINTS = frozenset(".\uff0e")
_TRAILING_SPACE = re.compile(rf"[{_SPACES}]*")

LANDLINE = re.compile(r"(?<![\dA-Za-z])(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[-－—\s])\d{7,8}(?:[-－—]\d{1,5})?(?!\d)"
                      r"|(?<![\dA-Za-z])0\d{2,3}\d{8}(?!\d)")
# a region code (first digit 1–8), a birth date, a sequence number
_ID18 = re.compile(r"(?<!\d)([1-8]\d{5})((?:18|19|20)\d{2})(\d{2})(\d{2})\d{3}[\dXx](?![\dA-Za-z])")
_ID15 = re.compile(r"(?<!\d)([1-8]\d{5})(\d{2})(\d{2})(\d{2})\d{3}(?!\d)")
# starts only where a run of address characters starts: linear in a long text without any @
EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# C0/C1 controls except tab and newline; bidi embeddings, overrides and isolates; zero-width marks
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


# ------------------------------------------------------------------------------ the words in force
_IN_FORCE = {"folder": DATA_DIR}
_FOLLOWERS: list[Callable[[], None]] = []  # cache_clear of every cache holding what the words decided


def follows_words(fn):
    """Decorator of a cached function (``lru_cache``, ``text_cache``) whose results depend on the words in force:
    its cache is emptied when they change (:func:`use_catalog_folder`)."""
    _FOLLOWERS.append(fn.cache_clear)
    return fn


def catalog_folder() -> Path:
    """The catalog folder whose ``personal_data.csv`` the masker reads."""
    return _IN_FORCE["folder"]


def use_catalog_folder(folder: str | Path | None) -> None:
    """Mask with the words of ``<folder>/personal_data.csv`` from now on (None: the package's own folder). One
    masker serves the whole process — the cleaner, every writer, every line printed — so the edge that opens a
    project, and the cleaner for the catalog it cleans with, say which folder it reads."""
    folder = Path(folder) if folder else DATA_DIR
    if folder == _IN_FORCE["folder"]:
        return
    _IN_FORCE["folder"] = folder
    for clear in _FOLLOWERS:
        clear()


@follows_words
@lru_cache(maxsize=1)
def _words() -> dict[str, tuple[str, ...]]:
    with (_IN_FORCE["folder"] / FILE_NAME).open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row["kind"].strip(), []).append(row["word"].strip())
    # longest first, so 联系电话 is not read as 联系 + 电话
    return {k: tuple(sorted(v, key=len, reverse=True)) for k, v in out.items()}


def name_labels() -> tuple[str, ...]:
    return _words().get("label", ())


def phone_labels() -> tuple[str, ...]:
    return _words().get("phone_label", ())


@follows_words
@lru_cache(maxsize=1)
def personal_labels() -> tuple[str, ...]:
    """Every label that introduces personal data (a name or a phone number), longest first."""
    return tuple(sorted(name_labels() + phone_labels(), key=len, reverse=True))


class LabelPattern:
    """A regular expression around the personal-data labels in force (``{labels}`` in ``template`` stands for them,
    longest first), compiled again when they change: ``LabelPattern(r"^({labels})\\s*[:：]").search(text)``."""

    def __init__(self, template: str):
        self.template = template
        self._compiled: tuple[tuple[str, ...], re.Pattern] | None = None

    def search(self, text: str) -> re.Match | None:
        labels = personal_labels()
        if self._compiled is None or self._compiled[0] is not labels:
            self._compiled = (labels, re.compile(self.template.replace("{labels}", "|".join(map(re.escape, labels)))))
        return self._compiled[1].search(text)


@follows_words
@lru_cache(maxsize=1)
def _amount_units() -> str:
    """Characters after which eleven digits are an amount or a count, not a phone (13900000000元)."""
    return "".join(_words().get("amount_unit", ()))


@follows_words
@lru_cache(maxsize=1)
def _label_patterns() -> tuple[re.Pattern, re.Pattern, re.Pattern, re.Pattern]:
    names = "|".join(map(re.escape, name_labels()))
    phones = "|".join(map(re.escape, phone_labels()))
    words = "|".join(map(re.escape, sorted(personal_labels() + _words().get("not_name", ()), key=len, reverse=True)))
    # where a name ends: a space, punctuation, a digit, a token ([手机号]), another label, the end
    stop = rf"(?=[\s,，;；、/|（）()\[\]【】。！？!?]|\d|$|{phones}|{names})"
    name = rf"(?!{words})[\u4e00-\u9fff·]{{2,4}}{stop}"  # a Chinese name standing alone, never a label word
    after_name = re.compile(  # 填表人：张晓明 / 联系人 王小明 / 联系人王小明[手机号]
        rf"((?:{names})\s*[:：]\s*)((?!{words})[^\s:：,，;；、/|（）()\[\]【】\d]{{1,12}}?){stop}"
        rf"|((?:{names})[ \t\u3000]+)({name})"
        rf"|((?:{names}))((?!{words})[\u4e00-\u9fff·]{{2,4}})(?=\[(?:手机号|电话)\])")
    # the next name of a list (张三、李四 / 张三 李四 / 张三13900…、李四…), after a masked one
    sep = r"(?:\s*[、，,/;；]\s*|[ \t\u3000]+)"
    item = rf"(?:\[(?:手机号|电话|身份证号|邮箱)\]{sep}?|{sep})"  # what stands between two names (张三13900…、李四)
    more_names = re.compile(rf"(\[姓名\])((?:{item}{name})+)")
    next_name = re.compile(rf"({item})({name})")
    after_phone = re.compile(rf"((?:{phones})\s*[:：]?\s*)(\d{{3,4}}[-－—‐–]?)?\d{{7,8}}(?!\d)")
    return after_name, more_names, next_name, after_phone


def _valid_date(y: int, m: int, d: int) -> bool:
    import datetime as dt

    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def _id18(m: re.Match) -> str:
    return ID_TOKEN if _valid_date(int(m.group(2)), int(m.group(3)), int(m.group(4))) else m.group(0)


def _id15(m: re.Match) -> str:
    return ID_TOKEN if _valid_date(1900 + int(m.group(2)), int(m.group(3)), int(m.group(4))) else m.group(0)


def _is_id(digits: str, x: bool) -> bool:
    """18 digits (or 17 + X) or the 15-digit old form: a region code and a valid birth date."""
    if digits[0] in "09":  # no region code starts so
        return False
    if (len(digits) == 18 and not x) or (len(digits) == 17 and x):
        return digits[6:8] in ("18", "19", "20") and _valid_date(int(digits[6:10]), int(digits[10:12]),
                                                                 int(digits[12:14]))
    return len(digits) == 15 and not x and _valid_date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))


def _is_mobile(digits: str) -> bool:
    """11 digits 1[3-9]…, perhaps after the country code 86 / 0086."""
    for code in ("", "86", "0086"):
        n = len(code)
        if len(digits) == 11 + n and digits.startswith(code) and digits[n] == "1" and digits[n + 1] in "3456789":
            return True
    return False


def _number_run(m: re.Match) -> str:
    """A run of digits and separators → its phone and ID numbers masked, whatever their grouping.

    The run is cut into its digit groups; a number is made of whole groups (``1390 0222 222`` is
    groups 4-4-3; eleven digits inside a longer group are no phone), an ID checked before a phone.
    Not a phone: a decimal (one dot and nothing else between the groups), eleven digits before an
    amount or count unit (``13900000000元``).  Letters glued before do not matter (``Tel13900666666``)."""
    run = m.group(0)
    groups = [g.span() for g in _DIGITS.finditer(run)]
    seps = "".join(run[a:b] for (_, a), (b, _) in zip(groups, groups[1:]))
    if len(seps) == 1 and seps in _DECIMAL_POINTS:
        return run  # 13900000.000: a decimal number
    x = run[-1] in "Xx"
    out, pos, i = [], 0, 0
    while i < len(groups):
        hit = _number_at(m, run, groups, i, pos, x)
        if hit is None:
            i += 1
            continue
        start, j, end, token = hit
        out += [run[pos:start], token]
        pos, i = end, j + 1
    return "".join(out) + run[pos:] if out else run


def _number_at(m: re.Match, run: str, groups: list[tuple[int, int]], i: int, floor: int,
               x: bool) -> tuple[int, int, int, str] | None:
    """(start, last group, end, token) of the ID or phone number whose first group is ``groups[i]``,
    in the positions of ``run`` (``m``'s text); None when none starts there.  ``floor``: where the run
    is still unmasked."""
    last = len(groups) - 1
    digits, phone = "", None
    for j in range(i, len(groups)):
        digits += run[groups[j][0]:groups[j][1]]
        if len(digits) > 18:
            break
        if _is_id(digits, x and j == last):
            return groups[i][0], j, len(run) if x and j == last else groups[j][1], ID_TOKEN
        if phone is None and _is_mobile(digits):
            phone = j
    if phone is None:
        return None
    first, end = groups[i][0], groups[phone][1]
    start = first  # +86, (+86), (139): a plus always goes with the number, a bracket when the number closes it
    while start > floor and first - start < 2 and run[start - 1] in _OPENERS:
        start -= 1
    if any(ch in "(\uff08" for ch in run[start:first]) and not any(ch in _CLOSERS for ch in run[first:end]):
        start = max((k + 1 for k in range(start, first) if run[k] in "(\uff08"), default=first)
    text = m.string
    # written as one number or in thousands (13900000000元, 13 900 000 000 元) before a unit: an amount
    thousands = groups[i][1] - first <= 3 and all(b - a == 3 for a, b in groups[i + 1:phone + 1])
    if phone == last and (phone == i or thousands):
        after = _TRAILING_SPACE.match(text, m.start() + end).end()
        if after < len(text) and text[after] in _amount_units():
            return None
    return start, phone, end, PHONE_TOKEN


def strip_controls(text: str) -> str:
    """Remove control characters and bidirectional overrides (tab and newline stay)."""
    return _CONTROLS.sub("", text)


def has_controls(text: str) -> bool:
    """True when :func:`strip_controls` would change ``text``."""
    return _CONTROLS.search(text) is not None


@follows_words
@lru_cache(maxsize=1)
def _maybe_personal() -> re.Pattern:
    """No digit, no @, no colon and no name label before a space: nothing personal can be there."""
    ends = "".join(sorted({w[-1] for w in name_labels()}))
    return re.compile(rf"[\d@:：]|[{re.escape(ends)}]\s")


def _mask_names(m: re.Match) -> str:
    if m.group(1) is not None:
        return m.group(1) + NAME_TOKEN
    return (m.group(3) if m.group(3) is not None else m.group(5)) + NAME_TOKEN


def _next_name(m: re.Match) -> str:
    return m.group(1) + NAME_TOKEN


@follows_words
@text_cache()
def mask_personal(text: str) -> str:
    """Replace personal data in ``text`` with tokens (see the module docstring).

    Cached: headers and labels repeat across rows, sheets and workbooks."""
    if not _maybe_personal().search(text):
        return text  # the common case
    # full-width digits (１３８…) are found on an NFKC copy; text with nothing personal stays as written
    norm = unicodedata.normalize("NFKC", text) if any(ord(ch) > 0xFF00 for ch in text) else text
    out = norm
    after_name, more_names, next_name, after_phone = _label_patterns()
    if "@" in out:
        out = EMAIL.sub(EMAIL_TOKEN, out)
    out = _ID18.sub(_id18, out)
    out = _ID15.sub(_id15, out)
    out = _NUMBER_RUN.sub(_number_run, out)
    out = LANDLINE.sub(LANDLINE_TOKEN, out)
    out = after_phone.sub(lambda m: m.group(1) + LANDLINE_TOKEN, out)
    out = after_name.sub(_mask_names, out)
    if NAME_TOKEN in out:  # 联系人：张三、李四、王五: every name of the list
        out = more_names.sub(lambda m: m.group(1) + next_name.sub(_next_name, m.group(2)), out)
    return text if out == norm else out


def clean_text(text: object) -> object:
    """Text safe to write: controls removed, personal data masked.  Non-text passes unchanged."""
    if not isinstance(text, str) or not text:
        return text
    return mask_personal(strip_controls(text) if has_controls(text) else text)


def clean_names(names: Iterable[str]) -> dict[str, str]:
    """File or sheet names safe to cite, each name → its cited form: cleaned, and where cleaning changed it
    ``~n`` before the suffix, counted in the order given among the names cleaned alike — so two files
    differing only in a masked phone number never share a citation.  No hash of the original: a short hash
    of ``区司法局13812345678.xlsx`` would let the number be found again by trying every one."""
    out: dict[str, str] = {}
    seen: dict[str, int] = {}
    for name in names:
        if name in out:
            continue
        cleaned = clean_text(name)
        if cleaned == name:
            out[name] = name
            continue
        seen[cleaned] = n = seen.get(cleaned, 0) + 1
        stem, dot, suffix = cleaned.rpartition(".")
        out[name] = f"{stem}~{n}.{suffix}" if dot and 1 <= len(suffix) <= 5 and suffix.isalnum() else f"{cleaned}~{n}"
    return out


def is_personal_value(text: str) -> bool:
    """True when a text-valued cell is, as a whole, a phone or ID number (or an e-mail address)."""
    stripped = strip_controls(text).strip()
    return bool(stripped) and mask_personal(stripped) in (PHONE_TOKEN, LANDLINE_TOKEN, ID_TOKEN, EMAIL_TOKEN)


def printable(text: str) -> str:
    """For the terminal: personal data masked, control characters shown escaped (``\\x1b``)."""
    masked = mask_personal(text)
    return _CONTROLS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), masked)


_LINE_ENDS = re.compile(r"(\r\n|\n|\r)")


class MaskedStream:
    """A text stream (stdout, stderr) that writes every line :func:`printable`: installed by the
    command line at its edge, so no command can print personal data, whichever module prints.

    A line goes out when it is complete (a newline, or the carriage return a progress bar writes);
    the rest waits for its end or for :meth:`flush`.  Everything else (``isatty``, ``fileno``,
    ``buffer`` …) is the wrapped stream's."""

    def __init__(self, stream) -> None:
        self._stream = stream
        self._pending = ""

    def write(self, text: str) -> int:
        data = self._pending + text
        cut = max(data.rfind("\n"), data.rfind("\r")) + 1
        self._pending = data[cut:]
        if cut:
            parts = _LINE_ENDS.split(data[:cut])  # text, end, text, end, …, ''
            self._stream.write("".join(p if k % 2 else printable(p) for k, p in enumerate(parts)))
        return len(text)

    def flush(self) -> None:
        if self._pending:
            pending, self._pending = self._pending, ""
            self._stream.write(printable(pending))
        self._stream.flush()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)
