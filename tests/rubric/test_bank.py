from __future__ import annotations

import re
from pathlib import Path

import pytest

from rubric import BankFileError, Question, UnknownQuestionError, load_bank
from rubric.bank import BUNDLED_BANK
from rubric.io import dump_question_yaml, load_question_file

TOPICS = {
    "fundamentals", "optimization", "regularization", "cnn", "sequence-models", "transformers",
    "generative", "training-practice", "deployment", "evaluation", "reinforcement-learning", "robustness",
}
SEED = Path(__file__).resolve().parents[3] / "shared" / "seed"


def test_bundled_bank_has_the_45_questions_in_three_levels():
    bank = load_bank()
    expected = [f"{level}-{n:02d}" for level in ("fresher", "intermediate", "advanced") for n in range(1, 16)]
    assert list(bank) == expected
    for qid, question in bank.items():
        assert question.level == qid.split("-")[0]


@pytest.mark.parametrize("path", sorted(BUNDLED_BANK.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bank_file_validates(path: Path):
    question = load_question_file(path)
    assert question.id == path.stem
    assert question.topic in TOPICS
    assert 3 <= len(question.key_points) <= 6
    assert question.reference_answer and len(question.reference_answer.split()) >= 40
    assert question.intent
    for point in question.key_points:
        assert 3 <= len(point.text.split()) <= 30


def test_bank_text_is_not_copied_from_the_article():
    article = next(SEED.glob("*.txt"), None) if SEED.is_dir() else None
    if article is None:
        pytest.skip("the seed article is not beside the project")
    words = re.findall(r"[a-z0-9]+", article.read_text(encoding="utf-8").lower())
    shingles = {tuple(words[i : i + 8]) for i in range(len(words) - 7)}
    for question in load_bank().values():
        texts = [question.reference_answer or "", question.intent or ""] + [p.text for p in question.key_points]
        for text in texts:
            own = re.findall(r"[a-z0-9]+", text.lower())
            copied = [own[i : i + 8] for i in range(len(own) - 7) if tuple(own[i : i + 8]) in shingles]
            assert not copied, f"{question.id} copies the article: {' '.join(copied[0])}"


def test_get_filter_and_topics():
    bank = load_bank()
    assert bank.get("advanced-03").level == "advanced"
    assert len(bank.filter(level="fresher")) == 15
    for topic in bank.topics:
        assert all(q.topic == topic for q in bank.filter(topic=topic))
    assert sum(len(bank.filter(topic=t)) for t in bank.topics) == 45
    with pytest.raises(UnknownQuestionError, match="nope-01"):
        bank.get("nope-01")


def test_a_users_own_folder_loads(tmp_path: Path):
    question = load_bank().get("fresher-05")
    (tmp_path / "mine.yaml").write_text(dump_question_yaml(question.model_copy(update={"id": "mine-1"})))
    bank = load_bank(tmp_path)
    assert list(bank) == ["mine-1"]
    assert bank.get("mine-1").key_points == question.key_points


def test_yaml_round_trip_is_lossless():
    for question in load_bank().values():
        import yaml

        assert Question.model_validate(yaml.safe_load(dump_question_yaml(question))) == question


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("id: x\n  bad: [indent", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("id: q1\ntext: What?\nkey_points: []\n", "key_points"),
        ("id: q1\ntext: What?\nkey_points:\n  - {id: a, text: Some claim here, weight: -1}\n", "key_points.0.weight"),
        ("id: q1\ntext: What?\nkey_points:\n  - {id: a, text: Some claim here, colour: red}\n", "key_points.0.colour"),
        ("id: Q 1\ntext: What?\nkey_points:\n  - {id: a, text: Some claim here}\n", "id:"),
        (
            "id: q1\ntext: What?\nkey_points:\n  - {id: a, text: One claim here}\n  - {id: a, text: Two claim here}\n",
            "duplicate key point id",
        ),
    ],
)
def test_broken_file_names_the_file_and_the_field(tmp_path: Path, content: str, expected: str):
    path = tmp_path / "broken.yaml"
    path.write_text(content)
    with pytest.raises(BankFileError) as info:
        load_bank(tmp_path)
    assert "broken.yaml" in str(info.value)
    assert expected in str(info.value)


def test_duplicate_question_ids_across_files(tmp_path: Path):
    text = "id: same\ntext: What?\nkey_points:\n  - {id: a, text: Some claim here}\n"
    (tmp_path / "a.yaml").write_text(text)
    (tmp_path / "b.yaml").write_text(text)
    with pytest.raises(BankFileError, match="already used by a.yaml"):
        load_bank(tmp_path)


def test_missing_or_empty_folder(tmp_path: Path):
    with pytest.raises(BankFileError, match="not a folder"):
        load_bank(tmp_path / "absent")
    with pytest.raises(BankFileError, match="no question files"):
        load_bank(tmp_path)


def test_binary_file_is_a_clear_error(tmp_path: Path):
    (tmp_path / "bin.yaml").write_bytes(b"\xff\xfe\x00\x01garbage")
    with pytest.raises(BankFileError, match="bin.yaml"):
        load_bank(tmp_path)
