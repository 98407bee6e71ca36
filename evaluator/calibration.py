"""The constants that turn similarities into scores and verdicts: one place for each decision.

Similarities are cosines between a key point (its best phrasing) and the answer's best segment.
A point's score rises linearly from 0 at NO_CREDIT to 1 at FULL_CREDIT; its verdict is
`covered` from COVERED, `partial` from PARTIAL, else `missed`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Calibration:
    no_credit: float
    full_credit: float
    partial: float
    covered: float

    def __post_init__(self) -> None:
        if not (self.no_credit < self.full_credit and self.partial <= self.covered):
            raise ValueError(f"inconsistent calibration: {self}")


DEFAULT_CALIBRATION = Calibration(no_credit=0.30, full_credit=0.70, partial=0.45, covered=0.60)
