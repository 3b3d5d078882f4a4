"""End to end: the installed ``margin`` script in a real terminal (tmux), driven by keys.

CI installs tmux; without it this test fails rather than skips, because it is the only
check that the console script, the terminal driver and the keys work together.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

from app_support import SAMPLE

WAIT = 30.0


def _tmux(socket: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True)


def _screen(socket: str) -> str:
    return _tmux(socket, "capture-pane", "-p", "-t", "margin").stdout


def _wait_for(socket: str, text: str) -> str:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        screen = _screen(socket)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared on screen:\n{_screen(socket)}")


def _send(socket: str, *keys: str) -> None:
    for key in keys:
        _tmux(socket, "send-keys", "-t", "margin", key)
        time.sleep(0.05)


def _start_margin(db: str) -> tuple[str, str, str, dict[str, str]]:
    """margin on ``db`` (a file not there yet, or an empty database on a server) in a
    fresh tmux server on its own socket: (socket, db, script, env)."""
    assert shutil.which("tmux"), "tmux is needed for this test (CI installs it)"
    margin = shutil.which("margin")
    assert margin, "the margin console script is not installed (pip install -e .)"
    socket = f"margin-test-{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "TERM": "xterm-256color"}
    command = f"{margin} --db {shlex.quote(db)} --annotator typist"
    subprocess.run(
        ["tmux", "-L", socket, "-f", os.devnull, "new-session", "-d", "-s", "margin", "-x", "120", "-y", "40",
         command],
        check=True,
        env=env,
    )
    _tmux(socket, "resize-window", "-t", "margin", "-x", "120", "-y", "40")
    return socket, db, margin, env


def _label_mulino(socket: str) -> None:
    # The status line shows before the article is open, and a key pressed in between
    # finds nothing to search: wait for the article's own text.
    _wait_for(socket, "Biden administration")
    _send(socket, "/")
    _wait_for(socket, "search this document")
    _send(socket, "Mulino", "Enter")
    _wait_for(socket, "NORMAL")
    _send(socket, "W")
    _wait_for(socket, "sel 6")
    _send(socket, "2")
    _wait_for(socket, "■1")  # the document list counts the new person


def _status(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/status").read_bytes()
    except FileNotFoundError:
        return b"zombie"


def _exported_spans(margin: str, db: str, env: dict[str, str]) -> list[tuple]:
    exported = subprocess.run(
        [margin, "--db", db, "export"], capture_output=True, text=True, check=True, env=env
    )
    [record] = [json.loads(line) for line in exported.stdout.splitlines() if line.strip()]
    return [(s["start"], s["end"], s["label"], s["text"], s["annotator"]) for s in record["spans"]]


def test_label_a_span_in_tmux_then_export(db_location: str) -> None:
    socket, db, margin, env = _start_margin(db_location)
    try:
        _label_mulino(socket)
        _send(socket, "q")
        deadline = time.monotonic() + WAIT
        while _tmux(socket, "has-session", "-t", "margin").returncode == 0:
            assert time.monotonic() < deadline, f"margin did not quit:\n{_screen(socket)}"
            time.sleep(0.1)
    finally:
        _tmux(socket, "kill-server")
    start = SAMPLE.index("Mulino")
    assert _exported_spans(margin, db, env) == [(start, start + 6, "person", "Mulino", "typist")]


def test_a_killed_margin_keeps_what_the_screen_showed(db_location: str) -> None:
    socket, db, margin, env = _start_margin(db_location)
    try:
        _label_mulino(socket)
        pid = int(_tmux(socket, "list-panes", "-t", "margin", "-F", "#{pane_pid}").stdout.split()[0])
        assert "margin" in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + WAIT
        while Path(f"/proc/{pid}").exists() and b"zombie" not in _status(pid):
            assert time.monotonic() < deadline, "margin survived SIGKILL"
            time.sleep(0.05)
    finally:
        _tmux(socket, "kill-server")
    start = SAMPLE.index("Mulino")
    assert _exported_spans(margin, db, env) == [(start, start + 6, "person", "Mulino", "typist")]
