"""Imperative steps ('Freeze A, replace B, and train C'): a step that states no purpose of its own
carries the question's goal ('... to fine-tune a pre-trained model'): 'Replace B.' alone says too
little to check."""

from __future__ import annotations

import re

_PURPOSE = re.compile(r"\b(?:in\s+order\s+to|so\s+(?:that|as\s+to)|to\s+(?!(?:a|an|the|its|their|it|them)\b)\w+)", re.I)


def with_goal(step: str, goal: str | None) -> str:
    """The step with the question's goal added, unless it states a purpose or repeats the goal's verb."""
    if not goal or _PURPOSE.search(step) or step.split()[0].lower() in goal.lower().split():
        return step
    return f"{step.rstrip(' .;:')} {goal}"


def shared_purpose(steps: list[str]) -> str | None:
    """The purpose the last step of a sentence states ('..., or C to reduce X'), for the steps before it:
    'to reduce X', without its hedges ('without ...', 'while ...')."""
    if len(steps) < 2:
        return None
    match = _PURPOSE.search(steps[-1])
    if not match:
        return None
    purpose = steps[-1][match.start():]
    return re.split(r"\s+(?:without|while|whilst)\s+|,", purpose, maxsplit=1)[0].rstrip(" .")
