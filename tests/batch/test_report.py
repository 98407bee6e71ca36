"""The HTML report: self-contained, escaped, with evidence highlighted where the offsets say."""

from __future__ import annotations

import html
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from evaluator.batch import read_records, write_report
from evaluator.batch.output import RESULT_FIELDS, RecordCodec
from evaluator.batch.report import Piece, highlight


def point(pid, verdict, start=None, end=None, text=None):
    evidence = None if start is None else {"text": text, "start": start, "end": end}
    return {"id": pid, "verdict": verdict, "evidence": evidence}


def test_highlight_cuts_at_every_evidence_boundary():
    answer = "One. Two three. Four."
    pieces = highlight(
        answer,
        [
            point("a", "covered", 0, 4, "One."),
            point("b", "partial", 0, 15, "One. Two three."),
            point("c", "missed"),
            point("d", "contradicted", 16, 21, "Four."),
        ],
    )
    assert pieces == [
        Piece("One.", "covered", ("a", "b")),
        Piece(" Two three.", "partial", ("b",)),
        Piece(" ", None, ()),
        Piece("Four.", "contradicted", ("d",)),
    ]
    assert "".join(p.text for p in pieces) == answer


def test_highlight_ignores_evidence_that_does_not_point_at_its_text():
    answer = "Short answer."
    assert highlight(answer, [point("a", "covered", 0, 5, "Other"), point("b", "covered", 6, 99, "x")]) == [
        Piece(answer, None, ())
    ]


def test_everything_is_escaped_and_nothing_is_fetched(tmp_path: Path):
    hostile = '<script>alert("x")</script> & <img src=http://evil.example/x.png>'
    answer = f"Dropout drops units. {hostile}"
    record = {
        "file": "<in>.jsonl",
        "line": 1,
        "id": "<id>",
        "candidate": "<b>Mallory</b>",
        "session": "s&1",
        "question_id": "fresher-10",
        "question_text": "What is <dropout>?",
        "level": "fresher",
        "topic": "regularization",
        "input_question": "<q>",
        "question_line": None,
        "match_confidence": 0.9,
        "score": 0.5,
        "covered": ["a"],
        "partial": [],
        "missed": ["b"],
        "contradicted": [],
        "answer": answer,
        "points": [
            {
                "id": "a",
                "text": "Units <are> dropped",
                "weight": 1,
                "score": 1,
                "similarity": 0.9,
                "verdict": "covered",
                "evidence": {"text": "Dropout drops units.", "start": 0, "end": 20},
            },
            {
                "id": "b",
                "text": "Scaling & such",
                "weight": 1,
                "score": 0,
                "similarity": 0.1,
                "verdict": "missed",
                "evidence": None,
            },
        ],
        "model": "m",
        "evaluator_version": "0",
    }
    results = tmp_path / "r.jsonl"
    codec = RecordCodec("jsonl", RESULT_FIELDS)
    results.write_bytes(codec.encode([record]))
    page = write_report(results, tmp_path / "report.html").read_text()
    assert "<script" not in page and "<img" not in page and "<b>Mallory" not in page
    assert str(escape(hostile)) in page
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in page and "What is &lt;dropout&gt;?" in page
    assert '<mark class="covered" title="a">Dropout drops units.</mark>' in page
    assert_self_contained(page)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_self_contained(page: str) -> None:
    """No element loads anything: no scripts, links, images, frames or src/href attributes."""
    parser = _Tags()
    parser.feed(page)
    names = {tag for tag, _ in parser.tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed", "image", "use"}
    assert not [attrs for _, attrs in parser.tags if {"src", "href", "xlink:href"} & set(attrs)]
    assert "@import" not in page and "url(" not in page


@pytest.mark.model
def test_the_report_of_a_real_run_holds_candidates_questions_and_charts(scored_run, tmp_path: Path):
    page = write_report(scored_run.output, tmp_path / "report.html", errors=scored_run.errors).read_text()
    for name in ("Ana Lopez", "Carla Diaz", "Dan Wu", "Eve Martin", "mock_interview_ben"):
        assert html.escape(name) in page
    records = list(read_records(scored_run.output))
    for record in records:
        assert f"<b>{record['question_id']}</b> {html.escape(record['question_text'])}" in page
    assert page.count('<details class="answer"') == len(records)
    assert page.count('<rect class="bin"') == 10 and page.count('<rect class="bar"') >= 2
    assert "<mark class=" in page
    assert "How would you design a URL shortener" in page  # a rejected row, listed with its reason
    assert page.rstrip().endswith("</html>")
    assert_self_contained(page)
