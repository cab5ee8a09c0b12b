"""Reading and writing the numbers found in department spreadsheets.

Cells hold numbers in the style of the 法治政府建设情况报告: ``579件``, ``566.2万元``,
``2.5万余件``, ``超300万条``, ``近1900家次``, ``99.5％``, ``一百零五`` … and missing
markers such as ``—`` or ``无``.  :func:`parse_value` turns one cell into a
:class:`ParsedValue` in base units; :func:`format_value` writes a value back in the
report's style, so that ``parse_value(format_value(v, u, q))`` gives ``(v, u, q)`` again.

Rules in short:

* 万 / 亿 multiply the number (``multiplier_applied`` tells the caller so a label's
  ``（万元）`` is never applied twice); money units 元 / 万元 / 亿元 all become ``元``.
* Qualifiers: 超 / 约 / 近 in front, 余 / 多 after the number or after 万; 多 is read
  as 余.  At most one qualifier per value.
* The unit is the short trailing text (≤ 4 CJK characters, or ``%`` / ``‰``); prose,
  digits or punctuation after the number are refused (``12件（含3件移送）``).
* Missing markers give ``value=None`` (never 0); Excel errors such as ``#DIV/0!`` and
  anything else unreadable raise :class:`~fzanalysis.core.errors.ValueParseError`.

The words (missing markers, the multipliers 万 / 亿 and their factors, unit words that hold a
numeral such as 千克) are data in ``catalog_data/vocabulary.csv``; see :mod:`fzanalysis.core.vocabulary`.
"""
from __future__ import annotations

import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from fzanalysis.core.errors import ValueParseError
from fzanalysis.core.vocabulary import Vocabulary, default_vocabulary

__all__ = ["MISSING_MARKERS", "ParsedValue", "format_value", "parse_value", "round_half_up", "written_step"]


@dataclass(frozen=True)
class ParsedValue:
    value: float | None  # in base units; None for a missing marker
    unit: str  # base unit written in the text ('' when none), e.g. '件', '元', '%'
    qualifier: str  # one of '余', '超', '约', '近' or ''
    multiplier_applied: bool  # True when 万/亿 was applied


# Missing markers, multipliers (万, 亿) and unit words come from catalog_data/vocabulary.csv.
_VOCABULARY = default_vocabulary()
MISSING_MARKERS: frozenset[str] = _VOCABULARY.missing_markers

_MISSING = ParsedValue(None, "", "", False)
_PREFIX_QUALIFIERS = frozenset("超约近")
_MONEY_UNITS = frozenset({"元"})



@lru_cache(maxsize=8)
def _value_re(multipliers: tuple[str, ...]) -> re.Pattern:
    """One pattern for every accepted form: [prefix] number [余|多] [multiplier] [余|多] [unit].

    The number is either Arabic (optionally with thousands commas) or a run of Chinese
    numerals; the Chinese run takes its own 万/亿 (一万二千), so `mult` stays empty then.
    """
    mult = "|".join(re.escape(m) for m in sorted(multipliers, key=len, reverse=True)) or "(?!)"
    return re.compile(
        r"""
        ^(?P<pre>[超约近])?\s*
        (?:
            (?P<num>[-+]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?|[-+]?\.[0-9]+)
          | (?P<cn>[零〇一二两三四五六七八九十百千万亿]+)
        )
        \s*(?P<q1>[余多])?
        \s*(?P<mult>""" + mult + r""")?
        \s*(?P<q2>[余多])?
        \s*(?P<unit>.*?)\s*$
        """,
        re.VERBOSE,
    )


_EXCEL_ERROR_RE = re.compile(r"^#[A-Z0-9/_]+[!?]$")
_UNIT_RE = re.compile(r"^(?:%|‰|[\u4e00-\u9fff]{1,4})$")
# Characters that never belong to a unit: numerals (``3千元`` must not become 3 千元),
# qualifiers, and the usual start of a remark (待统计, 见附件, 含…, 详见…, 未…, 暂无…).
_NOT_IN_UNIT = frozenset("零〇一二两三四五六七八九十百千万亿余多超约近待见含详未暂")

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_EXTRA_TRANSLATION = str.maketrans({"\u2212": "-"})  # MINUS SIGN, which NFKC keeps


def _fail(text: object) -> ValueParseError:
    return ValueParseError(f"无法识别的数值：{text!r}")


def _chinese_to_int(cn: str, original: object) -> int:
    """Read a Chinese numeral such as 一百零五, 两千三百, 一万二千, 十八."""
    yi_part = 0  # the part before 亿
    wan_part = 0  # the part between 亿 and 万
    section = 0  # the part below 万 read so far
    digit: int | None = None  # a digit waiting for its 十/百/千
    last_small = 10_000  # 十/百/千 must come in decreasing order in a section
    seen_any = False
    for ch in cn:
        if ch in _CN_DIGITS:
            if digit:
                raise _fail(original)  # two digits in a row: 一二, 五零, 二〇二三
            digit = _CN_DIGITS[ch]
            seen_any = True
        elif ch in _CN_SMALL_UNITS:
            unit = _CN_SMALL_UNITS[ch]
            if unit >= last_small:
                raise _fail(original)
            if digit is None:
                if ch != "十" or section != 0:
                    raise _fail(original)
                digit = 1  # 十八 = 18
            section += digit * unit
            digit, last_small, seen_any = None, unit, True
        else:  # 万 or 亿
            if not seen_any:
                raise _fail(original)
            section += digit or 0
            if ch == "万":
                if wan_part:
                    raise _fail(original)
                wan_part = section
            else:
                if yi_part or section + wan_part == 0:
                    raise _fail(original)
                yi_part = wan_part * 10_000 + section
                wan_part = 0
            section, digit, last_small, seen_any = 0, None, 10_000, False
    total = yi_part * 100_000_000 + wan_part * 10_000 + section + (digit or 0)
    return total


def _check_unit(unit: str, original: object, units: frozenset[str]) -> str:
    if not unit or unit in units:  # a listed unit word, even one with a numeral in it (千克, 百分点)
        return unit
    if not _UNIT_RE.match(unit) or any(ch in _NOT_IN_UNIT for ch in unit):
        raise _fail(original)
    return unit


def _parse_number(x: object) -> ParsedValue:
    value = float(x)  # type: ignore[arg-type]
    if math.isnan(value):
        return _MISSING
    if math.isinf(value):
        raise _fail(x)
    return ParsedValue(value, "", "", False)


def parse_value(text: object, vocabulary: Vocabulary | None = None) -> ParsedValue:
    """Read one cell.  Raises ValueParseError when the cell is not a readable number.

    ``vocabulary`` gives the missing markers, multipliers and unit words (default: the bundled
    ``catalog_data/vocabulary.csv``; the cleaner passes its catalog's).
    """
    if type(text) in (int, float):  # what a workbook cell mostly holds
        return _parse_number(text)
    if text is None or type(text).__name__ in ("NAType", "NaTType"):  # pandas NA / NaT
        return _MISSING
    if isinstance(text, bool):
        raise _fail(text)
    if isinstance(text, (numbers.Real, Decimal)):
        return _parse_number(text)
    if not isinstance(text, str):
        raise _fail(text)

    vocab = vocabulary or _VOCABULARY
    raw = text.strip()
    if raw in vocab.missing_markers:
        return _MISSING
    norm = unicodedata.normalize("NFKC", raw).translate(_EXTRA_TRANSLATION).strip()
    if norm in vocab.missing_markers:
        return _MISSING
    if _EXCEL_ERROR_RE.match(norm):
        raise ValueParseError(f"单元格是 Excel 错误值，无法识别的数值：{text!r}")

    m = _value_re(vocab.multiplier_words).match(norm)
    if m is None:
        raise _fail(text)
    pre, num, cn, q1, mult, q2, unit = m.group("pre", "num", "cn", "q1", "mult", "q2", "unit")
    if sum(1 for q in (pre, q1, q2) if q) > 1:
        raise _fail(text)  # 超300余万: two qualifiers contradict each other
    qualifier = pre or ("余" if (q1 or q2) else "")
    unit = _check_unit(unit, text, vocab.unit_words)

    if num is not None:
        value = float(num.replace(",", ""))
        applied = False
    else:
        value = float(_chinese_to_int(cn, text))
        applied = "万" in cn or "亿" in cn
    if mult:
        value = round(value * vocab.multipliers[mult], 6)
        applied = True
    return ParsedValue(value, unit, qualifier, applied)


# ---------------------------------------------------------------------------- format


def _two_decimals(x: float) -> str:
    s = f"{x:.2f}"
    return s.rstrip("0").rstrip(".")


def _plain(value: float) -> str:
    """Shortest positional text that reads back as exactly ``value``."""
    if value.is_integer():
        return str(int(value))
    return format(Decimal(repr(value)), "f")


def _scaled(value: float, mult: str) -> str | None:
    """``value`` written in 万 or 亿 with ≤ 2 decimals, or None if that is not exact."""
    scale = _VOCABULARY.multipliers[mult]
    text = _two_decimals(round(value / scale, 2))
    if round(float(text) * scale, 6) != round(value, 6):
        return None
    return text


def format_value(value: float | None, unit: str = "", qualifier: str = "") -> str:
    """Write a value in the report's style: ``579件``, ``2.5万余件``, ``3000余万元``, ``超300万条``.

    ``None`` gives the missing marker ``—``.  Raises ValueError for NaN/inf or an unknown
    qualifier.
    """
    if value is None:
        return "—"
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, Decimal)):
        raise TypeError(f"format_value needs a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"format_value cannot write {value!r}")
    if qualifier == "多":
        qualifier = "余"
    if qualifier not in ("", "余", "超", "约", "近"):
        raise ValueError(f"unknown qualifier {qualifier!r}")

    number, mult = _plain(value), ""
    if abs(value) >= 10_000 and unit != "%":
        scaled = None
        if abs(value) >= 100_000_000 and unit not in _MONEY_UNITS:
            scaled, mult = _scaled(value, "亿"), "亿"
        if scaled is None:
            scaled, mult = _scaled(value, "万"), "万"
        if scaled is None:
            mult = ""  # not exact in 万/亿 with 2 decimals: keep the plain number
        else:
            number = scaled

    if qualifier in _PREFIX_QUALIFIERS:
        return f"{qualifier}{number}{mult}{unit}"
    if qualifier and mult and unit in _MONEY_UNITS:
        return f"{number}{qualifier}{mult}{unit}"  # 3000余万元
    return f"{number}{mult}{qualifier}{unit}"  # 2.5万余件, 600余家


def round_half_up(value: float, digits: int = 1) -> float:
    """Round as the report does (四舍五入): 117/144 = 81.25 → 81.3, not Python's 81.2."""
    from decimal import ROUND_HALF_UP

    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))


def written_step(text: object, vocabulary: Vocabulary | None = None) -> float:
    """The precision a figure was written to, in base units: one step of its last digit.

    ``579件`` → 1, ``566.2万元`` → 1000, ``2.5万余件`` → 1000, ``3000余万元`` → 10000, ``99.5%`` → 0.1,
    ``一百零五`` → 1; a number cell (``566.2``) by its shortest decimal form.  0 when the text is not a
    readable number (then the figure is taken as exact).
    """
    if isinstance(text, bool):
        return 0.0
    if isinstance(text, (numbers.Real, Decimal)):
        value = float(text)
        if not math.isfinite(value):
            return 0.0
        exponent = Decimal(repr(value)).normalize().as_tuple().exponent
        return float(Decimal(1).scaleb(min(int(exponent), 0)))
    if not isinstance(text, str):
        return 0.0
    norm = unicodedata.normalize("NFKC", text.strip()).translate(_EXTRA_TRANSLATION).strip()
    vocab = vocabulary or _VOCABULARY
    m = _value_re(vocab.multiplier_words).match(norm)
    if m is None:
        return 0.0
    num, cn, mult = m.group("num", "cn", "mult")
    if num is not None:
        decimals = len(num.split(".", 1)[1]) if "." in num else 0
        step = 10.0 ** -decimals
    else:
        step = float(vocab.multipliers.get(cn[-1], 1))
    return step * (vocab.multipliers[mult] if mult else 1)
