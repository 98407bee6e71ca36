"""Batch scoring of practice answers: files in, scored rows, a summary and a report out.

readers/ reads JSON Lines, CSV and interview transcripts in the layouts people have (one module
per layout, found from the content); question_match.py matches asked questions to the bank;
asked_parts.py finds the key points a narrower question did not ask for; runner.py streams rows in
chunks through Evaluator.evaluate_many; output.py writes crash-safe, resumable output;
summary.py and report.py build the per-candidate summary and the HTML report from the files.
"""

from evaluator.batch.asked_parts import AskedParts
from evaluator.batch.errors import BatchError, InputFileError, ResumeError
from evaluator.batch.output import (
    BatchOutput,
    default_errors_path,
    default_summary_path,
    read_records,
    state_path,
)
from evaluator.batch.question_match import (
    MATCH_MARGIN,
    MATCH_THRESHOLD,
    MatchRule,
    QuestionMatch,
    QuestionMatcher,
)
from evaluator.batch.readers import (
    FORMATS,
    SKIPPED,
    InputRow,
    RowError,
    check_input,
    count_items,
    read_file,
    read_inputs,
)
from evaluator.batch.report import write_report
from evaluator.batch.runner import DEFAULT_BATCH_SIZE, BatchStats, run_batch, score_chunk
from evaluator.batch.summary import SummaryBuilder, summarize

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FORMATS",
    "MATCH_MARGIN",
    "MATCH_THRESHOLD",
    "SKIPPED",
    "AskedParts",
    "BatchError",
    "BatchOutput",
    "BatchStats",
    "InputFileError",
    "InputRow",
    "MatchRule",
    "QuestionMatch",
    "QuestionMatcher",
    "ResumeError",
    "RowError",
    "SummaryBuilder",
    "check_input",
    "count_items",
    "default_errors_path",
    "default_summary_path",
    "read_file",
    "read_inputs",
    "read_records",
    "run_batch",
    "score_chunk",
    "state_path",
    "summarize",
    "write_report",
]
