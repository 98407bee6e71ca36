"""Readers: every input format, row by row, with file and line numbers; bad rows become RowErrors."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluator.batch import InputFileError, InputRow, RowError, check_input, read_file, read_inputs
from evaluator.batch.readers import parse_turn_label

DATA = Path(__file__).parent / "data"


def by_line(path: Path) -> dict[int, InputRow | RowError]:
    items = list(read_file(path))
    assert [i.line for i in items] == sorted({i.line for i in items}), "one item per line, in file order"
    return {item.line: item for item in items}


def test_jsonl_rows_keep_their_line_numbers_and_bad_lines_are_reported():
    items = by_line(DATA / "drills.jsonl")
    assert isinstance(items[1], InputRow) and items[1].question_id == "fresher-01"
    assert (items[1].id, items[1].candidate, items[1].session) == ("d-1", "Dan Wu", "drill-1")
    assert isinstance(items[2], InputRow) and items[2].question_id is None
    assert items[2].question.startswith("Why do neural networks need activation functions")
    assert 3 not in items  # a blank line is no row
    reasons = {line: item.reason for line, item in items.items() if isinstance(item, RowError)}
    assert reasons == {
        4: "not valid JSON: Expecting ',' delimiter at column 1",
        5: "field 'answer' must be text, not a number",
        6: "expected a JSON object, got an array",
        7: "no 'question_id' or 'question' field",
    }
    assert items[5].id == "d-4"  # what is known of a bad row is kept for the errors file
    assert {line for line, item in items.items() if isinstance(item, InputRow)} == {1, 2, 8, 9, 10}


def test_jsonl_invalid_utf8_and_odd_values(tmp_path: Path):
    file = tmp_path / "odd.jsonl"
    file.write_bytes(
        b'{"question_id": "fresher-01", "answer": "caf\xe9"}\n'
        b'{"question_id": "fresher-01", "answer": "fine", "id": 7, "candidate": "  "}\n'
        b'{"question_id": "fresher-01", "answer": "x", "session": ["a"]}\n'
        b'{"question_id": 12, "answer": "x"}\n'
    )
    items = list(read_file(file))
    assert isinstance(items[0], RowError) and items[0].reason == "not UTF-8 text (invalid byte at column 45)"
    assert isinstance(items[1], InputRow) and (items[1].id, items[1].candidate) == ("7", None)
    assert items[2].reason == "field 'session' must be text or a number, not an array"
    assert items[3].reason == "field 'question_id' must be text, not a number"


def test_csv_rows_start_at_their_first_line_even_after_a_multiline_answer():
    items = by_line(DATA / "drills.csv")
    assert sorted(items) == [2, 5, 6, 7, 8]
    first = items[2]
    assert isinstance(first, InputRow) and first.question_id == "fresher-10" and first.question is None
    assert first.answer.count("\n") == 2
    assert isinstance(items[5], InputRow) and items[5].question_id is None
    assert items[5].question == "What is a recurrent neural network, and when would you use one?"
    assert (
        isinstance(items[6], InputRow) and items[6].answer == ""
    )  # the evaluator rejects it, not the reader
    assert isinstance(items[7], RowError) and items[7].reason == "has 7 fields; the header has 6"
    assert isinstance(items[8], InputRow) and items[8].session is None  # an empty cell is absent


def test_csv_header_problems_stop_before_anything_runs(tmp_path: Path):
    no_answer = tmp_path / "a.csv"
    no_answer.write_text("question_id,text\nfresher-01,hello\n")
    with pytest.raises(InputFileError, match="no 'answer' column"):
        check_input(no_answer)
    no_question = tmp_path / "b.csv"
    no_question.write_text("Answer\nhello\n")
    with pytest.raises(InputFileError, match="'question_id' or a 'question' column"):
        check_input(no_question)
    bom = tmp_path / "c.csv"
    bom.write_bytes("\ufeff Question_ID ,ANSWER\nfresher-01,Een antwoord\n".encode())
    assert check_input(bom) == "csv"
    assert list(read_file(bom)) == [
        InputRow(file=str(bom), line=2, answer="Een antwoord", question_id="fresher-01")
    ]


def test_unknown_or_missing_files_are_usage_errors(tmp_path: Path):
    with pytest.raises(InputFileError, match="unknown input kind '.xlsx'"):
        check_input(tmp_path / "answers.xlsx")
    with pytest.raises(InputFileError, match="no such file"):
        check_input(tmp_path / "missing.jsonl")


LABEL_FORMS = [
    ("Interviewer: What is dropout?", "Candidate: It drops units."),
    ("interviewer:What is dropout?", "CANDIDATE:It drops units."),
    ("Q: What is dropout?", "A: It drops units."),
    ("Q1: What is dropout?", "A1: It drops units."),
    ("Question 2: What is dropout?", "Answer 2: It drops units."),
    ("**Interviewer:** What is dropout?", "**Candidate:** It drops units."),
    ("**Q**: What is dropout?", "**A**: It drops units."),
    ("__Q:__ What is dropout?", "*A:* It drops units."),
    ("- Q: What is dropout?", "- A: It drops units."),
    ("> Q: What is dropout?", "> A: It drops units."),
    ("## Q1: What is dropout?", "## A1: It drops units."),
    ("### Question 3\nWhat is dropout?", "### Answer\nIt drops units."),
    ("Interviewer: What is dropout?", "Interviewee: It drops units."),
]


@pytest.mark.parametrize(("question", "answer"), LABEL_FORMS)
def test_each_accepted_transcript_form_gives_one_exchange(tmp_path: Path, question: str, answer: str):
    file = tmp_path / "session.md"
    file.write_text(f"# Title line\n\n{question}\n\n{answer}\n")
    items = list(read_file(file))
    assert len(items) == 1 and isinstance(items[0], InputRow), items
    row = items[0]
    assert row.question == "What is dropout?" and row.answer == "It drops units."
    assert row.question_line == 3 and row.line == 3 + question.count("\n") + 2
    assert row.session == "session" and row.candidate is None


@pytest.mark.parametrize(
    "line",
    [
        "A neural network is...",
        "Answer the question first.",
        "Questions: none",
        "Andrew: hello",
        "## Answers so far",
    ],
)
def test_prose_is_not_taken_for_a_label(line: str):
    assert parse_turn_label(line) is None


def test_a_real_looking_markdown_interview():
    items = by_line(DATA / "mock_interview_ana.md")
    rows = {line: item for line, item in items.items() if isinstance(item, InputRow)}
    assert sorted(rows) == [11, 15, 23, 30, 34, 41]
    assert all(r.candidate == "Ana Lopez" and r.session == "mock-2024-05-02" for r in rows.values())
    dropout = rows[15]
    assert dropout.question_line == 13
    assert dropout.question.startswith("Great. First one: what is dropout")
    assert dropout.answer.startswith("Dropout randomly switches off") and dropout.answer.endswith(
        "in training."
    )
    assert "**" not in dropout.answer and "Interviewer" not in dropout.answer
    assert rows[11].question.startswith("Hi Ana")  # small talk is a row; the matcher rejects it
    assert not any(isinstance(item, RowError) for item in items.values())  # the closing remark has no "?"


def test_a_plain_text_interview_with_an_empty_answer_and_an_unanswered_question():
    items = by_line(DATA / "mock_interview_ben.txt")
    assert [line for line, item in items.items() if isinstance(item, InputRow)] == [5, 12, 16, 22]
    assert items[22].answer == ""  # "Candidate:" with nothing after it
    assert isinstance(items[24], RowError) and items[24].reason == "a question with no answer after it"
    assert items[5].session == "mock_interview_ben" and items[5].candidate is None
    assert "Pooling layers" in items[5].answer and items[5].answer.count("\n") == 4


def test_headings_numbered_and_short_forms_mixed_in_one_file():
    rows = list(read_file(DATA / "drills_carla.md"))
    assert [(r.question_line, r.line) for r in rows] == [(6, 9), (14, 15), (20, 21)]
    assert [r.question for r in rows] == [
        "What is a perceptron, and what can it do?",
        "What are hyperparameters in deep learning, and how do you choose good values for them?",
        "What is an epoch?",
    ]
    assert rows[2].answer == "One full pass of the training data through the network."
    assert {r.candidate for r in rows} == {"Carla Diaz"} and {r.session for r in rows} == {"drills_carla"}


def test_transcript_turn_problems(tmp_path: Path):
    file = tmp_path / "t.txt"
    file.write_text(
        "Candidate: I answer before any question.\n"  # 1
        "Interviewer: What is an epoch?\n"  # 2
        "Interviewer: What is dropout?\n"  # 3
        "Candidate: It drops units.\n"  # 4
        "Candidate: And it is off at test time.\n"  # 5
        "---\n"  # 6
        "Some note that belongs to no turn.\n"  # 7
    )
    items = list(read_file(file))
    assert [(type(i).__name__, i.line) for i in items] == [("RowError", 1), ("RowError", 2), ("InputRow", 4)]
    assert items[0].reason == "an answer turn with no question before it"
    assert items[2].answer == "It drops units.\n\nAnd it is off at test time."


def test_a_file_without_turns_says_what_it_expected(tmp_path: Path):
    file = tmp_path / "notes.txt"
    file.write_text("Just some notes about the interview.\n")
    [item] = read_file(file)
    assert isinstance(item, RowError) and item.line == 1 and "'Interviewer:' / 'Candidate:'" in item.reason


def test_read_inputs_chains_files_in_order():
    files = [DATA / "drills_carla.md", DATA / "drills.csv"]
    names = [Path(item.file).name for item in read_inputs(files)]
    assert names == ["drills_carla.md"] * 3 + ["drills.csv"] * 5


def test_csv_quoting_errors_are_rows_and_reading_goes_on(tmp_path: Path):
    file = tmp_path / "q.csv"
    file.write_text(
        'question_id,answer\nfresher-01,"good one"\nfresher-01,"bad "quote" here"\nfresher-01,fine again\n'
        'fresher-01,"unterminated\n'
    )
    items = list(read_file(file))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("InputRow", 2),
        ("RowError", 3),
        ("InputRow", 4),
        ("RowError", 5),
    ]
    assert items[1].reason == "malformed CSV: ',' expected after '\"'"
    assert items[3].reason == "malformed CSV: unexpected end of data"
