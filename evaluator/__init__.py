"""Scores free-text answers to interview questions against rubrics of weighted key points."""

from evaluator.answer import MAX_ANSWER_CHARS, validate_answer
from evaluator.calibration import Calibration, default_calibration, load_calibration
from evaluator.embedding import CachingEmbedder, Embedder, SentenceTransformerEmbedder, make_embedder
from evaluator.errors import (
    AnswerTooLongError,
    EmptyAnswerError,
    EvaluatorError,
    InvalidAnswerError,
    ModelUnavailableError,
    NotTextError,
)
from evaluator.matcher import MatchDetails
from evaluator.requests import EvaluationRequest
from evaluator.results import EvaluationResult, Evidence, PointResult, Verdict
from evaluator.scoring import Evaluator
from evaluator.segment import Segment, segment_answer
from evaluator.version import __version__

__all__ = [
    "MAX_ANSWER_CHARS",
    "AnswerTooLongError",
    "CachingEmbedder",
    "Calibration",
    "Embedder",
    "EmptyAnswerError",
    "EvaluationRequest",
    "EvaluationResult",
    "Evaluator",
    "EvaluatorError",
    "Evidence",
    "InvalidAnswerError",
    "MatchDetails",
    "ModelUnavailableError",
    "NotTextError",
    "PointResult",
    "Segment",
    "SentenceTransformerEmbedder",
    "Verdict",
    "__version__",
    "default_calibration",
    "load_calibration",
    "make_embedder",
    "segment_answer",
    "validate_answer",
]
