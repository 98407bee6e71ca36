"""Transcript layouts: each detected from its content, who is who, merged turns and follow-ups.

The transcripts in tests/data/transcripts were written for these tests, each with its truth in
truth.yaml (layout, candidate, and every exchange: question line, bank id or `skipped`, answer).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from evaluator.batch import InputFileError, InputRow, RowError, read_file
from evaluator.batch.readers import FORMATS, input_format
from evaluator.batch.readers.chat import parse_chat_line
from evaluator.batch.readers.speakers import parse_speaker_line

TRANSCRIPTS = Path(__file__).parents[1] / "data" / "transcripts"
TRUTH = yaml.safe_load((TRANSCRIPTS / "truth.yaml").read_text(encoding="utf-8"))


def test_the_set_has_at_least_twelve_transcripts_in_at_least_eight_forms():
    assert len(TRUTH) >= 12
    assert len({entry["form"] for entry in TRUTH.values()}) >= 8
    assert {entry["layout"] for entry in TRUTH.values()} == set(FORMATS) - {"jsonl", "csv"}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_each_transcript_is_detected_and_read_as_its_truth_says(name: str):
    truth = TRUTH[name]
    path = TRANSCRIPTS / name
    assert input_format(path) == truth["layout"]
    items = list(read_file(path))
    assert not [i for i in items if isinstance(i, RowError)], items  # nothing malformed, nothing lost
    assert [row.question_line for row in items] == [line for line, _, _ in truth["exchanges"]]
    for row, (_, _, start) in zip(items, truth["exchanges"], strict=True):
        assert row.answer.startswith(start), (row.answer, start)
    assert {row.candidate for row in items} == {truth["candidate"]}
    for row in items:
        assert row.question and row.answer and row.line > row.question_line


def test_an_answer_split_over_cues_and_a_follow_up_stay_one_answer():
    rows = list(read_file(TRANSCRIPTS / "zoom_captions.vtt"))
    epoch, dropout = rows[1], rows[2]
    assert epoch.answer.endswith("seen every one of them once.") and "whole training dataset" in epoch.answer
    assert "Can you say more" not in dropout.answer and dropout.answer.endswith("scaled to match training.")
    capsules = list(read_file(TRANSCRIPTS / "labelled_followups.md"))[1]
    assert capsules.answer.startswith("A capsule network groups neurons")
    assert (
        "Because ordinary CNNs lose spatial relationships" in capsules.answer
        and "Why?" not in capsules.answer
    )


def test_an_acknowledgement_between_two_candidate_turns_keeps_the_answer_together():
    overfitting = next(iter(read_file(TRANSCRIPTS / "header_clock.txt")))
    assert overfitting.answer.endswith("a smaller model can help too.")
    assert "Okay" not in overfitting.answer


@pytest.mark.parametrize(
    ("text", "candidate"),
    [
        # role tags on the speakers
        ("Ann Lee (Interviewer): What is dropout?\nBo Yang (Candidate): It drops units.\n", "Bo Yang"),
        # a header sentence, with the candidate asking the only question
        (
            (
                "Bo Yang is the candidate\n\nBo Yang: Hi, can I ask something first?\nAnn Lee: Sure.\n"
                "Ann Lee: What is dropout?\nBo Yang: It drops units.\n"
            ),
            "Bo Yang",
        ),
        # front matter names the interviewer only
        (
            "---\ninterviewer: Bo Yang\n---\nAnn Lee: Hello?\nBo Yang: What is dropout?\nAnn Lee: It drops.\n",
            "Ann Lee",
        ),
        # nothing said: whoever asks the questions interviews
        (
            "Ann Lee: What is dropout?\nBo Yang: It drops units.\nAnn Lee: Why?\nBo Yang: Less overfitting.\n",
            "Bo Yang",
        ),
    ],
)
def test_who_is_who(tmp_path: Path, text: str, candidate: str):
    file = tmp_path / "call.txt"
    file.write_text(text)
    rows = [i for i in read_file(file) if isinstance(i, InputRow)]
    assert rows and {r.candidate for r in rows} == {candidate}
    dropout = next(r for r in rows if "dropout" in r.question)
    assert dropout.answer.startswith("It drops")


def test_consecutive_turns_of_one_speaker_merge(tmp_path: Path):
    file = tmp_path / "call.txt"
    file.write_text(
        "[00:00:01] Ann Lee: So, next one.\n[00:00:03] Ann Lee: What is dropout?\n"
        "[00:00:05] Bo Yang: It switches off units.\n[00:00:09] Bo Yang: Only in training.\n"
    )
    [row] = read_file(file)
    assert row.question == "So, next one.\nWhat is dropout?"
    assert (
        row.answer == "It switches off units.\nOnly in training." and row.question_line == 1 and row.line == 3
    )


@pytest.mark.parametrize(
    ("line", "speaker", "text"),
    [
        ("[00:01:02] Priya Sharma: What is dropout?", "Priya Sharma", "What is dropout?"),
        ("00:01:02 Priya Sharma: What is dropout?", "Priya Sharma", "What is dropout?"),
        ("10:02 AM Priya Sharma: What is dropout?", "Priya Sharma", "What is dropout?"),
        ("(1:02) Priya Sharma: What is dropout?", "Priya Sharma", "What is dropout?"),
        ("Priya Sharma (Interviewer): What is dropout?", "Priya Sharma (Interviewer)", "What is dropout?"),
        ("**Priya Sharma:** What is dropout?", "Priya Sharma", "What is dropout?"),
        ("Priya Sharma  00:01:02", "Priya Sharma", ""),
    ],
)
def test_speaker_line_forms(line: str, speaker: str, text: str):
    found = parse_speaker_line(line)
    assert found is not None and (found.speaker, found.text) == (speaker, text)


@pytest.mark.parametrize("line", ["See https://example.org: a link", "A neural network is a model."])
def test_prose_is_no_speaker_line(line: str):
    assert parse_speaker_line(line) is None


@pytest.mark.parametrize(
    "line",
    [
        "10:02:13 From Priya Sharma to Everyone: What is dropout?",
        "10:02:13\t From  Priya Sharma : What is dropout?",
        "[02/05/2024, 10:02:13] Priya Sharma: What is dropout?",
        "02/05/2024, 10:02 - Priya Sharma: What is dropout?",
        "2024-05-02 10:02 Priya Sharma: What is dropout?",
    ],
)
def test_chat_line_forms(line: str):
    assert parse_chat_line(line) == ("Priya Sharma", "What is dropout?")


def test_a_layout_can_be_forced_and_a_wrong_one_says_what_it_expected(tmp_path: Path):
    file = tmp_path / "call.txt"
    file.write_text("Ann Lee: What is dropout?\nBo Yang: It drops units.\n")
    assert input_format(file) == "speakers"
    [forced] = read_file(file, "labelled")
    assert isinstance(forced, RowError) and forced.kind == "malformed" and "no speaker turns" in forced.reason
    with pytest.raises(InputFileError, match="unknown format 'docx'"):
        input_format(file, "docx")  # type: ignore[arg-type]


def test_broken_captions_are_one_malformed_row(tmp_path: Path):
    file = tmp_path / "broken.vtt"
    file.write_text("WEBVTT\n\n00:00:01.000 --> nonsense\nPriya: Hi?\n")
    [item] = read_file(file)
    assert (
        isinstance(item, RowError) and item.kind == "malformed" and item.reason.startswith("not valid WebVTT")
    )
    srt_file = tmp_path / "broken.srt"
    srt_file.write_text("1\n00:00:01,000 --> two seconds\nPriya: Hi?\n\n")
    [item] = read_file(srt_file, "srt")
    assert isinstance(item, RowError) and item.reason.startswith("not valid SRT")


def test_small_talk_before_a_question_and_an_unanswered_question_are_skipped_not_malformed(tmp_path: Path):
    file = tmp_path / "call.txt"
    file.write_text(
        "Candidate: Hello, can you hear me?\nInterviewer: What is dropout?\nCandidate: It drops units.\n"
        "Interviewer: Any questions for me?\n"
    )
    items = list(read_file(file))
    assert [(type(i).__name__, i.kind if isinstance(i, RowError) else "") for i in items] == [
        ("RowError", "skipped"),
        ("InputRow", ""),
        ("RowError", "skipped"),
    ]
    assert items[2].question == "Any questions for me?"


def test_participant_lines_name_the_candidate_and_are_no_turns(tmp_path: Path):
    file = tmp_path / "mock.txt"
    file.write_text(
        "Interviewer: Karen Smith\nCandidate: Jonas Weber\n\nInterviewer: What is dropout?\nCandidate: It drops.\n"
    )
    assert input_format(file) == "labelled"
    [row] = read_file(file)
    assert (row.candidate, row.question, row.answer, row.question_line) == (
        "Jonas Weber",
        "What is dropout?",
        "It drops.",
        4,
    )


def test_teams_chat_with_the_message_below_the_sender(tmp_path: Path):
    file = tmp_path / "teams.txt"
    file.write_text(
        "[10:02 AM] Priya Sharma\nWhat is dropout?\n[10:03 AM] Ravi Kumar\nIt switches off units.\n"
        "[10:03 AM] Ravi Kumar\nOnly while training.\n"
    )
    assert input_format(file) == "chat"
    [row] = read_file(file)
    assert (row.candidate, row.question, row.answer) == (
        "Ravi Kumar",
        "What is dropout?",
        "It switches off units.\nOnly while training.",
    )


def test_notes_with_questions_as_headings_and_answers_as_lists(tmp_path: Path):
    file = tmp_path / "notes.md"
    file.write_text(
        "# Notes\n\n## What is dropout?\n- switches off units\n- only in training\n\n"
        "## Q2: What is an epoch?\nOne pass over the data.\n\n## Feedback\nGood.\n"
    )
    assert input_format(file) == "notes"
    rows = list(read_file(file))
    assert [(r.question, r.answer, r.question_line) for r in rows] == [
        ("What is dropout?", "switches off units\nonly in training", 3),
        ("What is an epoch?", "One pass over the data.", 7),
    ]


def test_a_title_cased_phrase_with_a_colon_inside_an_answer_stays_in_the_answer(tmp_path: Path):
    file = tmp_path / "call.txt"
    file.write_text(
        "Ann Lee: Ready?\nBo Yang: Yes.\n"
        "Ann Lee: What does Adam do?\nBo Yang: It adapts the step size per parameter.\n"
        "Key Idea: it keeps running averages of the gradient and its square.\nAnn Lee: Thanks.\n"
    )
    [_, row] = read_file(file)
    assert row.answer == (
        "It adapts the step size per parameter.\nKey Idea: it keeps running averages of the gradient and its square."
    )


@pytest.mark.parametrize(
    ("text", "candidate"),
    [
        # Google Meet / Docs: a timestamp alone on a line between turns is no part of any turn
        (
            (
                "00:00:01\nAnn Lee: What is dropout?\n00:00:04\nBo Yang: It drops units.\n00:00:09\nAnn Lee: Why?\n"
                "Bo Yang: Less overfitting.\n"
            ),
            "Bo Yang",
        ),
        # Rev / Descript: the time in brackets after the name
        (
            (
                "Ann Lee (00:00:01): What is dropout?\nBo Yang (00:00:04): It drops units.\n"
                "Ann Lee (00:00:09): Why?\nBo Yang (00:00:10): Less overfitting.\n"
            ),
            "Bo Yang",
        ),
        # Otter without names: numbered speakers
        ("Speaker 1  0:01\nWhat is dropout?\n\nSpeaker 2  0:04\nIt drops units.\n", "Speaker 2"),
        # a role word with the name in brackets
        ("Interviewer (Ann Lee): What is dropout?\nCandidate (Bo Yang): It drops units.\n", "Bo Yang"),
    ],
)
def test_more_speaker_forms(tmp_path: Path, text: str, candidate: str):
    file = tmp_path / "call.txt"
    file.write_text(text)
    assert input_format(file) == "speakers"
    [row] = read_file(file)
    assert (row.candidate, row.question, row.answer.split("\n")[0]) == (
        candidate,
        "What is dropout?",
        "It drops units.",
    )
    assert "00:00" not in row.answer


@pytest.mark.parametrize(
    "header",
    [
        "Participants: Ann Lee (interviewer), Bo Yang (candidate)",
        "Candidate - Bo Yang",
        "**Candidate:** Bo Yang",
        "Ann Lee is the interviewer",
    ],
)
def test_header_forms_say_who_is_who(tmp_path: Path, header: str):
    file = tmp_path / "call.txt"
    # Bo asks the only question here: only the header can tell who is the candidate.
    file.write_text(
        f"{header}\n\nBo Yang: Can I ask one thing first?\nAnn Lee: Sure, go ahead.\n"
        "Ann Lee: What is dropout? And why?\nBo Yang: It drops units.\n"
    )
    rows = [i for i in read_file(file) if isinstance(i, InputRow)]
    assert {r.candidate for r in rows} == {"Bo Yang"}
    assert rows[-1].answer == "It drops units."


def test_a_bracketed_role_tag(tmp_path: Path):
    file = tmp_path / "call.txt"
    file.write_text("Ann Lee [interviewer]: What is dropout?\nBo Yang [candidate]: It drops units.\n")
    [row] = read_file(file)
    assert (row.candidate, row.answer) == ("Bo Yang", "It drops units.")


def test_the_cli_offers_every_layout_the_readers_know():
    from cli.batch import FORMATS as CLI_FORMATS

    assert CLI_FORMATS == FORMATS
