"""Speaker turns -> exchanges: who is who, merged turns, follow-ups, and one row per answered question.

Who is who, in order of precedence: a role tag on the speaker ("Priya Sharma (Interviewer)") or a
role word as the name ("Interviewer"); the header or front matter ("Priya Sharma is the
interviewer"); otherwise the speaker who asks the most questions is the interviewer and the one
who says the most of the rest is the candidate. Consecutive turns of one speaker merge. A short
interviewer follow-up ("Can you say more?") or acknowledgement ("Okay.") between two candidate
turns keeps the answer with the question before it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from evaluator.batch.readers.header import Header, role_of_word
from evaluator.batch.readers.rows import SKIPPED, InputRow, Item, RowError

FOLLOW_UP_WORDS = 14  # a follow-up is short ...
ACKNOWLEDGEMENT_WORDS = 6  # ... and an acknowledgement shorter still, with no question mark
_FOLLOW_UP = re.compile(
    r"\b(say|tell me|talk) (a (little|bit) )?more\b|\belaborat|\bexpand\b|\bgo on\b|\bkeep going\b"
    r"|\b(an?|one|concrete|specific) example\b|\bwhat else\b|\banything else\b|\bwhy is that\b|\bhow so\b"
    r"|\bwhat do you mean\b|\bgo deeper\b|\bin more detail\b|\bcan you clarify\b|\bfor instance\b"
    r"|^(and )?(why|how|such as|like what|meaning)\W*$",
    re.IGNORECASE,
)


@dataclass
class Turn:
    """What one speaker said without interruption, from line `line` on."""

    speaker: str
    line: int
    lines: list[str] = field(default_factory=list)
    role: str | None = None  # "interviewer", "candidate", or None (someone else)
    raw: str | None = None  # the line as written, when its speaker may be prose ("Key Idea: ...")

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip()


def split_role_tag(speaker: str) -> tuple[str, str | None]:
    """("Priya Sharma", "interviewer") from "Priya Sharma (Interviewer)" or "Interviewer (Priya Sharma)";
    the role from a role word ("Interviewer")."""
    match = re.fullmatch(r"(.*?)\s*[(\[]([^)\]]{1,30})[)\]]\s*", speaker)
    if match and role_of_word(match[2]):
        return match[1].strip(), role_of_word(match[2])
    if match and role_of_word(match[1]):
        return match[2].strip(), role_of_word(match[1])
    return speaker.strip(), role_of_word(speaker)


def assign_roles(turns: Sequence[Turn], header: Header) -> str | None:
    """Set every turn's role in place; the candidate's name (None when only a role word names them)."""
    roles: dict[str, str] = {}
    for turn in turns:
        name, role = split_role_tag(turn.speaker)
        turn.speaker = name
        role = role or header.role_of(name)
        if role:
            roles.setdefault(name, role)
    speakers = list(dict.fromkeys(t.speaker for t in turns))
    unknown = [s for s in speakers if s not in roles]
    if unknown:
        asked = Counter(t.speaker for t in turns if "?" in t.text)
        said = Counter()
        for t in turns:
            said[t.speaker] += len(t.text.split())
        if "interviewer" not in roles.values():
            asker = max(unknown, key=lambda s: (asked[s] / max(1, _turn_count(turns, s)), asked[s]))
            if asked[asker]:
                roles[asker] = "interviewer"
                unknown.remove(asker)
        if unknown and "candidate" not in roles.values():
            stray = {t.speaker for t in turns if t.raw is not None}  # heard once, maybe only prose
            talker = max(unknown, key=lambda s: (s not in stray, said[s]))
            roles[talker] = "candidate"
            unknown.remove(talker)
        for speaker in unknown:  # a second interviewer on a panel asks; anyone else is left out
            if asked[speaker] and asked[speaker] * 2 >= _turn_count(turns, speaker):
                roles[speaker] = "interviewer"
    for turn in turns:
        turn.role = roles.get(turn.speaker)
    candidates = [s for s in speakers if roles.get(s) == "candidate" and not role_of_word(s)]
    return header.names.get("candidate") or (candidates[0] if candidates else None)


def _turn_count(turns: Sequence[Turn], speaker: str) -> int:
    return sum(1 for t in turns if t.speaker == speaker)


def fold_strays(turns: Sequence[Turn]) -> list[Turn]:
    """A turn of nobody in particular, heard once and only looking like a name, goes back into the
    turn before it as the text it was ("Key Idea: ..." in the middle of an answer)."""
    kept: list[Turn] = []
    for turn in turns:
        if turn.role is None and turn.raw is not None and kept:
            kept[-1].lines.extend([turn.raw, *turn.lines[1:]])
        else:
            kept.append(turn)
    return kept


def merge_turns(turns: Sequence[Turn]) -> list[Turn]:
    """Consecutive turns of one speaker become one turn (captions split speech into many cues)."""
    merged: list[Turn] = []
    for turn in turns:
        if not turn.text:
            continue
        if merged and merged[-1].speaker == turn.speaker:
            merged[-1].lines.extend(turn.lines)
        else:
            merged.append(Turn(turn.speaker, turn.line, list(turn.lines), turn.role))
    return merged


def is_follow_up(text: str) -> bool:
    """A short prompt to go on with the same answer, not a new question."""
    words = len(text.split())
    if words <= ACKNOWLEDGEMENT_WORDS and "?" not in text:
        return True
    return words <= FOLLOW_UP_WORDS and bool(_FOLLOW_UP.search(text.strip()))


def exchanges(name: str, turns: Sequence[Turn], candidate: str | None, session: str | None) -> Iterator[Item]:
    """One InputRow per answered question; `skipped` rows for what cannot be paired."""
    meta = {"candidate": candidate, "session": session}
    question: Turn | None = None
    answer: Turn | None = None

    def flush() -> Iterator[Item]:
        if question is None:
            return
        if answer is None:
            if "?" in question.text:  # an unanswered remark ("Thanks, that's all") is no question
                yield RowError(name, question.line, "a question with no answer after it", SKIPPED,
                               question=question.text, **meta)  # fmt: skip
        elif not question.text:
            yield RowError(name, question.line, "an empty question turn", **meta)
        else:
            yield InputRow(name, answer.line, answer.text, question=question.text,
                           question_line=question.line, **meta)  # fmt: skip

    for turn in turns:
        if turn.role == "interviewer":
            if answer is not None and is_follow_up(turn.text):
                continue  # the candidate's next turn goes on with the same answer
            yield from flush()
            question, answer = turn, None
        elif turn.role == "candidate":
            if question is None:
                yield RowError(name, turn.line, "an answer turn with no question before it", SKIPPED, **meta)
            elif answer is None:
                answer = Turn(turn.speaker, turn.line, list(turn.lines), turn.role)
            else:  # the candidate goes on: one answer
                answer.lines.extend(["", *turn.lines])
    yield from flush()
