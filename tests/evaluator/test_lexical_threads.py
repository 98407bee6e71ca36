"""Stemming from many threads at once (the server scores in several) gives the single-thread stems."""

from __future__ import annotations

import random
import string
import sys
from concurrent.futures import ThreadPoolExecutor

import snowballstemmer

from evaluator.lexical import stem


def test_stems_are_right_when_threads_stem_at_the_same_time():
    rng = random.Random(3)
    suffixes = ["ing", "ed", "ness", "ational", "izer", "fully", "s", "ies", "ation"]
    words = [
        "".join(rng.choices(string.ascii_lowercase, k=rng.randint(3, 12))) + rng.choice(suffixes)
        for _ in range(40_000)
    ]
    words = list(dict.fromkeys(words))  # distinct, so the cache does not hide the stemmer
    reference = snowballstemmer.stemmer("english")
    expected = [reference.stemWord(w) for w in words]
    stem.cache_clear()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible, to expose shared state
    try:
        with ThreadPoolExecutor(8) as pool:
            chunks = [words[i::8] for i in range(8)]
            results = list(pool.map(lambda chunk: [stem(w) for w in chunk], chunks))
    finally:
        sys.setswitchinterval(interval)
        stem.cache_clear()
    got = {w: s for chunk, stems in zip(chunks, results) for w, s in zip(chunk, stems)}
    assert [got[w] for w in words] == expected
