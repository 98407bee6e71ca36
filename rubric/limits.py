"""The size limits of a question, its answer intent and its reference answer: defined once, used by
the schema (rubric.models), the builder (rubric.build) and the API request body."""

from __future__ import annotations

MAX_QUESTION_CHARS = 5000
MAX_INTENT_CHARS = 5000
MAX_REFERENCE_CHARS = 20000
