"""The summary from records: exact aggregates (pure arithmetic, no model)."""

from __future__ import annotations

from evaluator.batch import summarize


def record(candidate, session, qid, score, level="fresher", topic="cnn", verdicts=None):
    verdicts = verdicts or {"p1": "covered", "p2": "missed"}
    return {
        "candidate": candidate, "session": session, "question_id": qid, "question_text": f"Text of {qid}?",
        "level": level, "topic": topic, "score": score,
        "points": [{"id": pid, "text": f"{qid} point {pid}", "verdict": v} for pid, v in verdicts.items()],
    }  # fmt: skip


def test_means_per_group_level_topic_and_the_weakest_and_most_missed():
    records = [
        record("ana", "s1", "q1", 0.2),
        record("ana", "s1", "q1", 0.4, verdicts={"p1": "contradicted", "p2": "missed"}),
        record("ana", "s1", "q2", 0.9, level="advanced", topic="rnn", verdicts={"p1": "covered"}),
        record("ben", None, "q2", 0.55, level="advanced", topic="rnn", verdicts={"p1": "partial"}),
    ]
    errors = [{"candidate": "ana", "session": "s1"}, {"candidate": None, "session": None}]
    summary = summarize(records, errors)
    overall = summary["overall"]
    assert (overall["answers"], overall["rejected"], overall["mean_score"]) == (4, 2, 0.5125)
    assert overall["score_histogram"] == [0, 0, 1, 0, 1, 1, 0, 0, 0, 1]
    assert [(g["candidate"], g["session"]) for g in summary["groups"]] == [
        ("ana", "s1"),
        ("ben", None),
        (None, None),
    ]
    ana = summary["groups"][0]
    assert (ana["answers"], ana["rejected"], ana["mean_score"]) == (3, 1, 0.5)
    assert ana["by_level"] == {
        "advanced": {"answers": 1, "mean_score": 0.9},
        "fresher": {"answers": 2, "mean_score": 0.3},
    }
    assert ana["by_topic"]["cnn"] == {"answers": 2, "mean_score": 0.3}
    assert [(q["question_id"], q["mean_score"], q["text"]) for q in ana["weakest_questions"]] == [
        ("q1", 0.3, "Text of q1?"),
        ("q2", 0.9, "Text of q2?"),
    ]
    assert [(p["question_id"], p["point_id"], p["missed"], p["of"]) for p in ana["most_missed"]] == [
        ("q1", "p2", 2, 2),
        ("q1", "p1", 1, 2),
    ]
    assert ana["most_missed"][0]["text"] == "q1 point p2"
    nobody = summary["groups"][2]
    assert (nobody["answers"], nobody["rejected"], nobody["mean_score"]) == (0, 1, None)


def test_an_empty_run_still_summarises():
    summary = summarize([], [])
    assert summary["overall"]["answers"] == 0 and summary["groups"] == []


def test_skipped_turns_are_counted_apart_from_rejected_rows():
    errors = [
        {"candidate": "ana", "session": "s1", "kind": "skipped"},
        {"candidate": "ana", "session": "s1", "kind": "malformed"},
        {"candidate": "ana", "session": "s1", "kind": "skipped"},
    ]
    summary = summarize([record("ana", "s1", "q1", 0.5)], errors)
    assert (summary["overall"]["skipped"], summary["overall"]["rejected"]) == (2, 1)
    [ana] = summary["groups"]
    assert (ana["answers"], ana["skipped"], ana["rejected"]) == (1, 2, 1)


def test_not_asked_points_are_not_counted_as_missed():
    verdicts = {"p1": "covered", "p2": "not_asked", "p3": "missed"}
    summary = summarize([record("ana", "s1", "q1", 0.5, verdicts=verdicts)], [])
    assert [(p["point_id"], p["missed"], p["of"]) for p in summary["overall"]["most_missed"]] == [
        ("p3", 1, 1)
    ]
