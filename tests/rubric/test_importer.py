"""Importing question documents in the interview-prep layout as bank files."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from cli import main
from rubric import InvalidRubricError, RubricError, load_bank
from rubric.importer import import_document, parse_document, question_ids

DATA = Path(__file__).resolve().parents[1] / "data"
DOCUMENT = DATA / "interview_doc.md"
ROOT = Path(__file__).resolve().parents[2]
SEED_ARTICLES = sorted((ROOT.parent / "shared" / "seed").glob("*.txt"))


def line_of(text: str, path: Path = DOCUMENT) -> int:
    """The 1-based number of the line of `path` that contains `text` (exactly one must)."""
    found = [i + 1 for i, line in enumerate(path.read_text().splitlines()) if text in line]
    assert len(found) == 1, (text, found)
    return found[0]


def test_questions_levels_intents_and_answers_are_found() -> None:
    parsed = parse_document(DOCUMENT.read_text())
    assert question_ids(parsed.questions) == [
        "fresher-01", "fresher-02", "fresher-03", "intermediate-01", "intermediate-02", "advanced-01",
    ]
    first, epoch, rate = parsed.questions[:3]
    assert first.text == "What is dropout?"
    assert first.line == line_of("1. What is dropout?")
    assert first.intent == "Explain that dropout randomly switches off neurons during training to reduce overfitting."
    # an answer that runs on to the next line is joined
    assert first.answer == (
        "Dropout randomly disables a fraction of neurons at each training step. It prevents "
        "co-adaptation and improves generalization on unseen data."
    )
    assert (epoch.intent, epoch.answer) == (None, "An epoch is one complete pass over the training dataset.")
    assert rate.text == "What does a learning rate control?"  # "3)" numbering, "Intent:", "Answer -"
    assert rate.intent == "Describe how the learning rate sets the size of each weight update."
    assert rate.answer.startswith("A learning rate that is too large diverges")


def test_lines_that_belong_to_no_question_are_listed_with_their_numbers() -> None:
    parsed = parse_document(DOCUMENT.read_text())
    assert [(u.line, u.reason) for u in parsed.unplaced] == [
        (line_of("See also: our guide"), "not part of any question's intent or answer"),
        (line_of("Answer: an answer with no question"), "'Answer:' line with no question before it"),
        (line_of("A second answer for the same question"), "a second 'Answer:' for question 1"),
        (line_of("2. What is the difference between L1 and L2"),
         "numbered line with no 'Answer Intent:' or 'Answer:' after it"),
    ]
    # the first answer is kept, not replaced by the second
    batch_norm = parsed.questions[3]
    assert batch_norm.answer == "Batch normalization standardizes layer inputs, allowing higher learning rates."


def test_faq_tips_and_introductions_are_ignored() -> None:
    parsed = parse_document(DOCUMENT.read_text())
    texts = [q.text for q in parsed.questions]
    assert "How long should I prepare?" not in texts
    assert not any("Practise" in u.text or "two to four weeks" in u.text for u in parsed.unplaced)
    assert not any("warm-up" in u.text or "prep sheet" in u.text for u in parsed.unplaced)


def test_import_writes_one_loadable_bank_file_per_question(tmp_path, hashing_embedder) -> None:
    result = import_document(DOCUMENT, tmp_path, embedder=hashing_embedder)
    assert [p.name for p in result.paths] == [
        "fresher-01.yaml", "fresher-02.yaml", "fresher-03.yaml",
        "intermediate-01.yaml", "intermediate-02.yaml", "advanced-01.yaml",
    ]
    bank = load_bank(tmp_path)
    assert len(bank) == 6
    dropout = bank["fresher-01"]
    assert dropout.level == "fresher"
    assert dropout.text == "What is dropout?"
    assert dropout.reference_answer.startswith("Dropout randomly disables")
    assert "Dropout randomly switches off neurons during training to reduce overfitting." in [
        p.text for p in dropout.key_points
    ]
    assert [u.line for u in result.unplaced] == [u.line for u in parse_document(DOCUMENT.read_text()).unplaced]


def test_import_never_overwrites_unless_asked(tmp_path, hashing_embedder) -> None:
    (tmp_path / "fresher-02.yaml").write_text("keep me")
    with pytest.raises(RubricError, match=r"1 files already exist \(fresher-02.yaml\)"):
        import_document(DOCUMENT, tmp_path, embedder=hashing_embedder)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresher-02.yaml"]  # nothing written
    assert (tmp_path / "fresher-02.yaml").read_text() == "keep me"
    import_document(DOCUMENT, tmp_path, embedder=hashing_embedder, overwrite=True)
    assert load_bank(tmp_path)["fresher-02"].text == "What is an epoch?"


def test_import_with_a_prefix(tmp_path, hashing_embedder) -> None:
    result = import_document(DOCUMENT, tmp_path, prefix="acme", embedder=hashing_embedder)
    assert result.questions[0].id == "acme-fresher-01"
    with pytest.raises(InvalidRubricError, match="prefix 'Acme Corp'"):
        import_document(DOCUMENT, tmp_path, prefix="Acme Corp", embedder=hashing_embedder)


def test_a_document_without_questions_is_refused(tmp_path, hashing_embedder) -> None:
    document = tmp_path / "notes.md"
    document.write_text("# Notes\n\n1. Buy milk\n2. Call Bob\n")
    with pytest.raises(InvalidRubricError, match="no questions found"):
        import_document(document, tmp_path / "out", embedder=hashing_embedder)
    assert not (tmp_path / "out").exists()


def test_a_question_that_yields_no_key_points_is_reported_and_the_rest_written(tmp_path, hashing_embedder) -> None:
    document = tmp_path / "doc.md"
    document.write_text("## Basic questions\n\n1. What is dropout?\nAnswer: Dropout disables neurons at random.\n\n"
                        "2. What is an epoch?\nAnswer: Yes.\n")
    result = import_document(document, tmp_path / "out", embedder=hashing_embedder)
    assert [q.id for q in result.questions] == ["fresher-01"]
    assert [(f.line, f.text) for f in result.failed] == [(6, "What is an epoch?")]
    assert "no checkable statement" in result.failed[0].reason


def test_cli_import_dry_run_lists_questions_and_unplaced_lines(capsys) -> None:
    assert main(["rubric", "import", str(DOCUMENT), "--dry-run"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0].split()[:4] == ["fresher-01", "line", str(line_of("1. What is dropout?")), "intent+answer"]
    assert len(out.splitlines()) == 6
    assert f"line {line_of('See also: our guide')}: not part of any question" in err


def test_cli_import_writes_files(real_evaluator, monkeypatch, capsys, tmp_path) -> None:
    monkeypatch.setattr("evaluator.embedding.default_embedder", lambda: real_evaluator.embedder)
    assert main(["rubric", "import", str(DOCUMENT), "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 6
    assert f"imported 6 questions into {tmp_path}" in err
    assert len(load_bank(tmp_path)) == 6
    # a second run refuses to overwrite, with one line and status 2
    assert main(["rubric", "import", str(DOCUMENT), "--out", str(tmp_path)]) == 2
    assert "already exist" in capsys.readouterr().err


def test_cli_import_of_a_missing_file(capsys, tmp_path) -> None:
    assert main(["rubric", "import", str(tmp_path / "nope.md")]) == 2
    assert capsys.readouterr().err.strip() == f"evaluator: error: no such file: {tmp_path / 'nope.md'}"


@pytest.mark.skipif(not SEED_ARTICLES, reason="the seed article is not in ../shared/seed")
def test_the_seed_article_gives_45_questions_and_skips_its_faq() -> None:
    article = SEED_ARTICLES[0]
    parsed = parse_document(article.read_text(encoding="utf-8"))
    assert len(parsed.questions) == 45
    assert Counter(q.level for q in parsed.questions) == {"fresher": 15, "intermediate": 15, "advanced": 15}
    assert all(q.intent and q.answer for q in parsed.questions)
    texts = [q.text for q in parsed.questions]
    assert texts[0] == "What is Deep Learning, and how is it different from Machine Learning?"
    assert texts[-1] == "How do attention and convolution complement each other in vision transformers?"
    # the FAQ repeats some topics as numbered questions with plain answers: none is imported
    assert "What are the essential skills required for deep learning interviews?" not in texts
    assert not any("Frequently Asked" in u.text or "essential skills" in u.text for u in parsed.unplaced)
    assert any(u.text.startswith("Also Read:") for u in parsed.unplaced)


@pytest.mark.skipif(not SEED_ARTICLES, reason="the seed article is not in ../shared/seed")
def test_the_seed_article_imports_into_a_loadable_bank(real_evaluator, tmp_path) -> None:
    result = import_document(SEED_ARTICLES[0], tmp_path, embedder=real_evaluator.embedder)
    assert result.failed == ()
    bank = load_bank(tmp_path)
    assert len(bank) == 45
    assert bank["advanced-07"].text == "Explain adversarial attacks and defenses in deep learning."
    assert all(2 <= len(q.key_points) <= 8 for q in bank.values())
