"""The README cannot drift: its commands run here, on the real model, and must print what it shows.

How the README's fenced code blocks are treated, by language tag:
- ```console: a line starting with `$ ` is a command (a trailing backslash continues it), run with
  `bash -o pipefail` from the repository root; the lines after it, up to the next command or the
  end of the block, are its standard output, compared line by line, exactly. A command that talks
  to http://127.0.0.1:8000 runs against a real `evaluator serve` this test starts on a free port
  (skipped, saying why, only where `curl` or `jq` is not installed).
- ```python: run as a script from the repository root; a ```text block right after it (only blank
  lines between) is its standard output, compared line by line, exactly.
- ```text: only as the output of the python block just before it.
- ```sh: commands this test does not run; each must be listed in NOT_RUN, with the reason.
A block with another tag, or none, fails the test: a new kind of block needs a rule here first.

Besides: every relative link in README.md and docs/ points to a file that exists (and, with
`#anchor`, to one of its headings); the README stays a front door (at most 220 lines); and the
test command its code blocks show is the one CI runs (`.ci/run`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MAX_README_LINES = 220
DOCUMENTED_SERVER = "http://127.0.0.1:8000"
TIMEOUT = 600  # seconds; generous for a busy machine: only a hang should trip it

# ```sh lines this test does not run, and why.
NOT_RUN = {
    "make serve": "starts a server that runs until stopped; its install is the one `make test` does in CI, "
    "and `evaluator serve` itself is started by tests/api and by this file's API example",
    "make test": "is what CI runs (.ci/run); this test is part of it",
}

sys.path.insert(0, str(ROOT / "tests" / "api"))  # the API tests' real-server helper

from api_helpers import BANK, serve_subprocess


@dataclass(frozen=True)
class Block:
    lang: str
    lines: tuple[str, ...]
    start: int  # line number of the opening fence (1-based)
    end: int  # line number of the closing fence


@dataclass(frozen=True)
class Example:
    """A command or script of the README and the output the README shows for it."""

    kind: str  # "console" or "python"
    code: str
    expected: tuple[str, ...]
    line: int

    @property
    def id(self) -> str:
        return f"line {self.line}: {self.code.splitlines()[0][:60]}"


def fenced_blocks(text: str) -> list[Block]:
    blocks, opened, lang, body = [], 0, "", []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("```"):
            if opened:
                body.append(line)
            continue
        if opened:
            blocks.append(Block(lang, tuple(body), opened, number))
            opened, body = 0, []
        else:
            opened, lang = number, line[3:].strip()
    assert not opened, f"the code block opened at line {opened} is never closed"
    return blocks


def console_examples(block: Block) -> list[Example]:
    assert block.lines and block.lines[0].startswith("$ "), (
        f"line {block.start}: a console block starts with `$ `"
    )
    examples: list[Example] = []
    lines = list(block.lines)
    index = 0
    while index < len(lines):
        line_number = block.start + 1 + index
        command = [lines[index][2:]]
        while command[-1].endswith("\\"):
            index += 1
            command.append(lines[index])
        index += 1
        output = []
        while index < len(lines) and not lines[index].startswith("$ "):
            output.append(lines[index])
            index += 1
        examples.append(Example("console", "\n".join(command), tuple(output), line_number))
    return examples


def readme_examples(text: str) -> list[Example]:
    """Every command and script of the README with its shown output; fails on a block no rule covers."""
    examples: list[Example] = []
    blocks = fenced_blocks(text)
    lines = text.splitlines()
    for index, block in enumerate(blocks):
        before = blocks[index - 1] if index else None
        if block.lang == "console":
            examples += console_examples(block)
        elif block.lang == "python":
            after = blocks[index + 1] if index + 1 < len(blocks) else None
            output = after.lines if after and after.lang == "text" and _adjacent(lines, block, after) else ()
            examples.append(Example("python", "\n".join(block.lines), tuple(output), block.start))
        elif block.lang == "text":
            assert before and before.lang == "python" and _adjacent(lines, before, block), (
                f"line {block.start}: a text block must be the output of the python block just before it"
            )
        elif block.lang == "sh":
            for line in block.lines:
                assert line in NOT_RUN, (
                    f"line {block.start}: {line!r} is neither run by this test nor in NOT_RUN"
                )
        else:
            raise AssertionError(f"line {block.start}: no rule for a code block tagged {block.lang!r}")
    return examples


def _adjacent(lines: list[str], first: Block, second: Block) -> bool:
    return all(not line.strip() for line in lines[first.end : second.start - 1])


EXAMPLES = readme_examples(README.read_text(encoding="utf-8"))


def clean_env() -> dict[str, str]:
    """The documented defaults, whatever EVALUATOR_* settings the shell has."""
    return {k: v for k, v in os.environ.items() if not k.startswith("EVALUATOR_")}


def run(args: list[str]) -> list[str]:
    proc = subprocess.run(
        args, check=False, cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert proc.returncode == 0, f"exit status {proc.returncode}:\n{proc.stderr}"
    return proc.stdout.rstrip("\n").split("\n") if proc.stdout else []


def assert_same_lines(printed: list[str], shown: tuple[str, ...]) -> None:
    for number, (got, want) in enumerate(zip(printed, shown, strict=False), start=1):
        assert got == want, (
            f"output line {number} differs from the README:\n printed: {got!r}\n README:  {want!r}"
        )
    assert len(printed) == len(shown), f"printed {len(printed)} lines, the README shows {len(shown)}"


@pytest.fixture(scope="module")
def documented_server(tmp_path_factory: pytest.TempPathFactory):
    """A real `evaluator serve` with the bundled bank, for the README's commands aimed at port 8000."""
    every_question = tuple(sorted(path.stem for path in BANK.glob("*.yaml")))
    with serve_subprocess(tmp_path_factory.mktemp("readme-server"), every_question) as server:
        yield server


@pytest.mark.model
@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_readme_example_prints_what_the_readme_shows(
    example: Example, request: pytest.FixtureRequest
) -> None:
    if example.kind == "python":
        printed = run([sys.executable, "-c", example.code])
    else:
        command = example.code
        if DOCUMENTED_SERVER in command:
            for tool in ("curl", "jq"):
                if re.search(rf"(^|\|)\s*{tool}\b", command) and shutil.which(tool) is None:
                    pytest.skip(f"`{tool}` is not installed; the README's API example needs it")
            server = request.getfixturevalue("documented_server")
            command = command.replace(DOCUMENTED_SERVER, server.base)
        printed = run(["bash", "-o", "pipefail", "-c", command])
    assert_same_lines(printed, example.expected)


def test_readme_shows_the_quickstart_and_the_library_with_their_output():
    assert any(e.kind == "console" and e.code.startswith(".venv/bin/evaluator score ") for e in EXAMPLES)
    assert any(e.kind == "python" for e in EXAMPLES)
    assert all(e.expected for e in EXAMPLES), "every example shows its output"


def test_readme_is_a_front_door_whose_test_command_ci_runs():
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_README_LINES
    in_blocks = [line for block in fenced_blocks(text) for line in block.lines]
    test_commands = [
        line.removeprefix("$ ").strip()
        for line in in_blocks
        if re.search(r"(^|[ /])(make test|pytest|scripts/test|tox|nox)", line)
    ]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_commands, "the README shows no test command in a code block"
    assert all(command in ci for command in test_commands), (test_commands, ci)


def test_every_make_target_the_readme_names_is_in_the_makefile():
    named = set(re.findall(r"\bmake ([a-z][\w-]*)", README.read_text(encoding="utf-8")))
    defined = set(
        re.findall(r"^([a-z][\w-]*):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.MULTILINE)
    )
    assert {"serve", "test"} <= named
    assert named <= defined, f"not in the Makefile: {sorted(named - defined)}"


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def markdown_files() -> list[Path]:
    return [README, *sorted((ROOT / "docs").rglob("*.md"))]


def outside_fences(text: str) -> list[str]:
    kept, fenced = [], False
    for line in text.splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced:
            kept.append(line)
    return kept


def anchors(path: Path) -> set[str]:
    """GitHub's anchors for the headings of a markdown file (repeated headings aside)."""
    headings = [
        line.lstrip("#").strip()
        for line in outside_fences(path.read_text(encoding="utf-8"))
        if re.match(r"#{1,6} ", line)
    ]
    return {re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-") for heading in headings}


@pytest.mark.parametrize("path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_point_to_files_that_exist(path: Path) -> None:
    broken = []
    prose = "\n".join(
        re.sub(r"`[^`]*`", "", line) for line in outside_fences(path.read_text(encoding="utf-8"))
    )
    for target in LINK.findall(prose):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / file_part).resolve() if file_part else path
        if not linked.exists():
            broken.append(f"{target}: no such file")
        elif anchor and linked.suffix == ".md" and anchor not in anchors(linked):
            broken.append(f"{target}: no heading #{anchor}")
    assert not broken, f"{path.relative_to(ROOT)}: " + "; ".join(broken)
