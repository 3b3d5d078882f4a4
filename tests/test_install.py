"""The distribution installs one import namespace, ``margin``, whichever way it is
installed: nothing named ``store`` or ``tui`` lands on the user's ``sys.path``.

Each install goes into a fresh virtual environment that borrows this interpreter's
packages for the dependencies (so only the build backend is fetched) but holds margin itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import importlib.util, sys
from importlib.resources import files
import margin, margin.store.db, margin.tui.cli, margin.tui.commands.app
print(margin.__file__)
print(files("margin.tui").joinpath("margin.tcss").is_file())
print(len(files("margin.tui.sample").joinpath("darien-gap-article.txt").read_text(encoding="utf-8")) > 1000)
print(importlib.util.find_spec("store"), importlib.util.find_spec("tui"))
"""


def make_venv(where: Path) -> Path:
    venv.EnvBuilder(system_site_packages=True, with_pip=False).create(where)
    return where / "bin"


@pytest.mark.parametrize("editable", [False, True], ids=["wheel", "editable"])
def test_install_puts_only_margin_on_the_path(tmp_path: Path, editable: bool) -> None:
    bin_dir = make_venv(tmp_path / "venv")
    if editable:
        target = ["-e", str(ROOT)]
    else:  # built from a copy: a wheel build writes build/ beside the sources
        copy = tmp_path / "source"
        shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(".git", "build", "*.egg-info", "bench", "tests"))
        target = [str(copy)]
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(bin_dir / "python"), "install", "-q", "--no-deps", *target],
        check=True, capture_output=True, cwd=tmp_path,
    )
    probe = subprocess.run(
        [str(bin_dir / "python"), "-c", PROBE], capture_output=True, text=True, cwd=tmp_path, check=True
    )
    where, stylesheet, sample, shadows = probe.stdout.splitlines()
    if editable:
        assert where == str(ROOT / "tui" / "_root" / "__init__.py")
    else:
        assert where.startswith(str(tmp_path / "venv")), where
    assert stylesheet == "True" and sample == "True"
    assert shadows == "None None"
    help_text = subprocess.run(
        [str(bin_dir / "margin"), "--help"], capture_output=True, text=True, cwd=tmp_path, check=True
    ).stdout
    assert "Usage: margin" in help_text
    module = subprocess.run(
        [str(bin_dir / "python"), "-m", "margin", "--help"], capture_output=True, text=True, cwd=tmp_path
    )
    assert module.returncode == 0 and "Usage: margin" in module.stdout
