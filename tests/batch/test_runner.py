"""The runner: every input row ends up exactly once, scored or rejected with a reason."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
from conftest import INPUTS
from fakes import HashingEmbedder

from evaluator import Evaluator
from evaluator.batch import read_inputs, read_records, run_batch, summarize
from evaluator.batch.output import ERROR_FIELDS
from rubric import load_bank

pytestmark = pytest.mark.model


def keyed(path: Path, fields=None) -> dict[tuple[str, int], dict]:
    records = list(read_records(path, fields) if fields else read_records(path))
    keys = Counter((Path(r["file"]).name, r["line"]) for r in records)
    assert max(keys.values()) == 1, f"duplicated rows: {[k for k, n in keys.items() if n > 1]}"
    return {(Path(r["file"]).name, r["line"]): r for r in records}


def test_every_input_row_is_scored_skipped_or_rejected_exactly_once(scored_run):
    results, rejected = keyed(scored_run.output), keyed(scored_run.errors, ERROR_FIELDS)
    expected = {(Path(item.file).name, item.line) for item in read_inputs(INPUTS)}
    assert set(results) | set(rejected) == expected and not set(results) & set(rejected)
    skipped = sum(1 for r in rejected.values() if r["kind"] == "skipped")
    stats = scored_run.stats
    assert (stats.scored, stats.rejected, stats.skipped) == (len(results), len(rejected) - skipped, skipped)


def test_transcript_questions_are_matched_by_meaning(scored_run):
    results = keyed(scored_run.output)
    expected = {
        ("mock_interview_ana.md", 15): "fresher-10",
        ("mock_interview_ana.md", 23): "fresher-04",
        ("mock_interview_ana.md", 34): "fresher-03",
        ("mock_interview_ana.md", 41): "fresher-08",
        ("mock_interview_ben.txt", 5): "fresher-13",
        ("mock_interview_ben.txt", 12): "intermediate-03",
        ("mock_interview_ben.txt", 16): "intermediate-05",
        ("drills_carla.md", 9): "fresher-11",
        ("drills_carla.md", 15): "fresher-09",
        ("drills_carla.md", 21): "fresher-06",
        ("drills.jsonl", 2): "fresher-05",
        ("drills.csv", 5): "fresher-14",
    }
    for key, question_id in expected.items():
        record = results[key]
        assert record["question_id"] == question_id, key
        assert 0.65 <= record["match_confidence"] <= 1.0
        assert record["input_question"]
    by_id = results[("drills.jsonl", 1)]
    assert by_id["match_confidence"] is None and by_id["input_question"] is None


def test_rejected_rows_say_where_and_why(scored_run):
    rejected = keyed(scored_run.errors, ERROR_FIELDS)
    kinds = {key: r["kind"] for key, r in rejected.items()}
    assert kinds == {
        ("mock_interview_ana.md", 11): "skipped",  # "Hi Ana, ... Shall we get started?"
        ("mock_interview_ana.md", 30): "skipped",  # a system-design question
        ("mock_interview_ben.txt", 22): "invalid-answer",  # "Candidate:" with nothing after it
        ("mock_interview_ben.txt", 24): "skipped",  # "Any questions for me?" never answered
        ("drills.jsonl", 4): "malformed",
        ("drills.jsonl", 5): "malformed",
        ("drills.jsonl", 6): "malformed",
        ("drills.jsonl", 7): "malformed",
        ("drills.jsonl", 8): "unknown-question",
        ("drills.jsonl", 9): "skipped",
        ("drills.csv", 6): "invalid-answer",
        ("drills.csv", 7): "malformed",
    }
    unmatched = rejected[("mock_interview_ana.md", 30)]
    assert unmatched["input_question"].startswith("How would you design a URL shortener")
    assert unmatched["match_confidence"] < 0.65 and "matches no bank question" in unmatched["reason"]
    assert unmatched["question_id"] is None  # the closest id is named apart, not taken for a match
    assert unmatched["nearest_question_id"] and unmatched["nearest_question_id"] in unmatched["reason"]
    assert rejected[("mock_interview_ben.txt", 24)]["input_question"] == "Any questions for me?"
    assert rejected[("drills.csv", 6)]["reason"].startswith("the answer is empty")
    assert rejected[("drills.jsonl", 8)]["reason"].startswith("unknown question id 'no-such-question'")


def test_results_carry_scores_points_and_evidence_offsets(scored_run):
    for record in read_records(scored_run.output):
        assert 0 <= record["score"] <= 1
        assert {p["id"] for p in record["points"]} == {
            pid
            for verdict in ("covered", "partial", "missed", "contradicted")
            for pid in record.get(verdict, [])
        }
        for point in record["points"]:
            if point["evidence"]:
                ev = point["evidence"]
                assert record["answer"][ev["start"] : ev["end"]] == ev["text"]


def test_summary_per_candidate_and_session(scored_run):
    summary = summarize(scored_run.output, scored_run.errors)
    groups = {(g["candidate"], g["session"]): g for g in summary["groups"]}
    ana = groups[("Ana Lopez", "mock-2024-05-02")]
    assert (ana["answers"], ana["skipped"], ana["rejected"]) == (4, 2, 0)
    assert set(ana["by_level"]) == {"fresher"}
    bank = load_bank()
    assert set(ana["by_topic"]) == {
        bank[q].topic for q in ("fresher-10", "fresher-04", "fresher-03", "fresher-08")
    }
    assert sum(t["answers"] for t in ana["by_topic"].values()) == 4
    assert [q["question_id"] for q in ana["weakest_questions"]] and len(ana["weakest_questions"]) <= 5
    assert groups[(None, "mock_interview_ben")]["answers"] == 3
    assert summary["overall"]["answers"] == scored_run.stats.scored
    assert summary["overall"]["rejected"] == scored_run.stats.rejected
    assert summary["overall"]["skipped"] == scored_run.stats.skipped
    assert sum(summary["overall"]["score_histogram"]) == scored_run.stats.scored


class CountingEmbedder:
    def __init__(self, inner) -> None:
        self.inner, self.name, self.calls = inner, inner.name, []

    def encode(self, texts):
        self.calls.append(list(texts))
        return self.inner.encode(texts)


def test_answers_are_embedded_in_one_call_per_chunk_across_rows(tmp_path: Path):
    embedder = CountingEmbedder(HashingEmbedder())
    evaluator = Evaluator(embedder=embedder, bank=load_bank(), cache_size=0)
    source = tmp_path / "many.jsonl"
    with source.open("w") as handle:
        for i in range(50):
            answer = f"Dropout marker{i} switches off neurons. It is disabled at test time marker{i}."
            handle.write(json.dumps({"question_id": "fresher-10", "answer": answer}) + "\n")
    stats = run_batch([source], tmp_path / "out.jsonl", evaluator=evaluator, batch_size=16)
    assert (stats.scored, stats.rejected) == (50, 0)
    answer_calls = [call for call in embedder.calls if any("marker" in text for text in call)]
    assert len(answer_calls) == 4  # chunks of 16, 16, 16 and 2 rows
    rows_per_call = [
        len({m for text in call for m in re.findall(r"marker(\d+)", text)}) for call in answer_calls
    ]
    assert rows_per_call == [16, 16, 16, 2]
