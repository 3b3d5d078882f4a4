"""A revised book imported with ``margin import --update``, end to end.

War and Peace (the UTF-8 Gutenberg file) is imported into a fresh database and given
10,000 spans taken from its text: every n-th sentence as a claim, every n-th capitalised
name as a person, every n-th number as a statistic. The file is then revised in place
with a few realistic edits (a corrected figure, an inserted paragraph, a deleted
sentence, moved paragraphs, a changed quote; each a few times, their positions tracked),
and ``margin --db DB import --update FILE`` is run as a subprocess and timed.

Baselines from the same run, on copies of the same database:
- floor: ``margin --db COPY import FILE`` without --update (the revised text is stored
  as an unrelated document and nothing moves: the cost of reading and storing the file);
- reanchor(): the pure function on the same texts and spans, in this process.

Then the outcome, read back from the database and scored against the known edit
positions as ``bench/reanchor_bench.py`` scores it: placed exactly, placed with changed
text (to review), orphaned (its text gone, or missed), and placed wrongly, which must be 0.

Run: ``python bench/version_bench.py`` (``--repeat N`` runs each timing N times and
keeps the fastest; ``--typography`` adds curly quotes throughout).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from reanchor_bench import CORPUS, KINDS, Doc, score

from margin.store.annotations import add_annotation
from margin.store.database import Database
from margin.store.db import open_database, write
from margin.store.reanchor import Anchor, Placed, reanchor

SPANS = 10_000
LOCAL_EDITS = ("corrected figure", "inserted paragraph", "deleted sentence", "moved paragraphs", "changed quote")


def margin(db: Path, *args: str) -> float:
    """Run the margin command line on ``db``; its wall time in seconds."""
    home = db.parent / "home"
    env = {
        **os.environ, "MARGIN_ANNOTATOR": "bench", "MARGIN_CONFIG": str(home / "config.toml"),
        "MARGIN_STATE": str(home / "state.json"), "XDG_DATA_HOME": str(home), "XDG_CONFIG_HOME": str(home),
        "XDG_STATE_HOME": str(home),
    }
    command = shutil.which("margin")
    if command is None:
        raise SystemExit("the margin command is not installed (python -m pip install -e .)")
    started = time.perf_counter()
    done = subprocess.run([command, "--db", str(db), *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"margin {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return elapsed


def places(text: str) -> list[tuple[int, int, str]]:
    """Spans from the text itself: sentences, names and numbers, thinned to ``SPANS``."""
    sentences = [(m.start(), m.end(), "claim") for m in re.finditer(r"[A-Z][^.!?\n]{30,200}[.!?]", text)]
    names = [(m.start(), m.end(), "person") for m in re.finditer(r"(?<=[a-z,] )[A-Z][a-z]{3,}(?: [A-Z][a-z]{3,})?", text)]
    numbers = [(m.start(), m.end(), "statistic") for m in re.finditer(r"\b\d[\d,.]*\d\b|\b\d\b", text)]
    out: list[tuple[int, int, str]] = []
    for found, share in ((numbers, 0.1), (sentences, 0.5), (names, 0.4)):
        want = int(SPANS * share) if found is not names else SPANS - len(out)
        step = max(1, len(found) // want)
        out += found[::step][:want]
    taken = set(out)
    spare = (span for span in names if span not in taken)
    return out + [next(spare) for _ in range(SPANS - len(out))]


def annotate(db: Database, doc_id: str, text: str) -> None:
    with write(db):
        for start, end, label in places(text):
            add_annotation(db, doc_id, start, end, label, annotator="bench", text=text)


def revise(text: str, rng: random.Random, typography: bool) -> Doc:
    doc = Doc(text)
    for kind in LOCAL_EDITS:
        for _ in range(3):
            KINDS[kind](doc, rng)
    if typography:
        KINDS["typography"](doc, rng)
    return doc


def only_document(db: Database) -> tuple[str, str]:
    row = db.execute("select id, text from documents").fetchone()
    return row[0], row[1]


def anchors(db: Database, doc_id: str) -> list[Anchor]:
    return [
        Anchor(*row)
        for row in db.execute(
            'select id, start, "end", quote, prefix, suffix from annotations where doc_id = ? order by start', [doc_id]
        ).fetchall()
    ]


def outcome(db: Database, old_id: str, new_id: str) -> dict[str, Placed | None]:
    """Each span as the update left it: Placed on the new version, or None (an orphan)."""
    got: dict[str, Placed | None] = {}
    for annotation_id, doc_id, start, end, method, confidence, changed in db.execute(
        'select a.id, a.doc_id, a.start, a."end", r.method, r.confidence, r.changed '
        "from annotations a join reanchored r on r.annotation_id = a.id"
    ).fetchall():
        got[annotation_id] = (
            Placed(annotation_id, start, end, method, confidence, bool(changed)) if doc_id == new_id else None
        )
    return got


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--typography", action="store_true")
    args = ap.parse_args()
    text = (CORPUS / "gutenberg" / "pg2600_war_and_peace.utf8.txt").read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        book, base = tmp / "war-and-peace.txt", tmp / "base.db"
        book.write_text(text, encoding="utf-8")
        margin(base, "import", str(book))
        db = open_database(base)
        old_id, old_text = only_document(db)
        started = time.perf_counter()
        annotate(db, old_id, old_text)
        annotating = time.perf_counter() - started
        spans = anchors(db, old_id)
        db.execute("pragma wal_checkpoint(truncate)")
        db.close()
        doc = revise(old_text, random.Random(args.seed), args.typography)
        book.write_text(doc.text, encoding="utf-8")

        timings: dict[str, list[float]] = {"update": [], "floor": [], "reanchor": []}
        for attempt in range(args.repeat):
            for name, flags in (("floor", ()), ("update", ("--update",))):
                copy = tmp / f"{name}-{attempt}.db"
                shutil.copyfile(base, copy)
                timings[name].append(margin(copy, "import", *flags, str(book)))
            started = time.perf_counter()
            pure = reanchor(old_text, doc.text, spans)
            timings["reanchor"].append(time.perf_counter() - started)

        updated = open_database(tmp / "update-0.db")
        new_id = updated.execute("select id from documents where id != ?", [old_id]).fetchone()[0]
        got = outcome(updated, old_id, new_id)
        assert len(got) == len(spans), "every span has a re-anchoring record"
        versions = updated.execute("select count(*) from document_versions").fetchone()[0]
        updated.close()
        tally: Counter = Counter()
        score(old_text, doc.text, doc.where(len(old_text)), spans, got, tally)
        pure_tally: Counter = Counter()
        score(old_text, doc.text, doc.where(len(old_text)), spans, pure.by_id(), pure_tally)

    best = {name: min(values) for name, values in timings.items()}
    n = tally["spans"]
    changed = tally["changed near"] + tally["changed elsewhere"]
    orphans = tally["orphan ok"] + tally["orphan missed"]
    edits = f"{', '.join(LOCAL_EDITS)} (3 each){' + typography' if args.typography else ''}"
    print(f"War and Peace: {len(old_text):,} characters, {n:,} spans; edits: {edits}")
    print(f"versions after the update: {versions}; annotating v1 in the store took {annotating:.2f} s")
    print(f"\n{'timing (best of ' + str(args.repeat) + ')':34} {'seconds':>8} {'x floor':>8}")
    for label, key in (("import --update (subprocess)", "update"), ("import, no --update (floor)", "floor"),
                       ("reanchor() alone", "reanchor")):
        print(f"{label:34} {best[key]:8.2f} {best[key] / best['floor']:8.2f}")
    print(f"{'update - floor (versioning cost)':34} {best['update'] - best['floor']:8.2f}"
          f"   = {(best['update'] - best['floor']) / best['reanchor']:.2f} x reanchor()")
    print("\noutcome (scored against the known edit positions)")
    for label, value in (
        ("placed exactly", tally["exact"]),
        ("placed, text changed (to review)", changed),
        ("  of which far from the edit", tally["changed elsewhere"]),
        ("orphaned", orphans),
        ("  of which its text survived (missed)", tally["orphan missed"]),
        ("placed wrongly", tally["wrong"]),
    ):
        print(f"  {label:38} {value:6,d} {100.0 * value / n:7.2f}%")
    same = all(pure_tally[k] == tally[k] for k in ("exact", "wrong", "orphan ok", "orphan missed"))
    print(f"\nthe store's result matches reanchor() alone: {'yes' if same else 'NO'}")
    print(f"placed wrongly: {tally['wrong']}")
    return 1 if tally["wrong"] or not same else 0


if __name__ == "__main__":
    sys.exit(main())
