"""Chat exports: one message per line (or a header line and the message below), with time and sender.

10:02:13 From Priya Sharma to Everyone: What is dropout?        (Zoom meeting chat)
10:02:13	 From  Priya Sharma : What is dropout?                 (older Zoom chat)
[02/05/2024, 10:02:13] Priya Sharma: What is dropout?            (WhatsApp)
02/05/2024, 10:02 - Priya Sharma: What is dropout?               (WhatsApp, Android)
[10:02 AM] Priya Sharma                                          (Teams; the message below)
2024-05-02 10:02 Priya Sharma: What is dropout?                  (Slack-style logs)
"""

from __future__ import annotations

import re

from evaluator.batch.readers.conversation import Turn
from evaluator.batch.readers.header import Header
from evaluator.batch.readers.speakers import ROLE_TAG, SPEAKER_NAME, STAMP_LINE, TIMESTAMP

_DATE = r"(?:\d{1,4}[./-]\d{1,2}[./-]\d{1,4})"
_WHEN = rf"(?:{_DATE},?[ \t]+)?{TIMESTAMP}"
_SENDER = rf"(?P<speaker>{SPEAKER_NAME}(?:[ \t]*{ROLE_TAG})?)"
_PATTERNS = (
    re.compile(rf"^[ \t]*{TIMESTAMP}[ \t]+From[ \t]+{_SENDER}[ \t]+to[ \t]+[^:]+?[ \t]*:[ \t]*(?P<text>.*)$"),
    re.compile(rf"^[ \t]*{TIMESTAMP}[ \t]+From[ \t]+{_SENDER}[ \t]*:[ \t]*(?P<text>.*)$"),
    re.compile(rf"^[ \t]*\[{_DATE},?[ \t]+{TIMESTAMP}\][ \t]*{_SENDER}[ \t]*:[ \t]*(?P<text>.*)$"),
    re.compile(rf"^[ \t]*{_DATE},?[ \t]+{TIMESTAMP}[ \t]+[-–][ \t]+{_SENDER}[ \t]*:[ \t]*(?P<text>.*)$"),
    re.compile(rf"^[ \t]*{_DATE}[ \t]+{TIMESTAMP}[ \t]+{_SENDER}[ \t]*:[ \t]*(?P<text>.*)$"),
    re.compile(rf"^[ \t]*\[{_WHEN}\][ \t]*{_SENDER}[ \t]*(?P<text>)$"),
)


def parse_chat_line(line: str) -> tuple[str, str] | None:
    """(sender, message) when the line starts a chat message."""
    for pattern in _PATTERNS:
        if match := pattern.match(line):
            return match["speaker"].strip(), match["text"].strip()
    return None


def chat_turns(lines: list[str], header: Header) -> list[Turn]:
    turns: list[Turn] = []
    for number, line in enumerate(lines, start=1):
        if number in header.used:
            continue
        found = parse_chat_line(line)
        if found is not None:
            speaker, text = found
            turns.append(Turn(speaker, number, [text] if text else []))
        elif turns and line.strip() and not STAMP_LINE.match(line):
            turns[-1].lines.append(line.strip())
    return turns


def count_chat_lines(lines: list[str]) -> int:
    return sum(1 for line in lines if parse_chat_line(line) is not None)
