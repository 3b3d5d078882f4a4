"""Plain text and Markdown reading: strict UTF-8, the reported cp1252 fallback,
binary refusal, and titles."""

from __future__ import annotations

import io

import pytest

from margin.store.errors import FormatError
from margin.store.formats import text


def read_bytes(data: bytes, name: str = "article.txt", **options):
    stream = io.BytesIO(data)
    stream.name = name
    return list(text.read(stream, **options))


def test_utf8_text_is_kept_verbatim_with_no_spans():
    body = "Headline\n\n  Indented — “quoted” [bold]not markup[/bold]\x1b[31m\n"
    [record] = read_bytes(body.encode("utf-8"))
    assert record.text == body
    assert record.spans == []
    assert record.title == ""


def test_markdown_title_drops_the_heading_marks():
    [record] = read_bytes(b"\n## The Darien Gap\n\nText.", name="notes.md")
    assert record.title == "The Darien Gap"
    assert record.text.startswith("\n## The Darien Gap")


def test_byte_order_mark_is_dropped():
    [record] = read_bytes(b"\xef\xbb\xbfHello")
    assert record.text == "Hello"


def test_cp1252_fallback_is_reported():
    warnings: list[str] = []
    [record] = read_bytes("Price: £5 “now”".encode("cp1252"), warn=warnings.append)
    assert record.text == "Price: £5 “now”"
    assert len(warnings) == 1
    assert "read as cp1252" in warnings[0] and "byte 0xa3 at byte offset 7" in warnings[0]


def test_bytes_neither_utf8_nor_cp1252_name_the_offset():
    with pytest.raises(FormatError) as caught:
        read_bytes(b"ok\nbad \x81\x8d here")
    message = str(caught.value)
    assert message.startswith("article.txt:2: not UTF-8 (byte 0x81 at byte offset 7)")
    assert "--encoding" in message


def test_nul_bytes_mean_a_binary_file():
    with pytest.raises(FormatError, match=r"^article.txt: binary file, not text$"):
        read_bytes(b"PK\x03\x04\x00\x00binary")


def test_forced_encoding_wins():
    [record] = read_bytes("Καλημέρα".encode("iso-8859-7"), encoding="iso-8859-7")
    assert record.text == "Καλημέρα"


def test_forced_encoding_that_cannot_decode_is_an_error():
    with pytest.raises(FormatError, match="cannot be read as ascii: byte 0xc3 at byte offset 1"):
        read_bytes("é".join("ab").encode("utf-8"), encoding="ascii")


def test_unknown_encoding_is_an_error():
    with pytest.raises(FormatError, match="unknown encoding 'klingon'"):
        read_bytes(b"abc", encoding="klingon")


def test_blank_file_yields_nothing():
    assert read_bytes(b" \n\n\t") == []


def test_reads_a_path(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes(b"From a path")
    [record] = text.read(path)
    assert record.text == "From a path"
