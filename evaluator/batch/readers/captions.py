"""WebVTT and SRT captions, as Zoom, Teams and Meet export them, read with webvtt-py and srt.

The speaker comes from a WebVTT voice tag (`<v Priya Sharma>`, Teams) or from a name before a
colon at the start of the cue text (`Priya Sharma: ...`, Zoom), or `- Name:`, `>> Name:` and
`[Name]`. A cue without a name continues the speaker before it. A cue's line number is the line
of its timing (`-->`) line. A file the parser rejects is one malformed row, with the parser's reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from evaluator.batch.readers.conversation import Turn
from evaluator.batch.readers.speakers import SPEAKER_NAME

_CUE_SPEAKER = re.compile(
    rf"^\s*(?:-|>>)?\s*(?:\[(?P<bracket>{SPEAKER_NAME}(?:\s*\([^)]{{1,30}}\))?)\]|"
    rf"(?P<name>{SPEAKER_NAME}(?:\s*\([^)]{{1,30}}\))?)\s*:)\s*(?P<text>.*)$",
    re.DOTALL,
)
_TAG = re.compile(r"</?[^>]+>")


class CaptionError(ValueError):
    """The caption parser rejected the file."""


def caption_turns(text: str, lines: list[str], kind: str) -> list[Turn]:
    cues = list(_vtt_cues(text) if kind == "vtt" else _srt_cues(text))
    timing_lines = [n for n, line in enumerate(lines, start=1) if "-->" in line]
    if timing_lines and not cues:
        raise CaptionError(
            f"not valid {'WebVTT' if kind == 'vtt' else 'SRT'}: no cue could be read (check the timing lines)"
        )
    turns: list[Turn] = []
    for index, (voice, body) in enumerate(cues):
        number = timing_lines[index] if index < len(timing_lines) else 1
        speaker, said = _speaker_of(voice, body)
        said = " ".join(said.split())
        if not said:
            continue
        if speaker is None and turns:
            turns[-1].lines.append(said)
        elif speaker is not None:
            turns.append(Turn(speaker, number, [said]))
    return turns


def _speaker_of(voice: str | None, body: str) -> tuple[str | None, str]:
    if voice:
        return voice.strip(), _TAG.sub("", body)
    body = _TAG.sub("", body)
    match = _CUE_SPEAKER.match(body)
    if match:
        return (match["bracket"] or match["name"]).strip(), match["text"]
    return None, body


def _vtt_cues(text: str) -> Iterator[tuple[str | None, str]]:
    import webvtt
    from webvtt.errors import MalformedFileError

    try:
        captions = webvtt.from_string(text)
    except MalformedFileError as exc:
        raise CaptionError(f"not valid WebVTT: {exc}") from None
    for caption in captions:
        yield caption.voice, caption.text


def _srt_cues(text: str) -> Iterator[tuple[str | None, str]]:
    import srt

    try:
        subtitles = list(srt.parse(text))
    except srt.SRTParseError as exc:
        raise CaptionError(f"not valid SRT: {exc}") from None
    for subtitle in subtitles:
        yield None, subtitle.content
