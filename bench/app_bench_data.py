"""The databases app_bench runs on, generated once and cached in bench/out/.

Every database is written through margin's own import (``margin.store.importing``
on margin JSONL files), so it holds whatever the schema of the margin under test
keeps: the full-text index, triggers and any table the store maintains. A cached
file is named after DATA_VERSION, margin's schema version and its size, so it is
rebuilt when this generator or the schema changes; it is built under a temporary
name and renamed, so an interrupted build is never used.

* ``book``: War and Peace (the UTF-8 copy from the shared corpus) with 10,000
  word-aligned annotations spread over the whole text (labels claim / person /
  statistic, four annotators, some suggested, some with notes), plus the seed
  article as a second document, so ``[`` / ``]`` have somewhere to go.
* ``article``: the 623-word seed article with annotations at the book's density,
  plus one BBC article as its second document.
* ``many``: N short documents (BBC News texts recycled, each with a varying
  "Report NNNNNN." header so that every content id differs) with 10 annotations
  each; with ``pairs=True`` two annotators (ana, ben) mark 5 spans each on every
  document, mostly agreeing, so ``margin agreement`` has work to do.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import time
from pathlib import Path

from margin.store.db import SCHEMA_VERSION, open_database
from margin.store.importing import import_paths

DATA_VERSION = 1
ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
CORPUS = ROOT.parent / "shared" / "corpus"
BOOK = CORPUS / "gutenberg" / "pg2600_war_and_peace.utf8.txt"
SEED = CORPUS / "seed" / "darien-gap-article.txt"
BBC = CORPUS / "bbc-news"
LABELS = ("claim", "person", "statistic")
BOOK_ANNOTATORS = ("ana", "ben", "chen", "bench")
STAMP = "2024-07-01T12:00:00.000000Z"
BOOK_SPANS = 10_000
HEADER = "Report {:06d}. "  # constant length, so span offsets shift by a constant
WORD = re.compile(r"\S+")


def cached(name: str) -> Path:
    return OUT / f"{name}-d{DATA_VERSION}-s{SCHEMA_VERSION}.db"


def _build(path: Path, write_jsonl) -> Path:
    """Import the JSONL files ``write_jsonl(folder)`` writes into a new database at ``path``."""
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    work = OUT / f"build-{path.stem}-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    started = time.perf_counter()
    try:
        files = write_jsonl(work)
        db_path = work / "db.db"
        db = open_database(db_path)
        for file in files:
            report = import_paths(db, [file], annotator="bench-import")
            if not report.ok:
                raise RuntimeError(f"building {path.name}: {report.failed[:3]}")
            file.unlink()
        db.execute("pragma wal_checkpoint(truncate)")
        db.close()
        db_path.replace(path)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"  built {path.name} in {time.perf_counter() - started:.1f} s", flush=True)
    return path


def _word_spans(rng: random.Random, text: str, count: int, annotators, *, lo: int = 0, hi: int | None = None,
                note_every: int = 9) -> list[dict]:
    words = [(m.start(), m.end()) for m in WORD.finditer(text, lo, len(text) if hi is None else hi)]
    spans = []
    for n in range(count):
        first = rng.randrange(len(words) - 12)
        start, end = words[first][0], words[first + rng.randint(0, 8)][1]
        spans.append({
            "start": start, "end": end, "label": LABELS[rng.randrange(3)], "text": text[start:end],
            "annotator": annotators[n % len(annotators)],
            "status": "suggested" if n % 10 == 9 else "accepted",
            "note": "check the source" if n % note_every == 0 else "",
            "origin": "bench", "created_at": STAMP, "updated_at": STAMP,
        })
    return spans


def _record(title: str, source: str, text: str, spans: list[dict]) -> str:
    return json.dumps({"id": None, "title": title, "source": source, "meta": {}, "text": text, "spans": spans},
                      ensure_ascii=False) + "\n"


def book_text() -> str:
    return BOOK.read_text(encoding="utf-8")


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def bbc_articles() -> list[str]:
    texts = []
    for path in sorted(BBC.glob("*/*.txt")):
        raw = path.read_bytes()
        try:
            texts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            texts.append(raw.decode("cp1252"))
    return [text.replace("\r\n", "\n") for text in texts]


def book_db() -> Path:
    def write(folder: Path) -> list[Path]:
        rng = random.Random(2600)
        book, seed = book_text(), seed_text()
        file = folder / "book.jsonl"
        with open(file, "w", encoding="utf-8") as out:
            out.write(_record("War and Peace", str(BOOK), book, _word_spans(rng, book, BOOK_SPANS, BOOK_ANNOTATORS)))
            per_char = BOOK_SPANS / len(book)
            out.write(_record("", str(SEED), seed,
                              _word_spans(rng, seed, max(10, round(per_char * len(seed))), BOOK_ANNOTATORS)))
        return [file]

    return _build(cached("book"), write)


def article_db() -> Path:
    def write(folder: Path) -> list[Path]:
        rng = random.Random(623)
        seed, other = seed_text(), bbc_articles()[0]
        per_char = BOOK_SPANS / len(book_text())
        file = folder / "article.jsonl"
        with open(file, "w", encoding="utf-8") as out:
            out.write(_record("", str(SEED), seed,
                              _word_spans(rng, seed, max(10, round(per_char * len(seed))), BOOK_ANNOTATORS)))
            out.write(_record("", "bbc/business/001.txt", other,
                              _word_spans(rng, other, max(5, round(per_char * len(other))), BOOK_ANNOTATORS)))
        return [file]

    return _build(cached("article"), write)


def many_text(base: str, n: int) -> str:
    """A BBC article with its varying header after the headline."""
    headline, _, body = base.partition("\n\n")
    return f"{headline}\n\n{HEADER.format(n)}{body}"


def many_db(documents: int, *, pairs: bool = False, per_document: int = 10) -> Path:
    name = f"many{documents}" + ("-pairs" if pairs else "")

    def write(folder: Path) -> list[Path]:
        rng = random.Random(documents)
        bases = bbc_articles()
        shift = len(HEADER.format(0))
        # Spans per base article, in body offsets; shifted by the constant header.
        templates = []
        for base in bases:
            headline, _, _body = base.partition("\n\n")
            text = many_text(base, 0)
            lo = len(headline) + 2 + shift
            if pairs:
                ana = _word_spans(rng, text, per_document // 2, ("ana",), lo=lo)
                ben = []
                for span in ana:
                    choice = rng.random()
                    copy = dict(span, annotator="ben")
                    if choice < 0.2:  # a different label
                        copy["label"] = LABELS[(LABELS.index(span["label"]) + 1) % 3]
                    elif choice < 0.4:  # elsewhere
                        copy = _word_spans(rng, text, 1, ("ben",), lo=lo)[0]
                    ben.append(copy)
                templates.append(ana + ben)
            else:
                templates.append(_word_spans(rng, text, per_document, ("ana", "ben", "chen"), lo=lo))
        files = []
        per_file = 10_000
        for first in range(0, documents, per_file):
            file = folder / f"part-{first:07d}.jsonl"
            with open(file, "w", encoding="utf-8") as out:
                for n in range(first, min(documents, first + per_file)):
                    k = n % len(bases)
                    text = many_text(bases[k], n)
                    spans = [dict(span, text=text[span["start"]:span["end"]]) for span in templates[k]]
                    headline = bases[k].partition("\n")[0]
                    out.write(_record(f"{headline} ({n})", f"bbc/{k}.txt", text, spans))
            files.append(file)
        return files

    return _build(cached(name), write)


def fresh_copy(source: Path, name: str) -> Path:
    """A scratch copy of a cached database, so that a run's edits never reach the cache."""
    target = OUT / f"run-{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target
