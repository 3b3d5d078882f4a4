"""Merging what assisted annotation keeps beside the spans (migration 0007).

- ``suggestion_scores`` by annotation id: a score is written once, with the
  suggestion it scores, so the missing rows are inserted — after the annotations, so a
  score always lands beside its span, and a score whose span the source lacks (a file
  written by something else) is skipped rather than left dangling. Two scores for one
  span cannot come from margin; should they differ, the greater stays, a maximum like
  every other rule, so the order of merges does not matter. A source score that is
  not a finite number in [0, 1] is skipped (counted so); a target score that is not a
  number is treated as absent and replaced.
- ``models`` by name: the version with the newest ``updated_at`` wins (the team's
  latest training), ties going to the greater model bytes, then the greater row, so
  two machines pick the same one.

A span's status travels with the span itself (``annotations``, newest edit wins), so a
suggestion rejected in one copy is rejected after the merge, and the suggesters, which
never suggest a place the document has in any status, do not bring it back. Suggested
spans take their id from their place, so two copies' suggestions of one place are one
row, and newest-wins settles it.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterator
from typing import Any, Protocol

from .database import Database
from .timestamps import comparable

BATCH_SIZE = 500
PLACES_PER_QUERY = 200
"""Four parameters a place: within SQLite's oldest cap of 999 a statement."""
SUGGESTED, SUGGEST_ORIGIN = "suggested", "suggest:"
PLACE = ("doc_id", "start", "end", "label")


class Counts(Protocol):
    added: int
    updated: int
    skipped: int


def _batches(db: Database, sql: str) -> Iterator[list[dict[str, Any]]]:
    cursor = db.execute(sql)
    columns = [column[0] for column in cursor.description]
    while rows := cursor.fetchmany(BATCH_SIZE):
        yield [dict(zip(columns, row)) for row in rows]


def _is_pending_suggestion(row: dict[str, Any]) -> bool:
    return row.get("status") == SUGGESTED and str(row.get("origin") or "").startswith(SUGGEST_ORIGIN)


def valid_score(score: object) -> bool:
    """What margin writes: a finite number in [0, 1] (a bool is not a score)."""
    return (isinstance(score, (int, float)) and not isinstance(score, bool)
            and math.isfinite(score) and 0.0 <= score <= 1.0)


def merge_scores(target: Database, source: Database, counts: Counts) -> None:
    for batch in _batches(source, "select annotation_id, score from suggestion_scores order by rowid"):
        ids = [row["annotation_id"] for row in batch]
        spans = {row[0] for row in target.rows_in("select id from annotations where id in ({})", ids)}
        held = dict(target.rows_in("select annotation_id, score from suggestion_scores where annotation_id in ({})", ids))
        for row in batch:
            annotation_id, score = row["annotation_id"], row["score"]
            mine = held.get(annotation_id)
            if annotation_id not in spans or not valid_score(score):
                counts.skipped += 1
            elif annotation_id not in held:
                target.execute("insert into suggestion_scores (annotation_id, score) values (?, ?)", [annotation_id, score])
                counts.added += 1
            elif not valid_score(mine) or score > mine:
                target.execute("update suggestion_scores set score = ? where annotation_id = ?", [score, annotation_id])
                counts.updated += 1
            else:
                counts.skipped += 1


def model_version(row: dict[str, Any]) -> tuple[str, str, str]:
    """Newest ``updated_at``, then the model's bytes, then the rest of the row, each
    in a form that compares the same everywhere."""
    data = row.get("data")
    digest = hashlib.sha256(data if isinstance(data, bytes) else str(data).encode()).hexdigest()
    rest = {name: value for name, value in row.items() if name != "data"}
    return comparable(row.get("updated_at")), digest, json.dumps(rest, sort_keys=True, ensure_ascii=False, default=str)


MODEL_COLUMNS = ("name", "kind", "data", "labels", "trained_on", "trained_at", "updated_at")


def merge_models(target: Database, source: Database, counts: Counts) -> None:
    columns = ", ".join(MODEL_COLUMNS)
    for batch in _batches(source, f"select {columns} from models order by rowid"):
        held = {row["name"]: row for row in _rows(target, [row["name"] for row in batch])}
        for row in batch:
            mine = held.get(row["name"])
            if mine is not None and model_version(row) <= model_version(mine):
                counts.skipped += 1
                continue
            target.execute(
                f"insert or replace into models ({columns}) values ({', '.join('?' for _ in MODEL_COLUMNS)})",
                [row[name] for name in MODEL_COLUMNS],
            )
            if mine is None:
                counts.added += 1
            else:
                counts.updated += 1


def _rows(db: Database, names: list[str]) -> list[dict[str, Any]]:
    columns = ", ".join(MODEL_COLUMNS)
    return [dict(zip(MODEL_COLUMNS, row)) for row in db.rows_in(f"select {columns} from models where name in ({{}})", names)]
