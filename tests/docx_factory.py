"""Malformed .docx files for the check-report tests, written with zipfile: a minimal document, headers
patched (encryption flag, compression method, declared size) and a bomb streamed through the compressor."""
from __future__ import annotations

import struct
import zipfile

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCUMENT = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{W_NS}"><w:body>'
            '<w:p><w:r><w:t>受理案件5件</w:t></w:r></w:p></w:body></w:document>').encode()
CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                 b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')


def minimal_docx(path, parts: dict | None = None, method=zipfile.ZIP_DEFLATED):
    """A minimal .docx written with zipfile (``parts`` replace or add entries; None drops one)."""
    entries = {"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": DOCUMENT, **(parts or {})}
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in entries.items():
            if data is not None:
                zf.writestr(name, data)
    return path


def patch_headers(path, local_offset: int, central_offset: int, fmt: str, value) -> None:
    """Set one field of every local and central header (encryption flag, compression method, size)."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", local_offset), (b"PK\x01\x02", central_offset)):
        pos = data.find(signature)
        while pos >= 0:
            field = pos + offset
            old = struct.unpack_from(fmt, data, field)[0]
            struct.pack_into(fmt, data, field, value(old))
            pos = data.find(signature, pos + 4)
    path.write_bytes(bytes(data))


def zeros_docx(path, mb: int):
    """A .docx whose word/document.xml inflates to ``mb`` MB, streamed through the compressor (a bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        with zf.open("word/document.xml", "w") as fh:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(mb):
                fh.write(chunk)
    return path
