"""What a transcript says about itself before the talk starts: YAML front matter and participant lines.

Front matter (between `---` lines at the very top) may set `candidate`, `interviewer` and `session`.
Participant lines near the top name who is who, in any of these forms::

    Interviewer: Priya Sharma          Candidate - Ravi Kumar        **Candidate:** Ravi Kumar
    Priya Sharma is the interviewer    Participants: Priya Sharma (interviewer), Ravi Kumar (candidate)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

MAX_FRONT_MATTER_LINES = 50
HEADER_LINES = 15  # participant lines are looked for among the first non-blank lines only

INTERVIEWER_WORDS = frozenset({"interviewer", "interviewers", "host", "recruiter", "panel", "panelist", "q"})
CANDIDATE_WORDS = frozenset({"candidate", "interviewee", "applicant", "a"})
_NOT_NAMES = frozenset(
    [
        "yes",
        "no",
        "yeah",
        "sure",
        "ok",
        "okay",
        "hi",
        "hello",
        "hey",
        "thanks",
        "thank",
        "great",
        "right",
        "fine",
        "none",
        "n/a",
        "tbd",
    ]
)
_NAME = r"[^\W\d_][\w'’.\-]*(?:[ \t]+[^\W\d_][\w'’.\-]*){0,3}"
_ROLE_FIRST = re.compile(
    rf"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?(?P<role>interviewer|interviewee|candidate|applicant|host|recruiter)"
    rf"(?:[ \t]*(?:\*\*|__))?[ \t]*[:\-–—][ \t]*(?:\*\*|__)?[ \t]*(?P<name>{_NAME})[ \t]*(?:\*\*|__)?[ \t]*$",
    re.IGNORECASE,
)
_NAME_FIRST = re.compile(
    rf"^[ \t]*(?P<name>{_NAME})[ \t]+(?:is|was|will be|as)[ \t]+(?:the|our)?[ \t]*"
    r"(?P<role>interviewer|interviewee|candidate|applicant)\b",
    re.IGNORECASE,
)
_TAGGED = re.compile(rf"(?P<name>{_NAME})[ \t]*\((?P<role>[^)]{{1,30}})\)")


def role_of_word(word: str) -> str | None:
    """'interviewer' or 'candidate' for a role word or tag ("Interviewer", "host", "candidate")."""
    word = word.strip().lower().rstrip(":")
    if word in INTERVIEWER_WORDS or word.startswith(("interviewer", "hiring manager")):
        return "interviewer"
    if word in CANDIDATE_WORDS or word.startswith(("candidate", "interviewee")):
        return "candidate"
    return None


@dataclass
class Header:
    """Names by role, the session, the line numbers the header used up, and a front-matter problem."""

    names: dict[str, str] = field(default_factory=dict)  # role -> display name
    session: str | None = None
    used: set[int] = field(default_factory=set)
    problem: str | None = None

    def role_of(self, speaker: str) -> str | None:
        wanted = _key(speaker)
        return next((role for role, name in self.names.items() if _key(name) == wanted), None)


def read_header(lines: list[str], *, participant_lines: bool = True) -> Header:
    """The header of a transcript given as its lines (line i is lines[i - 1])."""
    header = Header()
    start = _front_matter(lines, header)
    if not participant_lines:
        return header
    seen = 0
    for index in range(start, len(lines)):
        text = lines[index]
        if not text.strip():
            continue
        seen += 1
        if seen > HEADER_LINES or "?" in text:
            break
        if _participants(text, header):
            header.used.add(index + 1)
    return header


def looks_like_name(text: str) -> bool:
    text = text.strip().strip("*_").strip()
    return bool(re.fullmatch(_NAME, text)) and text.split()[0].lower().strip(".,!") not in _NOT_NAMES


def _participants(text: str, header: Header) -> bool:
    found = False
    if (
        (match := _ROLE_FIRST.match(text))
        and looks_like_name(match["name"])
        or (match := _NAME_FIRST.match(text))
    ):
        header.names.setdefault(role_of_word(match["role"]) or "", match["name"].strip())
        found = True
    elif re.match(r"^[ \t]*(?:\*\*)?(participants|attendees|speakers)\b", text, re.IGNORECASE):
        for tagged in _TAGGED.finditer(text.split(":", 1)[-1]):
            role = role_of_word(tagged["role"])
            if role:
                header.names.setdefault(role, tagged["name"].strip())
                found = True
    header.names.pop("", None)
    return found


def _front_matter(lines: list[str], header: Header) -> int:
    """Read front matter into `header`; the index of the first line after it (0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for end in range(1, min(len(lines), MAX_FRONT_MATTER_LINES + 1)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return 0
    body = lines[1:end]
    if any(
        re.match(r"^\s*(\*\*)?(interviewer|q|question)\b[^:]*:\s*\S.*\?", line, re.IGNORECASE)
        for line in body
    ):
        return 0  # a thematic break before the first turns, not front matter
    header.used.update(range(1, end + 2))
    try:
        data = yaml.safe_load("\n".join(body))
    except yaml.YAMLError as exc:
        header.problem = f"front matter is not valid YAML: {str(exc).splitlines()[0]}"
        return end + 1
    if data is None:
        return end + 1
    if not isinstance(data, dict):
        header.problem = "front matter must be a YAML mapping (candidate: ..., session: ...)"
        return end + 1
    for key in ("candidate", "interviewer"):
        if data.get(key) is not None:
            header.names[key] = str(data[key])
    if data.get("session") is not None:
        header.session = str(data["session"])
    return end + 1


def _key(name: str) -> str:
    return " ".join(name.casefold().split())
