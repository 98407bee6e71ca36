"""Evaluator: the library's front door. Checks the request, then has the matcher measure the answer,
the contradiction finder look for wrong statements, and grading turn both into a result."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

from evaluator.answer import MAX_ANSWER_CHARS, validate_answer
from evaluator.calibration import Calibration, ContradictionThresholds, default_calibration
from evaluator.embedding import CachingEmbedder, Embedder, make_embedder
from evaluator.errors import EvaluatorError
from evaluator.grading import grade
from evaluator.judge import Conflict, ContradictionJudge, make_judge, read_ahead, warm_up
from evaluator.judge.finder import ContradictionFinder, Reading
from evaluator.matcher import MatchDetails, Matcher, PreparedAnswer, prepare_answer
from evaluator.requests import EvaluationRequest, as_request
from evaluator.results import EvaluationResult
from evaluator.rubric_index import RubricIndex
from evaluator.segment import Segment
from rubric import Question, QuestionBank, RubricError, load_bank, parse_question


class Evaluator:
    """Scores answers against rubrics with a local sentence-transformer model.

    The model loads once, in the constructor; key-point vectors are computed once per rubric
    (`index`). Thread-safe: the API calls one Evaluator from many worker threads.
    """

    def __init__(
        self,
        embedder: Embedder | None = None,
        bank: QuestionBank | None = None,
        calibration: Calibration | None = None,
        max_answer_chars: int = MAX_ANSWER_CHARS,
        cache_size: int = 20_000,
        judge: ContradictionJudge | Sequence[Reading] | None = None,
    ) -> None:
        base = embedder if embedder is not None else make_embedder()
        embedder = CachingEmbedder(base, cache_size) if cache_size else base
        self.model_name = base.name
        self.bank = bank if bank is not None else load_bank()
        self.calibration = calibration or default_calibration()
        self.max_answer_chars = max_answer_chars
        self.index = RubricIndex(embedder)
        self.matcher = Matcher(self.index, cache_size)
        readings = judge if isinstance(judge, (list, tuple)) else [Reading(judge or make_judge())]
        self.finder = ContradictionFinder(self.index, readings, self.calibration.contradiction)

    @property
    def embedder(self) -> Embedder:
        """The model every text goes through (rubrics and answers alike)."""
        return self.index.embedder

    @embedder.setter
    def embedder(self, embedder: Embedder) -> None:
        self.index.use(embedder)

    def warm_up(self, should_stop: Callable[[], bool] = lambda: False) -> None:
        """Embed every bank question's key points now, so the first requests are fast;
        `should_stop` is asked between questions. The contradiction judges load their models and
        read the key points too."""
        for reading in self.finder.readings:
            warm_up(reading.judge)
        for question in self.bank.values():
            if should_stop():
                return
            self.index.vectors(question)
            phrasings = [t for point in question.key_points for t in point.phrasings]
            for reading in self.finder.readings:
                read_ahead(reading.judge, phrasings)

    def evaluate(
        self,
        answer: str | bytes,
        *,
        question_id: str | None = None,
        rubric: Question | Mapping[str, object] | None = None,
    ) -> EvaluationResult:
        """Score one answer against a bank question (by id) or an inline rubric."""
        return self._score([self._prepare(EvaluationRequest(answer, question_id, rubric))])[0]

    def evaluate_many(
        self, items: Iterable[EvaluationRequest | Mapping[str, object]], *, return_errors: bool = False
    ) -> list[EvaluationResult | EvaluatorError | RubricError]:
        """Score many answers (EvaluationRequests, or dicts of their fields) with batched forward
        passes, results in input order. An invalid item raises, or with `return_errors=True` takes
        its error's place in the list."""
        slots: list[PreparedAnswer | EvaluatorError | RubricError] = []
        for item in items:
            try:
                slots.append(self._prepare(as_request(item)))
            except (EvaluatorError, RubricError) as exc:
                if not return_errors:
                    raise
                slots.append(exc)
        valid = [s for s in slots if isinstance(s, PreparedAnswer)]
        scored = iter(self._score(valid))
        return [next(scored) if isinstance(s, PreparedAnswer) else s for s in slots]

    def match_details(self, items: Iterable[EvaluationRequest | Mapping[str, object]]) -> list[MatchDetails]:
        """The features behind the scores of valid items (for calibration and diagnostics)."""
        return self.matcher.match([self._prepare(as_request(item)) for item in items])

    def contradiction_in(
        self, point: int, details: MatchDetails, thresholds: ContradictionThresholds | None = None
    ) -> tuple[Conflict, Segment] | None:
        """What contradicts key point `point` of `details`, and where (calibrated thresholds unless given)."""
        return self.finder.find(point, details, thresholds)

    def resolve(
        self, question_id: str | None = None, rubric: Question | Mapping[str, object] | None = None
    ) -> Question:
        """The question to score against: the inline rubric if given, else the bank's question."""
        if rubric is not None:
            return rubric if isinstance(rubric, Question) else parse_question(dict(rubric))
        if question_id is None:
            raise TypeError("give a question_id or a rubric")
        return self.bank.get(question_id)

    def _prepare(self, item: EvaluationRequest) -> PreparedAnswer:
        question = self.resolve(item.question_id, item.rubric)
        return prepare_answer(question, validate_answer(item.answer, self.max_answer_chars))

    def _score(self, prepared: list[PreparedAnswer]) -> list[EvaluationResult]:
        details = self.matcher.match(prepared)
        self.finder.read_ahead(details)
        return [grade(d, self.calibration, self.finder, self.model_name) for d in details]
