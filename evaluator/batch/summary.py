"""Per candidate and session: mean coverage overall, by level and by topic, the most-missed key
points and the weakest questions, built from the results file in one streaming pass.

Only running sums and counts are kept (bounded by candidates x questions, never by rows), so a
summary of any number of answers fits in a little memory; it is rebuilt from the files after a
resumed run, which therefore summarises every row, not only the ones scored last.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluator.batch.output import ERROR_FIELDS, read_records
from evaluator.batch.readers import SKIPPED

TOP_N = 5
EARNS_NOTHING = ("missed", "contradicted")  # verdicts counted as a missed point
HISTOGRAM_BINS = 10
DECIMALS = 4


@dataclass
class _Mean:
    count: int = 0
    total: float = 0.0

    def add(self, value: float) -> None:
        self.count += 1
        self.total += value

    def as_dict(self) -> dict[str, Any]:
        return {
            "answers": self.count,
            "mean_score": round(self.total / self.count, DECIMALS) if self.count else None,
        }


@dataclass
class _Aggregate:
    """Running sums for one group of answers."""

    rejected: int = 0
    skipped: int = 0
    overall: _Mean = field(default_factory=_Mean)
    by_level: dict[str, _Mean] = field(default_factory=lambda: defaultdict(_Mean))
    by_topic: dict[str, _Mean] = field(default_factory=lambda: defaultdict(_Mean))
    by_question: dict[str, _Mean] = field(default_factory=lambda: defaultdict(_Mean))
    point_missed: dict[tuple[str, str], list[int]] = field(
        default_factory=lambda: defaultdict(lambda: [0, 0])
    )
    histogram: list[int] = field(default_factory=lambda: [0] * HISTOGRAM_BINS)

    def add(self, record: Mapping[str, Any]) -> None:
        score = float(record["score"])
        self.overall.add(score)
        self.by_level[record.get("level") or "unknown"].add(score)
        self.by_topic[record.get("topic") or "unknown"].add(score)
        self.by_question[record["question_id"]].add(score)
        for point in record.get("points") or ():
            if point["verdict"] == "not_asked":
                continue
            tally = self.point_missed[(record["question_id"], point["id"])]
            tally[0] += point["verdict"] in EARNS_NOTHING
            tally[1] += 1
        self.histogram[min(int(round(score * HISTOGRAM_BINS, 6)), HISTOGRAM_BINS - 1)] += 1

    def as_dict(self, texts: Mapping[str, str], points: Mapping[tuple[str, str], str]) -> dict[str, Any]:
        most_missed = sorted(
            ((key, tally) for key, tally in self.point_missed.items() if tally[0]),
            key=lambda kv: (-kv[1][0], -kv[1][0] / kv[1][1], kv[0]),
        )[:TOP_N]
        weakest = sorted(self.by_question.items(), key=lambda kv: (kv[1].total / kv[1].count, kv[0]))[:TOP_N]
        return {
            **self.overall.as_dict(),
            "rejected": self.rejected,
            "skipped": self.skipped,
            "score_histogram": self.histogram,
            "by_level": {k: v.as_dict() for k, v in sorted(self.by_level.items())},
            "by_topic": {k: v.as_dict() for k, v in sorted(self.by_topic.items())},
            "most_missed": [
                {"question_id": q, "point_id": p, "text": points.get((q, p), ""), "missed": t[0], "of": t[1]}
                for (q, p), t in most_missed
            ],
            "weakest_questions": [
                {"question_id": q, "text": texts.get(q, ""), **m.as_dict()} for q, m in weakest
            ],
        }


class SummaryBuilder:
    """Feed result and error records in any order; `build()` gives the summary as plain data."""

    def __init__(self) -> None:
        self.overall = _Aggregate()
        self.groups: dict[tuple[str | None, str | None], _Aggregate] = defaultdict(_Aggregate)
        self._question_texts: dict[str, str] = {}
        self._point_texts: dict[tuple[str, str], str] = {}

    def add_result(self, record: Mapping[str, Any]) -> None:
        self.overall.add(record)
        self.groups[(record.get("candidate"), record.get("session"))].add(record)
        qid = record["question_id"]
        if qid not in self._question_texts:
            self._question_texts[qid] = record.get("question_text") or ""
            for point in record.get("points") or ():
                self._point_texts[(qid, point["id"])] = point.get("text", "")

    def add_error(self, record: Mapping[str, Any]) -> None:
        """A rejected row, or a skipped one (kind `skipped`: small talk, a question outside the bank)."""
        group = self.groups[(record.get("candidate"), record.get("session"))]
        for aggregate in (self.overall, group):
            if record.get("kind") == SKIPPED:
                aggregate.skipped += 1
            else:
                aggregate.rejected += 1

    def build(self) -> dict[str, Any]:
        texts, points = self._question_texts, self._point_texts
        ordered = sorted(self.groups.items(), key=lambda kv: tuple((v is None, v or "") for v in kv[0]))
        return {
            "histogram_edges": [round(i / HISTOGRAM_BINS, 2) for i in range(HISTOGRAM_BINS + 1)],
            "overall": self.overall.as_dict(texts, points),
            "groups": [
                {"candidate": c, "session": s, **agg.as_dict(texts, points)} for (c, s), agg in ordered
            ],
        }


def summarize(
    results: str | Path | Iterable[Mapping[str, Any]],
    errors: str | Path | Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The summary of a results file (and its errors file), or of records already in hand."""
    builder = SummaryBuilder()
    for record in read_records(results) if isinstance(results, (str, Path)) else results:
        builder.add_result(record)
    if errors is not None:
        source = read_records(errors, ERROR_FIELDS) if isinstance(errors, (str, Path)) else errors
        for record in source:
            builder.add_error(record)
    return builder.build()
