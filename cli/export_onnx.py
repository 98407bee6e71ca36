"""`evaluator export-onnx`: export the bundled model to ONNX (fp32 and int8) into the cache, once."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export-onnx",
        help="export the model for the onnx backends (EVALUATOR_BACKEND=onnx|onnx-int8)",
        description="Export the bundled model to ONNX, and an int8-quantised copy, into the cache "
        "folder the onnx backends read (EVALUATOR_ONNX_DIR, default ~/.cache/interview-evaluator/onnx). "
        "The backends also do this on first use; this command does it ahead of time.",
    )
    parser.add_argument("--dir", metavar="DIR", type=Path, help="cache folder (default: EVALUATOR_ONNX_DIR)")
    parser.add_argument("--force", action="store_true", help="export again even if the files exist")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging

    from evaluator.embedding import bundled_model_path
    from evaluator.onnx_export import ensure_onnx_model, onnx_model_file

    logging.basicConfig(level=logging.WARNING, format="evaluator: %(message)s")
    model = bundled_model_path()
    if args.force:
        for quantized in (True, False):
            onnx_model_file(model, quantized, args.dir).unlink(missing_ok=True)
    for backend, quantized in (("onnx", False), ("onnx-int8", True)):
        print(f"{backend}: {ensure_onnx_model(model, quantized, args.dir)}")
    return 0
