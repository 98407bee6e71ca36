"""WordJudge: the word-level cues of evaluator.contradiction (negation, known opposites) as a judge."""

from __future__ import annotations

from collections.abc import Sequence

from evaluator.contradiction import find_contradiction
from evaluator.judge import Conflict


class WordJudge:
    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Conflict | None]:
        out: list[Conflict | None] = []
        for point, sentence in pairs:
            cue = find_contradiction(point, sentence)
            out.append(None if cue is None else Conflict(cue.kind, cue.detail))  # type: ignore[arg-type]
        return out
