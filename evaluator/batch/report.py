"""The coach's HTML report: one self-contained file built from the results and errors files.

Score distribution and per-topic bars are inline SVG drawn in data coordinates (a bar's length
is the mean itself), the page has no script, font or stylesheet to fetch, and every piece of
text goes through Jinja2's autoescaping. Answers are streamed from the results file into the
page, so a report of any size is written in flat memory; each shows its key points covered and
missed, with the evidence highlighted in the answer at its character offsets.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from evaluator.batch.output import ERROR_FIELDS, read_records
from evaluator.batch.readers import SKIPPED
from evaluator.batch.summary import summarize
from evaluator.version import __version__

OPEN_ANSWERS_UP_TO = 200
_VERDICT_RANK = {"contradicted": 3, "covered": 2, "partial": 1}  # the mark a shared stretch gets


@dataclass(frozen=True, slots=True)
class Piece:
    """A stretch of the answer; `verdict` and `points` are set where it is evidence for points."""

    text: str
    verdict: str | None = None
    points: tuple[str, ...] = ()


def highlight(answer: str, points: Sequence[Mapping[str, Any]]) -> list[Piece]:
    """The answer cut at every evidence boundary, each piece tagged with the points it supports.

    Evidence whose offsets do not point at its text in this answer is left out, not guessed at.
    """
    spans = []
    for point in points:
        evidence = point.get("evidence")
        if not evidence or point.get("verdict") not in _VERDICT_RANK:
            continue
        start, end = evidence["start"], evidence["end"]
        if 0 <= start < end <= len(answer) and answer[start:end] == evidence["text"]:
            spans.append((start, end, point["verdict"], point["id"]))
    cuts = sorted({0, len(answer), *(s for s, *_ in spans), *(e for _, e, *_ in spans)})
    pieces = []
    for start, end in itertools.pairwise(cuts):
        covering = [s for s in spans if s[0] <= start and end <= s[1]]
        verdict = max((s[2] for s in covering), key=_VERDICT_RANK.__getitem__, default=None)
        pieces.append(Piece(answer[start:end], verdict, tuple(s[3] for s in covering)))
    return pieces


def write_report(
    results: str | Path,
    report: str | Path,
    errors: str | Path | None = None,
    summary: Mapping[str, Any] | None = None,
    title: str = "Practice answers report",
) -> Path:
    """Render the report to `report` (written to a temporary file, then renamed into place)."""
    import jinja2

    if summary is None:
        summary = summarize(results, errors)
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("evaluator.batch", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("report.html.j2")
    overall = summary["overall"]
    stream = template.stream(
        title=title,
        version=__version__,
        summary=summary,
        overall=overall,
        histogram=_histogram(overall["score_histogram"], summary["histogram_edges"]),
        topics=_bars(overall["by_topic"]),
        levels=_bars(overall["by_level"]),
        answers=_answers(results, open_all=overall["answers"] <= OPEN_ANSWERS_UP_TO),
        rejected=_errors(errors, skipped=False),
        skipped=_errors(errors, skipped=True),
    )
    report = Path(report)
    report.parent.mkdir(parents=True, exist_ok=True)
    temporary = report.with_name(report.name + ".tmp")
    stream.dump(str(temporary), encoding="utf-8")
    os.replace(temporary, report)
    return report


def _errors(errors: str | Path | None, *, skipped: bool) -> Iterator[dict[str, Any]]:
    """The rejected rows, or (skipped=True) the turns skipped as small talk or outside the bank."""
    if errors is None or not Path(errors).exists():
        return
    for record in read_records(errors, ERROR_FIELDS):
        if (record.get("kind") == SKIPPED) == skipped:
            yield record


def _histogram(counts: Sequence[int], edges: Sequence[float]) -> dict[str, Any]:
    return {
        "height": max(counts, default=0) or 1,
        "bins": [
            {"index": i, "count": c, "label": f"{edges[i]:.0%}\u2013{edges[i + 1]:.0%}"}
            for i, c in enumerate(counts)
        ],
    }


def _bars(groups: Mapping[str, Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"name": name, "mean": g["mean_score"] or 0.0, "answers": g["answers"]}
        for name, g in sorted(groups.items(), key=lambda kv: -(kv[1]["mean_score"] or 0.0))
    ]


def _answers(results: str | Path, open_all: bool) -> Iterator[dict[str, Any]]:
    previous = object()
    for number, record in enumerate(read_records(results), start=1):
        group = (record.get("candidate"), record.get("session"))
        yield {
            **record,
            "number": number,
            "new_group": group != previous,
            "open": open_all,
            "pieces": highlight(record["answer"], record.get("points") or ()),
        }
        previous = group
