"""The fitted constants that turn match features into credit and verdicts: one place for them.

For each key point the evaluator measures FEATURE_NAMES (see matching.point_features); a logistic
model on them and their pairwise products (`interactions`), fitted by scripts/calibrate.py on
labelled answers, turns them into the probability that the answer covers the point. Credit rises
linearly from 0 at `no_credit` to 1 at `full_credit`; the verdict is `covered` from `covered`,
`partial` above `partial` (fitted equal to `no_credit`: a partial point earns some credit, not
all), else `missed`. A point whose best-matching sentence has similarity >=
`contradiction_similarity`, is matched no better by any other point, and asserts the point's
opposite is `contradicted` and earns nothing; so is a
point one of whose misconceptions an answer's sentence matches at least `misconception_similarity`,
and `misconception_margin` better than the point (matching.misconception_segment; None switches
that off), or that makes the word edit that turns right text into a misconception at least
`edit_closeness` similar to that text, at least `edit_similarity` close to the misconception and
`edit_margin` better than the point's best match in the answer (matching.edited_misconception_segment;
None switches that off). The values live in calibration.json beside this module.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

FEATURE_NAMES = ("similarity", "demoted_similarity", "lexical_overlap", "function_words")
CALIBRATION_FILE = Path(__file__).resolve().parent / "calibration.json"


@dataclass(frozen=True, slots=True)
class ContradictionThresholds:
    """When a point counts as contradicted (see the module docstring); math.inf as a similarity, or
    None for the misconception checks, switches that check off."""

    similarity: float
    misconception_similarity: float | None = None
    misconception_margin: float = 0.0
    edit_similarity: float | None = None
    edit_margin: float = 0.0
    edit_closeness: float = 0.0


@dataclass(frozen=True, slots=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float
    no_credit: float
    full_credit: float
    partial: float
    covered: float
    contradiction_similarity: float
    misconception_similarity: float | None = None
    misconception_margin: float = 0.0
    edit_similarity: float | None = None
    edit_margin: float = 0.0
    edit_closeness: float = 0.0
    # interactions[i][j] (i <= j): the weight of features[i] * features[j]; () for a linear model
    interactions: tuple[tuple[float, ...], ...] = ()

    def __post_init__(self) -> None:
        n = len(FEATURE_NAMES)
        if len(self.weights) != n:
            raise ValueError(f"calibration needs {n} weights, got {len(self.weights)}")
        square = len(self.interactions) == n and all(len(row) == n for row in self.interactions)
        if self.interactions and not square:
            raise ValueError(f"calibration interactions must be {n} x {n}")
        if not (0 <= self.no_credit < self.full_credit <= 1 and self.partial <= self.covered <= 1):
            raise ValueError(f"inconsistent calibration thresholds: {self}")

    @property
    def contradiction(self) -> ContradictionThresholds:
        return ContradictionThresholds(
            self.contradiction_similarity,
            self.misconception_similarity,
            self.misconception_margin,
            self.edit_similarity,
            self.edit_margin,
            self.edit_closeness,
        )

    def to_json(self, **metadata: object) -> str:
        return json.dumps({**asdict(self), "features": FEATURE_NAMES, "metadata": metadata}, indent=2)


def load_calibration(path: str | Path = CALIBRATION_FILE) -> Calibration:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if tuple(data.get("features", ())) != FEATURE_NAMES:
        raise ValueError(f"{path}: fitted for features {data.get('features')}, not {FEATURE_NAMES}")
    fields = Calibration.__dataclass_fields__
    shaped = {"weights": tuple, "interactions": lambda rows: tuple(tuple(row) for row in rows)}
    return Calibration(**{k: shaped.get(k, lambda v: v)(v) for k, v in data.items() if k in fields})


@lru_cache(maxsize=1)
def default_calibration() -> Calibration:
    return load_calibration()
