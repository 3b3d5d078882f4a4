"""Import and export speed of margin's store, against raw sqlite3 on the same rows.

Generates 10,000 synthetic articles (about 45 MB, deterministic) with 100,000
annotations as a margin JSONL file, then in one run:

- imports it with margin.store.importing, and pushes the same rows through raw
  ``sqlite3.executemany`` into an identical fresh schema (created by
  margin.store.db.open_database, so the full-text triggers are the same);
- exports it with margin.store.exporting (margin format), and with a raw sqlite3 +
  json.dumps loop that reads the same batches;
- measures the peak memory (RSS) of an export of 10,000 and of 100,000 documents,
  each in its own process.

Prints the times, margin's throughput as a share of raw's (target: at least 50 %
for import and export), and the memory figures. Run: ``python bench/store_bench.py``
(``--quick`` for a tenth of the size).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from margin.store.db import open_database  # noqa: E402
from margin.store.exporting import export  # noqa: E402
from margin.store.importing import import_paths  # noqa: E402
from margin.store.labels import ensure_labels  # noqa: E402
from margin.store.model import CONTEXT_CHARS  # noqa: E402

SEED = 20240711
LABELS = ("claim", "person", "statistic")
ANNOTATORS = ("ana", "ben", "chen")
WORDS = (
    "the government said on monday that it would review the policy after a report found "
    "migrants crossing the border had risen by percent in the last year according to officials "
    "who spoke on condition of anonymity because they were not authorised to discuss the matter "
    "publicly a spokesperson for the ministry declined to comment but analysts warned that the "
    "figures could be higher than reported since many crossings go unrecorded in remote areas "
    "where aid groups operate clinics and shelters for families with children travelling north "
    "through the jungle over several days with little food or water and exposed to violence"
).split()
NAMES = ("Alejandro Mayorkas", "José Raúl Mulino", "Samantha Kamman", "Ana López", "Chen Wei", "Zoë Ødegård")
TARGET_TEXT = 4_500
SPANS_PER_DOCUMENT = 10
STAMP = "2024-07-01T12:00:00.000000Z"


def article(rng: random.Random) -> str:
    """A headline and paragraphs of plausible sentences, about 4.5 kB."""
    paragraphs = [" ".join(rng.choices(WORDS, k=rng.randint(6, 12))).capitalize()]
    size = len(paragraphs[0])
    while size < TARGET_TEXT:
        sentences = []
        for _ in range(rng.randint(2, 5)):
            words = rng.choices(WORDS, k=rng.randint(10, 28))
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), rng.choice(NAMES))
            if rng.random() < 0.5:
                words.insert(rng.randrange(len(words)), f"{rng.randint(2, 99)}%")
            sentences.append(" ".join(words).capitalize() + ".")
        paragraph = " ".join(sentences)
        paragraphs.append(paragraph)
        size += len(paragraph) + 2
    return "\n\n".join(paragraphs)


def spans(rng: random.Random, text: str, number: int) -> list[dict]:
    """Word-aligned, often overlapping spans with ids, annotators and timestamps."""
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == " "]
    result = []
    for n in range(number):
        first = rng.randrange(len(starts) - 12)
        start = starts[first]
        end = starts[first + rng.randint(1, 10)] - 1
        result.append({
            "id": f"{rng.getrandbits(128):032x}",
            "start": start, "end": end, "label": LABELS[n % 3], "text": text[start:end],
            "note": "check the source" if n % 7 == 0 else "", "annotator": ANNOTATORS[n % 3],
            "status": "accepted", "origin": "manual", "created_at": STAMP, "updated_at": STAMP,
        })
    return result


def generate(path: Path, documents: int) -> tuple[int, int, int]:
    """Write the JSONL file; returns (file bytes, article text bytes, spans)."""
    rng = random.Random(SEED)
    total_bytes = text_bytes = total_spans = 0
    with open(path, "w", encoding="utf-8") as out:
        for n in range(documents):
            text = article(rng)
            doc_spans = spans(rng, text, SPANS_PER_DOCUMENT)
            line = json.dumps({"id": None, "title": f"Article {n}", "source": f"bench/{n}.txt", "meta": {"n": n},
                               "text": text, "spans": doc_spans}, ensure_ascii=False) + "\n"
            total_bytes += len(line.encode("utf-8"))
            text_bytes += len(text.encode("utf-8"))
            out.write(line)
            total_spans += len(doc_spans)
    return total_bytes, text_bytes, total_spans


def document_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def raw_rows(path: Path):
    """Document and annotation tuples, exactly the columns margin stores."""
    with open(path, "rb") as handle:
        for line in handle:
            record = json.loads(line)
            text = record["text"]
            doc_id = document_id(text)
            doc = (doc_id, record["title"], record["source"], json.dumps(record["meta"]), text, STAMP, "bench")
            annotations = [
                (s["id"], doc_id, s["start"], s["end"], s["label"], text[s["start"]:s["end"]],
                 text[max(0, s["start"] - CONTEXT_CHARS):s["start"]], text[s["end"]:s["end"] + CONTEXT_CHARS],
                 s["note"], s["annotator"], s["status"], s["origin"], s["created_at"], s["updated_at"], None)
                for s in record["spans"]
            ]
            yield doc, annotations


def raw_import(db_path: Path, source: Path, *, copies: int = 1, fts: bool = True) -> float:
    db = open_database(db_path)
    ensure_labels(db, LABELS)
    db.close()
    conn = sqlite3.connect(db_path)
    conn.execute("pragma synchronous = normal")
    conn.execute("pragma foreign_keys = on")
    if not fts:
        for (name,) in conn.execute("select name from sqlite_master where type = 'trigger'").fetchall():
            conn.execute(f"drop trigger {name}")
    started = time.perf_counter()
    conn.execute("begin immediate")
    docs, annotations = [], []

    def flush() -> None:
        conn.executemany("insert into documents (id, title, source, meta, text, added_at, added_by) "
                         "values (?, ?, ?, ?, ?, ?, ?)", docs)
        conn.executemany('insert into annotations (id, doc_id, start, "end", label, quote, prefix, suffix, note, '
                         "annotator, status, origin, created_at, updated_at, deleted_at) "
                         "values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", annotations)
        docs.clear()
        annotations.clear()

    for copy in range(copies):
        for doc, doc_annotations in raw_rows(source):
            if copy:
                doc = (f"{copy:08x}{doc[0][8:]}", *doc[1:])
                doc_annotations = [(f"{copy:08x}{a[0][8:]}", doc[0], *a[2:]) for a in doc_annotations]
            docs.append(doc)
            annotations.extend(doc_annotations)
            if len(docs) >= 500:
                flush()
    flush()
    conn.execute("commit")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def raw_export(db_path: Path, out_path: Path) -> float:
    """The same batches as margin's export, with nothing but sqlite3 and json.dumps."""
    conn = sqlite3.connect(db_path)
    started = time.perf_counter()
    with open(out_path, "w", encoding="utf-8") as out:
        last = 0
        while True:
            docs = conn.execute("select rowid, id, title, source, meta, text from documents where rowid > ? "
                                "order by rowid limit 200", [last]).fetchall()
            if not docs:
                break
            last = docs[-1][0]
            spans_by_doc: dict[str, list] = {}
            ids = [doc[1] for doc in docs]
            for row in conn.execute(
                'select id, doc_id, start, "end", label, quote, note, annotator, status, origin, created_at, '
                f'updated_at from annotations where doc_id in ({",".join("?" * len(ids))}) and deleted_at is null '
                'order by doc_id, start, "end" desc, created_at', ids,
            ):
                spans_by_doc.setdefault(row[1], []).append(
                    {"id": row[0], "start": row[2], "end": row[3], "label": row[4], "text": row[5], "note": row[6],
                     "annotator": row[7], "status": row[8], "origin": row[9], "created_at": row[10],
                     "updated_at": row[11]})
            for _, doc_id, title, source, meta, text in docs:
                out.write(json.dumps({"id": doc_id, "title": title, "source": source, "meta": json.loads(meta),
                                      "text": text, "spans": spans_by_doc.get(doc_id, [])}, ensure_ascii=False))
                out.write("\n")
    elapsed = time.perf_counter() - started
    conn.close()
    return elapsed


def margin_import(db_path: Path, source: Path) -> float:
    db = open_database(db_path)
    started = time.perf_counter()
    report = import_paths(db, [source], annotator="bench")
    elapsed = time.perf_counter() - started
    assert report.ok, report.failed
    db.close()
    return elapsed


def margin_export(db_path: Path, out_path: Path) -> float:
    db = open_database(db_path)
    started = time.perf_counter()
    with open(out_path, "w", encoding="utf-8", newline="") as out:
        export(db, out, format="margin")
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def export_peak_rss(db_path: Path) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, documents written) of a margin export in a process
    of its own, so that each peak is that export's alone."""
    code = (
        "import resource, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from margin.store.db import open_database\nfrom margin.store.exporting import export\n"
        f"db = open_database({str(db_path)!r}, readonly=True)\n"
        "started = time.perf_counter()\n"
        "with open(__import__('os').devnull, 'w', encoding='utf-8') as out:\n"
        "    report = export(db, out, format='margin')\n"
        "print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "
        "report.documents)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    seconds, peak, documents = result.stdout.split()
    return float(seconds), float(peak), int(documents)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the size")
    args = parser.parse_args()
    documents = 1_000 if args.quick else 10_000
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as folder:
        tmp = Path(folder)
        source = tmp / "articles.jsonl"
        started = time.perf_counter()
        size, text_size, span_count = generate(source, documents)
        print(f"generated {documents:,} articles ({text_size / 1e6:.1f} MB of text) with {span_count:,} "
              f"annotations: a {size / 1e6:.1f} MB margin JSONL file, in {time.perf_counter() - started:.1f} s")

        raw_in = raw_import(tmp / "raw.db", source)
        ours_in = margin_import(tmp / "margin.db", source)
        raw_out = raw_export(tmp / "raw.db", tmp / "raw-out.jsonl")
        ours_out = margin_export(tmp / "margin.db", tmp / "margin-out.jsonl")
        assert (tmp / "raw-out.jsonl").stat().st_size > 0.9 * size

        big = tmp / "big.db"
        raw_import(big, source, copies=10, fts=False)
        small_seconds, small_peak, small_count = export_peak_rss(tmp / "margin.db")
        big_seconds, big_peak, big_count = export_peak_rss(big)
        assert (small_count, big_count) == (documents, documents * 10)

    mb = size / 1e6
    rows = [
        ("import", ours_in, raw_in),
        ("export (margin JSONL)", ours_out, raw_out),
    ]
    print()
    print(f"{'operation':<24}{'margin s':>10}{'raw s':>10}{'margin MB/s':>13}{'raw MB/s':>10}{'share':>8}{'target':>8}  ok")
    for name, ours, raw in rows:
        share = raw / ours
        print(f"{name:<24}{ours:>10.2f}{raw:>10.2f}{mb / ours:>13.1f}{mb / raw:>10.1f}{share:>8.0%}{'50%':>8}  "
              f"{'yes' if share >= 0.5 else 'NO'}")
    print()
    print(f"{'export peak memory':<24}{'documents':>12}{'annotations':>13}{'seconds':>10}{'peak RSS MB':>13}")
    print(f"{'':<24}{documents:>12,}{span_count:>13,}{small_seconds:>10.1f}{small_peak:>13.0f}")
    print(f"{'':<24}{documents * 10:>12,}{span_count * 10:>13,}{big_seconds:>10.1f}{big_peak:>13.0f}")
    print(f"\nmemory grows {big_peak / small_peak:.2f}x for 10x the documents (flat means close to 1x)")
    print("throughput is MB of the JSONL file per second; share = margin's throughput / raw's")


if __name__ == "__main__":
    main()
