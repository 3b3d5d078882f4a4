"""kill -9 at random moments of labelling (in tmux), importing, exporting and merging,
then several processes writing one file: nothing committed is lost, nothing is left
half-written, and every file passes ``integrity_check``.

This runs ``bench/torture.py`` with a few kills of each kind; the script itself, with
its defaults, is the long version whose figures the README quotes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "bench" / "torture.py"


def test_kills_and_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    figures_path = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--kills", "3", "--writers", "4", "--seconds", "3", "--json", str(figures_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    figures = json.loads(figures_path.read_text())
    kinds = {outcome["kind"]: outcome for outcome in figures["kills"]}
    assert set(kinds) == {"label", "import", "export", "merge"}
    for outcome in kinds.values():
        assert outcome["runs"] == 3 and outcome["ok"], outcome
        assert outcome["integrity_ok"] == 3 and outcome["lost"] == 0 and outcome["partial"] == 0
    # Labelling was really under way when killed, and every span shown was stored.
    assert all(int(note.split()[2]) > 0 for note in kinds["label"]["notes"]), kinds["label"]["notes"]
    writers = figures["writers"]
    assert writers["writes"] > 100 and writers["lost"] == 0 and writers["errors"] == 0 and writers["integrity_ok"]
