"""The suggesters, measured: each figure beside a baseline measured in the same run.

Run from the checkout (nothing here fails on a figure; exit 0):

    python bench/suggest_bench.py                          # every section
    python bench/suggest_bench.py --only statistics,speed  # some of them
    python bench/suggest_bench.py --quick                  # fewer repeats, smaller samples

Sections are modules ``bench/suggest_eval_<name>.py``, each with ``run(quick: bool)``,
imported only when their section runs, so one section's missing dependency or
unfinished module leaves the others working ("not available" is printed instead):

- ``statistics``: the statistics suggester on MeasEval ``Quantity`` spans (eval split),
  with and without quantulum3's unit table, against a bare number regex;
- ``people``: the people suggester on labelled news (bench/suggest_eval_people.py);
- ``claims``: the claims suggester on CLEF CheckThat (bench/suggest_eval_claims.py);
- ``speed``: every registered suggester on the seed article and War and Peace, time
  per 1,000 words, against a bare regex pass over the same text.

Scores come from :func:`margin.store.suggest.scoring.score`, the scorer ``margin
suggest --evaluate`` uses.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

SECTIONS = ("statistics", "people", "claims", "speed")
HERE = Path(__file__).resolve().parent


def run_section(name: str, quick: bool) -> None:
    try:
        module = importlib.import_module(f"suggest_eval_{name}")
    except ModuleNotFoundError as error:
        if error.name == f"suggest_eval_{name}":
            print(f"\n[{name}] not available (no bench/suggest_eval_{name}.py)")
        else:
            print(f"\n[{name}] not available: {error}")
        return
    started = time.perf_counter()
    try:
        module.run(quick)
    except Exception:  # one broken section must not hide the others' figures
        print(f"\n[{name}] failed:")
        traceback.print_exc(file=sys.stdout)
    print(f"[{name}] {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections ({', '.join(SECTIONS)})")
    parser.add_argument("--quick", action="store_true", help="fewer repeats and smaller samples")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in SECTIONS]
    if unknown:
        parser.error(f"unknown section {unknown[0]!r}; choose from {', '.join(SECTIONS)}")
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    import margin

    print(f"margin from {Path(margin.__file__).resolve().parent.parent}")
    for name in chosen:
        run_section(name, args.quick)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
