"""HTML reading: the article's title and main text through trafilatura, loaded
only when HTML is read."""

from __future__ import annotations

import subprocess
import sys

import pytest

from margin.store.errors import FormatError
from margin.store.formats import html

PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Migrants cross the Darien Gap | News</title>
<meta property="og:title" content="Migrants cross the Darien Gap"></head>
<body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article>
<h1>Migrants cross the Darien Gap</h1>
<p>More than 500,000 people crossed the jungle between Colombia and Panama last year,
according to figures from the Panamanian government.</p>
<p>“It is the most dangerous route I have ever taken,” said one father travelling with
his two children, who asked not to be named.</p>
<p>Aid groups say the number of children making the crossing has risen sharply since 2021.</p>
</article>
<footer>Copyright 2024 Example News. All rights reserved.</footer>
</body></html>
"""


def test_extracts_title_and_paragraphs(tmp_path):
    path = tmp_path / "page.html"
    path.write_text(PAGE, encoding="utf-8")
    [record] = html.read(path)
    assert record.title == "Migrants cross the Darien Gap"
    paragraphs = record.text.split("\n\n")
    assert any(p.startswith("More than 500,000 people crossed the jungle") for p in paragraphs)
    assert any(p.startswith("“It is the most dangerous route") for p in paragraphs)
    assert "Copyright 2024" not in record.text
    assert "World" not in record.text.split("\n\n")[0]
    assert record.spans == []


def test_page_without_text_is_an_error(tmp_path):
    path = tmp_path / "empty.html"
    path.write_text("<html><head><title>x</title></head><body></body></html>", encoding="utf-8")
    with pytest.raises(FormatError, match=r"empty.html: no article text found"):
        list(html.read(path))


def test_binary_file_named_html_is_refused(tmp_path):
    path = tmp_path / "image.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(FormatError, match="binary file, not text"):
        list(html.read(path))


def test_importing_the_module_does_not_load_trafilatura():
    code = "import margin.store.formats.html, sys; print('trafilatura' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
