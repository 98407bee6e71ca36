"""lint_bank: duplicate ids, bad points, same-meaning and misfiled points, odd weights."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from cli import main
from rubric import BankFileError
from rubric.lint import lint_bank


def point(pid: str, text: str, weight: float = 1.0) -> dict:
    return {"id": pid, "text": text, "weight": weight}


DROPOUT = {
    "id": "dropout",
    "text": "What is dropout, and how does it regularize a network?",
    "key_points": [
        point("switch-off", "Dropout randomly switches off neurons during training.", 3),
        point("overfitting", "Dropout reduces overfitting so the model generalizes better.", 3),
        point("inference", "Dropout is disabled at inference time.", 2),
    ],
}
GRU = {
    "id": "gru",
    "text": "How does a GRU differ from an LSTM?",
    "key_points": [
        point("update-gate", "A GRU merges the input and forget gates into a single update gate.", 3),
        point("fewer-params", "A GRU has fewer parameters than an LSTM, so it trains faster.", 2),
        point("lstm-gates", "An LSTM uses input, forget and output gates to control its memory.", 3),
    ],
}


def write_bank(folder: Path, questions: dict[str, dict | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in questions.items():
        (folder / name).write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return folder


def codes(issues, question_id: str | None = None) -> list[tuple[str, str | None]]:
    return [(i.code, i.point_id) for i in issues if question_id is None or i.question_id == question_id]


def test_a_clean_bank_has_no_issues(tmp_path, real_evaluator) -> None:
    bank = write_bank(tmp_path, {"dropout.yaml": DROPOUT, "gru.yaml": GRU})
    assert lint_bank(bank, embedder=real_evaluator.embedder) == []


def test_duplicate_ids_and_invalid_files_are_errors(tmp_path) -> None:
    broken = {**GRU, "id": "broken", "key_points": [point("a", ""), point("b", "x" * 301)]}
    bank = write_bank(tmp_path, {"a.yaml": DROPOUT, "b.yaml": DROPOUT, "c.yaml": broken, "d.yaml": "just: [text"})
    issues = lint_bank(bank, semantic=False)
    assert [(i.severity, i.code, Path(i.path).name) for i in issues] == [
        ("error", "duplicate-id", "b.yaml"),
        ("error", "invalid-file", "c.yaml"),
        ("error", "invalid-file", "d.yaml"),
    ]
    assert issues[0].message == "id 'dropout' is already used by a.yaml"
    assert "key_points.0.text" in issues[1].message and "key_points.1.text" in issues[1].message
    assert issues[2].message.startswith("not valid YAML")


def test_long_and_thin_points_are_warned_about(tmp_path) -> None:
    long_text = " ".join(["Dropout randomly switches off neurons during training and"] * 4) + " more."
    question = {**DROPOUT, "key_points": [point("long", long_text, 2), point("thin", "Dropout.", 2),
                                          point("fine", "Dropout is disabled at inference time.", 2)]}
    issues = lint_bank(write_bank(tmp_path, {"q.yaml": question}), semantic=False)
    assert codes(issues) == [("long-point", "long"), ("thin-point", "thin")]
    assert issues[0].severity == "warning"
    assert issues[0].message.startswith(f"{len(long_text.split())} words")


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ([0.4, 0.3, 0.2], [("weights", None)]),  # fractions summing to 0.9
        ([0.5, 0.3, 0.2], []),
        ([8, 1, 1], [("weights", "switch-off")]),  # 80% on one point
        ([10, 10, 0.5], [("weights", "inference")]),  # 2.4%: too light to matter
        ([3, 3, 2], []),
    ],
)
def test_weights_that_do_not_sum_sensibly(tmp_path, weights, expected) -> None:
    points = [{**p, "weight": w} for p, w in zip(DROPOUT["key_points"], weights)]
    issues = lint_bank(write_bank(tmp_path, {"q.yaml": {**DROPOUT, "key_points": points}}), semantic=False)
    assert codes(issues) == expected


def test_two_points_that_mean_the_same(tmp_path, real_evaluator) -> None:
    points = [*DROPOUT["key_points"], point("switch-off-again", "During training, dropout turns off randomly chosen neurons.", 1)]
    bank = write_bank(tmp_path, {"q.yaml": {**DROPOUT, "key_points": points}, "gru.yaml": GRU})
    issues = lint_bank(bank, embedder=real_evaluator.embedder)
    assert codes(issues) == [("same-meaning", "switch-off")]
    assert "'switch-off-again'" in issues[0].message


def test_a_point_filed_under_the_wrong_question(tmp_path, real_evaluator) -> None:
    misfiled = {**GRU, "key_points": [*GRU["key_points"], point("dropout", "Dropout randomly switches off neurons in training.", 1)]}
    bank = write_bank(tmp_path, {"dropout.yaml": DROPOUT, "gru.yaml": misfiled})
    issues = lint_bank(bank, embedder=real_evaluator.embedder)
    assert codes(issues) == [("closer-elsewhere", "dropout")]
    assert issues[0].question_id == "gru"
    assert issues[0].message.startswith("matches dropout/switch-off")


def test_a_misconception_that_is_really_a_point_of_its_question(tmp_path, real_evaluator) -> None:
    inference = {**point("inference", "Dropout is disabled at inference time.", 2), "misconceptions": [
        "Dropout keeps switching neurons off when the model makes predictions in production.",
        "Dropout reduces overfitting so that the model generalizes better.",  # true: point 'overfitting'
    ]}
    bank = write_bank(tmp_path, {"q.yaml": {**DROPOUT, "key_points": [*DROPOUT["key_points"][:2], inference]}})
    issues = lint_bank(bank, embedder=real_evaluator.embedder)
    assert codes(issues) == [("misconception", "inference")]
    assert "'overfitting'" in issues[0].message and "generalizes better" in issues[0].message


def test_the_bundled_bank_has_no_errors(real_evaluator) -> None:
    issues = lint_bank(embedder=real_evaluator.embedder)
    assert [i for i in issues if i.severity == "error"] == []


def test_a_path_that_is_not_a_bank(tmp_path) -> None:
    with pytest.raises(BankFileError, match="no question files"):
        lint_bank(tmp_path, semantic=False)


def test_cli_lint_exit_status_and_json(tmp_path, capsys) -> None:
    clean = write_bank(tmp_path / "clean", {"dropout.yaml": DROPOUT})
    assert main(["rubric", "lint", str(clean), "--no-model"]) == 0
    assert capsys.readouterr().err.strip() == "0 errors, 0 warnings"

    thin = {**DROPOUT, "key_points": [*DROPOUT["key_points"], point("thin", "Dropout.", 2)]}
    warned = write_bank(tmp_path / "warned", {"q.yaml": thin})
    assert main(["rubric", "lint", str(warned), "--no-model"]) == 0
    assert main(["rubric", "lint", str(warned), "--no-model", "--strict"]) == 1
    capsys.readouterr()

    broken = write_bank(tmp_path / "broken", {"a.yaml": DROPOUT, "b.yaml": DROPOUT})
    assert main(["rubric", "lint", str(broken), "--no-model", "--json"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(d["severity"], d["code"], d["question_id"]) for d in lines] == [("error", "duplicate-id", "dropout")]

    assert main(["rubric", "lint", str(tmp_path / "missing")]) == 2
    assert "not a folder of question files" in capsys.readouterr().err
