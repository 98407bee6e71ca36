"""Reading and writing question files (YAML or JSON), with errors that name the file and field."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from rubric.errors import BankFileError, InvalidRubricError
from rubric.models import Question

QUESTION_SUFFIXES = (".yaml", ".yml", ".json")
MAX_FILE_BYTES = 1_000_000


def describe_validation_error(error: ValidationError) -> str:
    """One line per bad field, e.g. `key_points.2.weight: Input should be greater than 0`."""
    lines = []
    for item in without_knock_on_errors(error.errors()):
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"{where}: {item['msg']}")
    return "; ".join(lines)


def without_knock_on_errors(errors: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Pydantic's errors less the "too short" of a list whose own items failed: a lone key point without
    an `id` is `key_points.0.id: Field required`, not also "key_points: Tuple should have at least 1
    item after validation, not 0"."""
    locs = [tuple(e.get("loc", ())) for e in errors]

    def knock_on(error: Mapping[str, Any]) -> bool:
        loc = tuple(error.get("loc", ()))
        return error.get("type") == "too_short" and any(
            len(other) > len(loc) and other[: len(loc)] == loc for other in locs
        )

    return [e for e in errors if not knock_on(e)]


def parse_question(data: Any) -> Question:
    """Validate a mapping as a Question, raising InvalidRubricError that names the bad fields."""
    if not isinstance(data, dict):
        raise InvalidRubricError(f"a question must be a mapping, got {type(data).__name__}")
    try:
        return Question.model_validate(data)
    except ValidationError as exc:
        raise InvalidRubricError(describe_validation_error(exc)) from None


def load_question_file(path: str | Path) -> Question:
    """Read one question file; any problem raises BankFileError naming the file."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise BankFileError(path, f"file is larger than {MAX_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8")
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except BankFileError:
        raise
    except (OSError, UnicodeDecodeError) as exc:
        raise BankFileError(path, f"cannot read: {exc}") from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        raise BankFileError(path, f"not valid {path.suffix.lstrip('.').upper()}: {exc}") from None
    try:
        return parse_question(data)
    except InvalidRubricError as exc:
        raise BankFileError(path, str(exc)) from None


def dump_question_yaml(question: Question) -> str:
    """The question as a bank file, fields in schema order, defaults left out."""
    data = question.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    data = {"id": question.id, **data}
    for point in data.get("key_points", []):
        point.setdefault("weight", 1.0)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def save_question(question: Question, folder: str | Path) -> Path:
    """Write the question as `<folder>/<id>.yaml` and return the path."""
    path = Path(folder) / f"{question.id}.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_question_yaml(question), encoding="utf-8")
    return path
