"""The REST API over the evaluator: `create_app()` builds it, `evaluator serve` runs it."""

from api.app import create_app
from api.config import Settings, get_settings
from api.errors import ERROR_TABLE, ApiError

__all__ = ["ERROR_TABLE", "ApiError", "Settings", "create_app", "get_settings"]
