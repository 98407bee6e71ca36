"""The batch report (`evaluator batch --report`) in headless Chromium, built from real transcripts and the real model.

What the page shows is checked against the results, errors and summary files of the same run: the
cards, the skipped turns with their nearest bank question, the `not asked` points, and that the
page fetches nothing. An empty run shows no mean coverage at all, not 0%.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import CHROMIUM, CHROMIUM_FLAGS
from playwright.sync_api import Page, expect, sync_playwright

from evaluator.batch import AskedParts, QuestionMatcher, read_records, run_batch, summarize, write_report
from evaluator.batch.output import ERROR_FIELDS

TRANSCRIPTS = Path(__file__).parents[1] / "data" / "transcripts"
FILES = [TRANSCRIPTS / n for n in ("zoom_captions.vtt", "meet_captions.srt", "labelled_followups.md")]


def build_report(evaluator, folder: Path, files: list[Path]) -> dict:
    out, errors, report = folder / "results.jsonl", folder / "results.errors.jsonl", folder / "report.html"
    matcher = QuestionMatcher(evaluator.bank, evaluator.embedder)
    run_batch(files, out, evaluator=evaluator, errors=errors, matcher=matcher,
              asked_parts=AskedParts(evaluator.bank, evaluator.embedder))  # fmt: skip
    summary = summarize(out, errors)
    write_report(out, report, errors=errors, summary=summary)
    return {
        "report": report,
        "results": list(read_records(out)),
        "errors": list(read_records(errors, ERROR_FIELDS)),
        "summary": summary,
    }


@pytest.fixture(scope="module")
def built(real_evaluator, tmp_path_factory: pytest.TempPathFactory) -> dict:
    return build_report(real_evaluator, tmp_path_factory.mktemp("report"), FILES)


@pytest.fixture
def browser_page(tmp_path: Path) -> Iterator[Page]:
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path / "profile", executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_FLAGS,
            viewport={"width": 1280, "height": 900},
        )  # fmt: skip
        page = context.pages[0] if context.pages else context.new_page()
        page.requests = []  # type: ignore[attr-defined]
        page.errors = []  # type: ignore[attr-defined]
        page.on("request", lambda request: page.requests.append(request.url))  # type: ignore[attr-defined]
        page.on("pageerror", lambda error: page.errors.append(str(error)))  # type: ignore[attr-defined]
        yield page
        context.close()


def card(page: Page, label: str) -> str:
    return page.locator(".card", has_text=label).locator("b").inner_text()


def test_the_report_shows_scores_skipped_turns_and_not_asked_points(built, browser_page: Page, output_dir):
    page = browser_page
    url = built["report"].as_uri()
    page.goto(url)
    overall = built["summary"]["overall"]
    assert card(page, "Mean coverage") == f"{overall['mean_score'] * 100:.0f}%"
    assert int(card(page, "Answers")) == len(built["results"]) == overall["answers"]
    skipped = [e for e in built["errors"] if e["kind"] == "skipped"]
    assert int(card(page, "Skipped turns")) == len(skipped) == overall["skipped"] > 0
    assert int(card(page, "Rejected rows")) == 0

    rows = page.locator("table.skipped tr")
    expect(rows).to_have_count(len(skipped))
    for error in skipped:
        row = rows.filter(has_text=f"{Path(error['file']).name}:{error['line']}")
        expect(row).to_contain_text(f"nearest bank question: {error['nearest_question_id']}")
        expect(row).to_contain_text(error["input_question"].split("\n")[0])
    expect(page.locator("#skipped")).to_be_visible()

    answers = page.locator("details.answer")
    expect(answers).to_have_count(len(built["results"]))
    for name in {r["candidate"] for r in built["results"]}:
        expect(page.locator("h3.group", has_text=name).first).to_be_visible()

    narrowed = next(r for r in built["results"] if r["not_asked"])  # "What is gradient descent?"
    number = built["results"].index(narrowed) + 1
    detail = page.locator(f"#answer-{number}")
    expect(detail.locator(".verdict.not_asked")).to_have_count(len(narrowed["not_asked"]))
    expect(detail.locator(".verdict.not_asked").first).to_have_text("not asked")
    expect(detail.locator("summary .score")).to_have_text(f"{narrowed['score'] * 100:.0f}%")
    detail.locator(".verdict.not_asked").first.scroll_into_view_if_needed()
    page.screenshot(path=str(output_dir / "batch-report.png"), full_page=True)

    assert page.errors == []  # type: ignore[attr-defined]
    assert page.requests == [url]  # type: ignore[attr-defined]  # nothing fetched beyond the file


def test_an_empty_run_shows_no_mean_rather_than_zero(real_evaluator, tmp_path: Path, browser_page: Page):
    talk = tmp_path / "small_talk.txt"
    talk.write_text("Ann Lee: Hi Bo, how was your weekend?\nBo Yang: Lovely, thanks, we went hiking.\n")
    built = build_report(real_evaluator, tmp_path, [talk])
    assert built["summary"]["overall"]["mean_score"] is None
    browser_page.goto(built["report"].as_uri())
    assert card(browser_page, "Mean coverage") == "–"
    assert card(browser_page, "Skipped turns") == "1"
    expect(browser_page.locator("body")).to_contain_text("No answer was scored.")
    expect(browser_page.locator("table.skipped")).to_contain_text("how was your weekend?")
    assert json.dumps(built["summary"]).count('"mean_score": null') >= 1
