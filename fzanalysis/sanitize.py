"""Text received in workbooks, made safe to write anywhere (个人信息脱敏与控制字符清理).

Every text the cleaner passes on — labels, units, remarks, text-valued cells, sheet names, file
names, reasons that quote them — goes through :func:`clean_text` (or :func:`clean_name` for a file
or sheet name) before it reaches processed data, the log, findings, notebooks, reports or the
terminal:

- personal data is replaced by a token, no digit of it left: mobile numbers (``13812345678``,
  ``138-1234-5678``, ``+86 138 1234 5678``) → ``[手机号]``; landlines with an area code
  (``023-68881234``) or after a 电话 label → ``[电话]``; ID-card numbers (18 digits or 17 + X with a
  valid birth date; the 15-digit old form) → ``[身份证号]``; e-mail addresses → ``[邮箱]``; the name
  after a 填表人 / 联系人 / 审核人 … label → ``[姓名]``;
- control characters and bidirectional overrides are removed (they could rewrite a terminal or
  reverse text in a browser).

The label words are catalog data (``catalog_data/personal_data.csv``).  A file or sheet name that
had to be changed keeps a short stable hash of the original (``~3fa2c1``), so two files never share
a citation and the analyst can still find the file.  Numbers in value cells are not judged here:
a count or amount is judged by its indicator's bounds (a real amount may have 11 digits).
"""
from __future__ import annotations

import csv
import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from .textcache import text_cache

DATA_FILE = Path(__file__).with_name("catalog_data") / "personal_data.csv"

PHONE_TOKEN, LANDLINE_TOKEN, ID_TOKEN, EMAIL_TOKEN, NAME_TOKEN = "[手机号]", "[电话]", "[身份证号]", "[邮箱]", "[姓名]"

_SEP = r"[-－—\s]?"
# a number followed by 元/万/亿 is an amount written in words, not a phone
MOBILE = re.compile(rf"(?<![\dA-Za-z])(?:\+?86{_SEP})?1[3-9]\d{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)(?!\s*[元万亿])")
LANDLINE = re.compile(r"(?<![\dA-Za-z])(?:[(（]0\d{2,3}[)）]\s?|0\d{2,3}[-－—\s])\d{7,8}(?:[-－—]\d{1,5})?(?!\d)"
                      r"|(?<![\dA-Za-z])0\d{2,3}\d{8}(?!\d)")
_ID18 = re.compile(r"(?<!\d)(\d{6})((?:18|19|20)\d{2})(\d{2})(\d{2})\d{3}[\dXx](?![\dA-Za-z])")
_ID15 = re.compile(r"(?<!\d)(\d{6})(\d{2})(\d{2})(\d{2})\d{3}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
# C0/C1 controls except tab and newline; bidi embeddings, overrides and isolates; zero-width marks
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


@lru_cache(maxsize=1)
def _words() -> dict[str, tuple[str, ...]]:
    with DATA_FILE.open(encoding="utf-8-sig", newline="") as fh:
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


def personal_labels() -> tuple[str, ...]:
    """Every label that introduces personal data (a name or a phone number)."""
    return tuple(sorted(name_labels() + phone_labels(), key=len, reverse=True))


@lru_cache(maxsize=1)
def _label_patterns() -> tuple[re.Pattern, re.Pattern]:
    names = "|".join(map(re.escape, name_labels()))
    phones = "|".join(map(re.escape, phone_labels()))
    # 填表人：张晓明 → the name runs to the next space, punctuation or label
    after_name = re.compile(rf"((?:{names})\s*[:：]\s*)([^\s:：,，;；、/|（）()\[\]【】\d]{{1,12}}?)(?=\s|$|[,，;；、/|（）()]|{phones}|{names})")
    after_phone = re.compile(rf"((?:{phones})\s*[:：]?\s*)(\d{{3,4}}[-－—]?)?\d{{7,8}}(?!\d)")
    return after_name, after_phone


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


def strip_controls(text: str) -> str:
    """Remove control characters and bidirectional overrides (tab and newline stay)."""
    return _CONTROLS.sub("", text)


def has_controls(text: str) -> bool:
    """True when :func:`strip_controls` would change ``text``."""
    return _CONTROLS.search(text) is not None


_MAYBE_PERSONAL = re.compile(r"[\d@:：]")  # no digit, no @, no colon: nothing personal can be there


@text_cache()
def mask_personal(text: str) -> str:
    """Replace personal data in ``text`` with tokens (see the module docstring).

    Cached: headers and labels repeat across rows, sheets and workbooks."""
    if not _MAYBE_PERSONAL.search(text):
        return text  # the common case
    # full-width digits (１３８…) are found on an NFKC copy; text with nothing personal stays as written
    norm = unicodedata.normalize("NFKC", text) if any(ord(ch) > 0xFF00 for ch in text) else text
    out = norm
    after_name, after_phone = _label_patterns()
    out = EMAIL.sub(EMAIL_TOKEN, out)
    out = _ID18.sub(_id18, out)
    out = _ID15.sub(_id15, out)
    out = MOBILE.sub(PHONE_TOKEN, out)
    out = LANDLINE.sub(LANDLINE_TOKEN, out)
    out = after_phone.sub(lambda m: m.group(1) + LANDLINE_TOKEN, out)
    out = after_name.sub(lambda m: m.group(1) + NAME_TOKEN, out)
    return text if out == norm else out


def clean_text(text: object) -> object:
    """Text safe to write: controls removed, personal data masked.  Non-text passes unchanged."""
    if not isinstance(text, str) or not text:
        return text
    return mask_personal(strip_controls(text) if has_controls(text) else text)


def clean_name(name: str) -> str:
    """A file or sheet name safe to cite: cleaned, plus ``~`` and a short stable hash when it changed."""
    cleaned = clean_text(name)
    if cleaned == name:
        return name
    tag = hashlib.sha1(name.encode("utf-8")).hexdigest()[:6]
    stem, dot, suffix = cleaned.rpartition(".")
    if dot and 1 <= len(suffix) <= 5 and suffix.isalnum():
        return f"{stem}~{tag}.{suffix}"
    return f"{cleaned}~{tag}"


def is_personal_value(text: str) -> bool:
    """True when a text-valued cell is, as a whole, a phone or ID number (or an e-mail address)."""
    stripped = strip_controls(text).strip()
    return bool(stripped) and mask_personal(stripped) in (PHONE_TOKEN, LANDLINE_TOKEN, ID_TOKEN, EMAIL_TOKEN)


def printable(text: str) -> str:
    """For the terminal: personal data masked, control characters shown escaped (``\\x1b``)."""
    masked = mask_personal(text)
    return _CONTROLS.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), masked)
