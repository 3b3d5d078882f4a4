"""Kill margin at random moments and write to one file from many processes; count
what survives.

    python bench/torture.py                       # 20 kills of each kind, 8 writers for 60 s
    python bench/torture.py --kills 3 --writers 4 --seconds 5 --json out.json   # a quick look

Kinds of kill -9, each at a random moment:

- **label**: margin in tmux on the sample, labelling word after word as fast as keys
  arrive; the screen is captured (the annotation panel's count) and the process killed
  right after. Afterwards the database must hold at least as many annotations as the
  screen showed: nothing shown was uncommitted.
- **import**: ``margin import`` of a JSON-lines file of 2,000 documents; afterwards the
  file's documents are there all or not at all.
- **export**: ``margin export -o`` over an earlier export of the same data; afterwards
  the output is the earlier file or a complete new one, never a part, and the next
  export leaves no temporary file behind.
- **merge**: ``margin merge`` of a copy with 20,000 more annotations; afterwards the
  target holds all of them or none, and ``merge -o`` leaves no file under its name.

After each kill: ``pragma integrity_check``. Then **writers**: N processes adding
annotations to one file for T seconds, each counting its commits, failures and its
longest wait for one write; afterwards the rows in the file must equal the commits.

Prints a table and, with ``--json``, the figures; exit status 1 when anything was lost
or broken (a timing never fails it).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path

MARGIN = [sys.executable, "-m", "margin"]


@dataclass
class Outcome:
    kind: str
    runs: int = 0
    killed_mid_way: int = 0
    integrity_ok: int = 0
    lost: int = 0
    partial: int = 0
    leftovers: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.partial == 0 and self.leftovers == 0 and self.integrity_ok == self.runs


def integrity(db: Path) -> bool:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


def scalar(db: Path, sql: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


LIVE_SPANS = "select count(*) from annotations where deleted_at is null"


def margin(db: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*MARGIN, "--db", str(db), *args], capture_output=True, text=True, check=check)


def create(db: Path) -> None:
    from margin.store.db import open_database

    open_database(db).close()


def kill_after(command: list[str], delay: float) -> bool:
    """Run ``command`` and SIGKILL it after ``delay`` s; True if it was still running."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        process.wait(delay)
        return False
    except subprocess.TimeoutExpired:
        process.send_signal(signal.SIGKILL)
        process.wait()
        return True


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=True)
    return time.perf_counter() - started


def jsonl(path: Path, documents: int, spans: int, seed: int) -> Path:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for number in range(documents):
            words = [rng.choice(("alpha", "beta", "gamma", "delta", "migrants", "border")) for _ in range(120)]
            text = f"Document {seed}-{number}. " + " ".join(words) + "."
            marks = []
            for index in range(spans):
                start = 20 + index * 30
                marks.append({"start": start, "end": start + 5, "label": "claim", "annotator": "bench"})
            out.write(json.dumps({"title": f"Doc {seed}-{number}", "text": text, "spans": marks}) + "\n")
    return path


# -- kinds of kill ---------------------------------------------------------------------


def kill_imports(work: Path, runs: int, rng: random.Random) -> Outcome:
    outcome = Outcome("import")
    source = jsonl(work / "import.jsonl", 2000, 5, seed=1)
    probe = work / "probe.db"
    duration = timed([*MARGIN, "--db", str(probe), "import", str(source)])
    for run in range(runs):
        db = work / f"import-{run}.db"
        create(db)
        killed = kill_after([*MARGIN, "--db", str(db), "import", str(source)], rng.uniform(0.05, duration))
        outcome.runs += 1
        outcome.killed_mid_way += killed
        outcome.integrity_ok += integrity(db)
        documents = scalar(db, "select count(*) from documents")
        spans = scalar(db, LIVE_SPANS)
        if (documents, spans) not in ((0, 0), (2000, 10_000)):
            outcome.partial += 1
            outcome.notes.append(f"run {run}: {documents} documents, {spans} spans after the kill")
    return outcome


def kill_exports(work: Path, runs: int, rng: random.Random) -> Outcome:
    outcome = Outcome("export")
    db = work / "export.db"
    margin(db, "import", str(jsonl(work / "export.jsonl", 4000, 5, seed=2)))
    out = work / "exports" / "all.jsonl"
    out.parent.mkdir()
    duration = timed([*MARGIN, "--db", str(db), "export", "-o", str(out)])
    earlier = out.read_bytes()
    for run in range(runs):
        killed = kill_after([*MARGIN, "--db", str(db), "export", "-o", str(out)], rng.uniform(0.05, duration))
        outcome.runs += 1
        outcome.killed_mid_way += killed
        outcome.integrity_ok += integrity(db)
        if out.read_bytes() != earlier:
            outcome.partial += 1
            outcome.notes.append(f"run {run}: the earlier export changed ({out.stat().st_size} bytes)")
    margin(db, "export", "-o", str(out))
    leftovers = [path.name for path in out.parent.iterdir() if path != out]
    outcome.leftovers = len(leftovers)
    if leftovers:
        outcome.notes.append(f"left beside the export after a clean run: {leftovers[:5]}")
    return outcome


def kill_merges(work: Path, runs: int, rng: random.Random) -> Outcome:
    outcome = Outcome("merge")
    base = work / "merge-base.db"
    margin(base, "import", str(jsonl(work / "merge-base.jsonl", 200, 1, seed=3)))
    theirs = work / "merge-theirs.db"
    shutil.copy(base, theirs)
    margin(theirs, "import", str(jsonl(work / "merge-more.jsonl", 4000, 5, seed=4)))
    before, after = scalar(base, LIVE_SPANS), scalar(theirs, LIVE_SPANS)
    probe = work / "merge-probe.db"
    shutil.copy(base, probe)
    duration = timed([*MARGIN, "--db", str(probe), "merge", str(theirs)])
    for run in range(runs):
        target = work / f"merge-{run}.db"
        shutil.copy(base, target)
        into_copy = run % 2 == 1
        output = work / f"merged-{run}.db"
        command = [*MARGIN, "--db", str(target), "merge", str(theirs), *(["-o", str(output)] if into_copy else [])]
        killed = kill_after(command, rng.uniform(0.05, duration))
        outcome.runs += 1
        outcome.killed_mid_way += killed
        outcome.integrity_ok += integrity(target)
        spans = scalar(target, LIVE_SPANS)
        if into_copy:
            if spans != before:
                outcome.partial += 1
                outcome.notes.append(f"run {run}: merge -o changed the current database")
            if output.exists() and scalar(output, LIVE_SPANS) != after:
                outcome.partial += 1
                outcome.notes.append(f"run {run}: {output.name} exists but holds {scalar(output, LIVE_SPANS)} spans")
            stray = [path.name for path in work.glob(f"*merged-{run}*") if path != output]
            if stray and not killed:
                outcome.leftovers += 1
        elif spans not in (before, after):
            outcome.partial += 1
            outcome.notes.append(f"run {run}: {spans} spans (before {before}, after {after})")
    return outcome


def kill_labelling(work: Path, runs: int, rng: random.Random) -> Outcome:
    outcome = Outcome("label")
    if shutil.which("tmux") is None:
        outcome.notes.append("tmux is not installed: not run")
        return outcome
    for run in range(runs):
        socket = f"margin-torture-{uuid.uuid4().hex[:8]}"  # a server of its own: a killed one lingers
        db = work / f"label-{run}.db"
        command = " ".join([*MARGIN, "--db", str(db), "--annotator", "typist"])
        subprocess.run(["tmux", "-L", socket, "-f", os.devnull, "new-session", "-d", "-s", "t", "-x", "120",
                        "-y", "40", command], check=True, env=terminal_env())
        subprocess.run(["tmux", "-L", socket, "resize-window", "-t", "t", "-x", "120", "-y", "40"],
                       capture_output=True)
        try:
            deadline = time.monotonic() + 30
            while "Annotations" not in screen(socket):
                if time.monotonic() > deadline:
                    raise RuntimeError("margin did not start:\n" + screen(socket))
                time.sleep(0.05)
            pid = int(subprocess.run(["tmux", "-L", socket, "list-panes", "-t", "t", "-F", "#{pane_pid}"],
                                     capture_output=True, text=True).stdout.split()[0])
            burst_until = time.monotonic() + rng.uniform(0.5, 3.0)
            while time.monotonic() < burst_until:
                subprocess.run(["tmux", "-L", socket, "send-keys", "-t", "t", "w", "1", "w", "2"], check=True)
            shown = max((int(n) for n in re.findall(r"Annotations (\d+)", screen(socket))), default=0)
            os.kill(pid, signal.SIGKILL)
            while Path(f"/proc/{pid}").exists() and b"zombie" not in _status(pid):
                time.sleep(0.02)
        finally:
            subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
        outcome.runs += 1
        outcome.killed_mid_way += 1
        outcome.integrity_ok += integrity(db)
        found = scalar(db, LIVE_SPANS)
        outcome.notes.append(f"run {run}: {shown} shown, {found} found")
        if found < shown:
            outcome.lost += shown - found
    return outcome


def terminal_env() -> dict[str, str]:
    """The environment for the pane: a real terminal type, and no COLUMNS/LINES left
    by a parent (pytest sets them), which Textual would take over the pane's size."""
    env = {key: value for key, value in os.environ.items() if key not in ("COLUMNS", "LINES")}
    return env | {"TERM": "xterm-256color"}


def screen(socket: str) -> str:
    return subprocess.run(["tmux", "-L", socket, "capture-pane", "-p", "-t", "t"], capture_output=True,
                          text=True).stdout


def _status(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes()
    except FileNotFoundError:
        return b"zombie"


# -- many writers --------------------------------------------------------------------

WRITER = """
import json, sys, time
from margin.store.annotations import add_annotation
from margin.store.db import open_database
path, doc_id, who, seconds, go = sys.argv[1:6]
db = open_database(path)
while not __import__("os").path.exists(go):
    time.sleep(0.001)
done = errors = 0
longest = 0.0
until = time.monotonic() + float(seconds)
try:
    while time.monotonic() < until:
        started = time.monotonic()
        try:
            add_annotation(db, doc_id, done % 40, done % 40 + 5, "claim", annotator=who)
            done += 1
        except Exception as error:
            errors += 1
            print(repr(error), file=sys.stderr)
        longest = max(longest, time.monotonic() - started)
except KeyboardInterrupt:
    pass
print(json.dumps({"writes": done, "errors": errors, "longest_wait_s": longest}))
"""


def writers(work: Path, processes: int, seconds: float) -> dict:
    db = work / "writers.db"
    margin(db, "import", str(jsonl(work / "writers.jsonl", 1, 0, seed=5)))
    doc_id = subprocess.run([sys.executable, "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
                             ".execute('select id from documents').fetchone()[0])", str(db)],
                            capture_output=True, text=True, check=True).stdout.strip()
    go = work / "go"
    started = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), doc_id, f"w{n}", str(seconds), str(go)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for n in range(processes)]
    time.sleep(1.0)
    go.touch()
    results = []
    for process in started:
        out, _ = process.communicate(timeout=seconds + 120)
        results.append(json.loads(out.strip().splitlines()[-1]) if out.strip() else {"writes": 0, "errors": -1})
    committed = sum(result["writes"] for result in results)
    stored = scalar(db, LIVE_SPANS)
    return {
        "processes": processes,
        "seconds": seconds,
        "writes": committed,
        "errors": sum(max(result["errors"], 0) for result in results),
        "stored": stored,
        "lost": committed - stored,
        "longest_wait_s": max(result.get("longest_wait_s", 0.0) for result in results),
        "integrity_ok": integrity(db),
    }


def import_beside_writer(work: Path, documents: int) -> dict:
    """A large import while another process labels: how long the import takes, and the
    longest the other process waits for one write (it used to wait for the whole file)."""
    db = work / "beside.db"
    create(db)
    source = jsonl(work / "beside.jsonl", documents, 10, seed=6)
    margin(db, "import", str(jsonl(work / "beside-seed.jsonl", 1, 0, seed=8)))
    doc_id = subprocess.run([sys.executable, "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1])"
                             ".execute('select id from documents').fetchone()[0])", str(db)],
                            capture_output=True, text=True, check=True).stdout.strip()
    go = work / "go-beside"
    seconds = 600.0
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), doc_id, "labeller", str(seconds), str(go)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    go.touch()
    started = time.perf_counter()
    subprocess.run([*MARGIN, "--db", str(db), "import", str(source)], capture_output=True, check=True)
    took = time.perf_counter() - started
    writer.send_signal(signal.SIGINT)
    out, _ = writer.communicate(timeout=120)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    result = json.loads(lines[-1]) if lines else {"writes": 0, "errors": -1, "longest_wait_s": float("nan")}
    return {"import_mb": source.stat().st_size / 1e6, "import_s": took, **result}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20, help="kills of each kind")
    parser.add_argument("--kinds", default="label,import,export,merge")
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--beside", type=int, default=20000,
                        help="documents of the import run beside a writer (0: skip)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kinds = {"label": kill_labelling, "import": kill_imports, "export": kill_exports, "merge": kill_merges}
    with tempfile.TemporaryDirectory(prefix="margin-torture-") as folder:
        work = Path(folder)
        outcomes = [kinds[kind](work, args.kills, rng) for kind in args.kinds.split(",") if kind]
        concurrency = writers(work, args.writers, args.seconds) if args.writers else None
        beside = import_beside_writer(work, args.beside) if args.beside else None
    print(f"{'kill -9 of':<10} {'runs':>5} {'mid-way':>8} {'integrity ok':>13} {'lost':>5} {'partial':>8} "
          f"{'leftovers':>10}")
    for outcome in outcomes:
        print(f"{outcome.kind:<10} {outcome.runs:>5} {outcome.killed_mid_way:>8} {outcome.integrity_ok:>13} "
              f"{outcome.lost:>5} {outcome.partial:>8} {outcome.leftovers:>10}")
        for note in outcome.notes[:3] if not outcome.ok else []:
            print(f"  {note}")
    label = next((outcome for outcome in outcomes if outcome.kind == "label"), None)
    if label is not None and label.notes:
        print("  label runs (shown on screen → found after): " + "; ".join(
            note.split(": ", 1)[1] for note in label.notes[:8]))
    if concurrency:
        print(f"writers: {concurrency['processes']} processes for {concurrency['seconds']:.0f} s: "
              f"{concurrency['writes']:,} writes committed, {concurrency['stored']:,} stored, "
              f"{concurrency['errors']} errors, longest wait {concurrency['longest_wait_s'] * 1000:.0f} ms, "
              f"integrity {'ok' if concurrency['integrity_ok'] else 'FAILED'}")
    if beside:
        print(f"import of {beside['import_mb']:.0f} MB beside a labelling process: import {beside['import_s']:.1f} s; "
              f"the labeller committed {beside['writes']:,} writes meanwhile, {beside['errors']} errors, "
              f"longest wait for one write {beside['longest_wait_s'] * 1000:.0f} ms")
    figures = {"kills": [asdict(outcome) | {"ok": outcome.ok} for outcome in outcomes], "writers": concurrency,
               "import_beside_writer": beside}
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2))
    broken = any(not outcome.ok for outcome in outcomes) or bool(
        concurrency and (concurrency["lost"] or not concurrency["integrity_ok"] or concurrency["errors"]))
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main())
