"""Homophone typos in a question, corrected against the domain dictionary.

"售后服务认正" → "售后服务认证", "年今" → "年金", "五心级" → "五星级": users type pinyin and pick the
wrong character. A stretch of the question is replaced by a domain word (corpus/dict/userdict.txt
or synonyms.txt) only when all of these hold:

- it sounds like the word: every character shares a toneless pinyin syllable with the word's
  character at that place, with the usual confusions folded (zh/z, ch/c, sh/s, -ng/-n);
- it differs from the word in few characters (one, or two in words of six or more);
- it is neither a domain word nor text of the corpus (a real word of ours is never "corrected");
- read with jieba's word-frequency model (domain dictionary loaded) over the stretch and three
  characters each side, the original leaves a character of the stretch as a word of its own (a
  typo breaks a word into loose characters: 年今 → 年/今), and the corrected text is more probable:
  "认真准备", "评审之前", "交几份" and "今年今天" read as words and stay, "认正要" becomes 认证要.

Pinyin comes from pypinyin, whose import costs about 0.4 s, so the sound table (for each character
the syllables it can be read as, limited to the syllables domain words use) is built once and kept
in `$ASSISTANT_HOME/cache`; a query then costs a few dictionary look-ups per character.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import math
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .config import corpus_dir, home
from .textproc import word_lines

__all__ = ["Correction", "TypoCorrector", "default_corrector", "domain_words"]

log = logging.getLogger("assistant")

# Bump when the sound table's construction changes, so cached tables are rebuilt.
_TABLE_VERSION = 3  # 3: look-alike characters
_CJK = re.compile(r"^[\u4e00-\u9fff]+$")
_CJK_CHAR = re.compile(r"[\u4e00-\u9fff]")
_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"))
_FINALS = (("ing", "in"), ("eng", "en"), ("ang", "an"))
# Characters mistaken for each other by their shape rather than their sound (issue 8's near-form
# typos): each is also read with the others' syllables.
_LOOK_ALIKES = ("日曰", "已己巳", "未末", "士土", "人入", "天夭", "干千于", "午牛", "刀力", "王玉", "准淮", "证正")
_CONTEXT = 3  # characters each side of a stretch read by the word model
_MAX_WORD = 8  # longest word the segmenter considers (jieba's own words are shorter)
_MAX_DOMAIN_WORD = 12  # 商品售后服务评价体系认证


@dataclass(frozen=True)
class Correction:
    """One replaced stretch; `start` is its offset in the text given to `TypoCorrector.correct`."""

    start: int
    original: str
    corrected: str


def _fold_syllable(syllable: str) -> str:
    """Toneless, ü as v, with the confusions people make when typing pinyin folded together."""
    decomposed = unicodedata.normalize("NFD", syllable).replace("u\u0308", "v")
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()
    for long, short in _INITIALS:
        if plain.startswith(long):
            plain = short + plain[len(long) :]
            break
    for long, short in _FINALS:
        if plain.endswith(long):
            plain = plain[: -len(long)] + short
            break
    return plain


def _dict_dir() -> Path:
    return corpus_dir() / "dict"


def domain_words() -> tuple[str, ...]:
    """The words a typo may be corrected to: Chinese words of two or more characters in the jieba
    user dictionary and the synonym list."""
    words: dict[str, None] = {}
    userdict = _dict_dir() / "userdict.txt"
    if userdict.exists():
        for line in userdict.read_text(encoding="utf-8").splitlines():
            parts = line.split()
            if parts and not parts[0].startswith("#"):
                words[parts[0]] = None
    for group in word_lines(_dict_dir() / "synonyms.txt"):
        words.update(dict.fromkeys(group))
    return tuple(w for w in words if 2 <= len(w) <= _MAX_DOMAIN_WORD and _CJK.match(w))


def _build_sounds(words: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """(word -> its folded syllables, character -> the folded syllables it can be read as, for
    every character that can sound like some character of a domain word)."""
    from pypinyin import Style, lazy_pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    word_sounds = {w: [_fold_syllable(s) for s in lazy_pinyin(w, style=Style.TONE)] for w in words}
    used = {s for sounds in word_sounds.values() for s in sounds}
    readings_of = {chr(code): {_fold_syllable(r) for r in readings.split(",")} for code, readings in pinyin_dict.items()}
    # A look-alike is read as the character it is mistaken for too (人曰 for 人日).
    for group in _LOOK_ALIKES:
        shared = set().union(*(readings_of.get(ch, set()) for ch in group))
        for ch in group:
            readings_of[ch] = readings_of.get(ch, set()) | shared
    chars: dict[str, list[str]] = {}
    for ch, readings in readings_of.items():
        folded = sorted(readings & used)
        if folded:
            chars[ch] = folded
    return word_sounds, chars


Segmenter = Callable[[str], tuple[float, list[str]]]


def _segmenter(freq: Mapping[str, int], total: int) -> Segmenter:
    log_total = math.log(total)

    def best(text: str) -> tuple[float, list[str]]:
        """The most probable segmentation of `text` under jieba's unigram word model, and its log
        probability (an unknown character counts as a word seen once)."""
        n = len(text)
        score = [0.0] + [-math.inf] * n
        back = [0] * (n + 1)
        for end in range(1, n + 1):
            for start in range(max(0, end - _MAX_WORD), end):
                f = freq.get(text[start:end]) or (1 if end - start == 1 else 0)
                if f and score[start] + math.log(f) - log_total > score[end]:
                    score[end], back[end] = score[start] + math.log(f) - log_total, start
        words, end = [], n
        while end > 0:
            words.append(text[back[end] : end])
            end = back[end]
        return score[n], words[::-1]

    return best


class TypoCorrector:
    """Corrects homophone typos against a vocabulary; see the module docstring for the rules.

    Args:
        word_sounds: each domain word's folded syllables.
        char_sounds: each character's possible folded syllables.
        known_text: text whose every substring counts as correct (the corpus).
        segment: the most probable segmentation of a stretch of text and its log probability.
    """

    def __init__(
        self,
        word_sounds: Mapping[str, list[str]],
        char_sounds: Mapping[str, list[str]],
        known_text: str,
        segment: Segmenter,
    ) -> None:
        self._chars = char_sounds
        self._words = frozenset(word_sounds)
        self._known = known_text
        self._segment = segment
        # (first syllable, length) -> words, so a window only meets words it could sound like.
        self._by_start: dict[tuple[str, int], list[tuple[str, list[str]]]] = {}
        for word, sounds in word_sounds.items():
            if len(sounds) == len(word):
                self._by_start.setdefault((sounds[0], len(word)), []).append((word, sounds))
        self._lengths = sorted({n for _, n in self._by_start}, reverse=True)

    def correct(self, text: str) -> tuple[str, list[Correction]]:
        """`text` with typos replaced, and the replacements made (left to right)."""
        if not _CJK_CHAR.search(text):
            return text, []
        out: list[str] = []
        fixes: list[Correction] = []
        i = 0
        while i < len(text):
            found = self._best_at(text, i)
            if found is None:
                out.append(text[i])
                i += 1
                continue
            word, length = found
            fixes.append(Correction(i, text[i : i + length], word))
            out.append(word)
            i += length
        return "".join(out), fixes

    def _best_at(self, text: str, i: int) -> tuple[str, int] | None:
        first = self._chars.get(text[i])
        if first is None:
            return None
        for length in self._lengths:  # longest word first
            window = text[i : i + length]
            if len(window) < length:
                continue
            for syllable in first:
                for word, sounds in self._by_start.get((syllable, length), ()):
                    if self._accept(text, i, window, word, sounds):
                        return word, length
        return None

    def _accept(self, text: str, i: int, window: str, word: str, sounds: list[str]) -> bool:
        diff = sum(a != b for a, b in zip(window, word, strict=True))
        if diff == 0 or diff > (2 if len(word) >= 6 else 1):
            return False
        if any(a != b and s not in self._chars.get(a, ()) for a, b, s in zip(window, word, sounds, strict=True)):
            return False
        if window in self._words or window in self._known:
            return False
        if i >= 3 and text[i - 3] == text[i - 1] == "一" and text[i - 2] == text[i]:
            # "一条一条讲": the stretch starts on the second measure word of a repeated count, which
            # belongs to the count (一条一条), not to a word misspelt after it (条讲 is no 条件).
            return False
        if _grammatical(text, i, window, word):
            return False
        left = text[max(0, i - _CONTEXT) : i]
        right = text[i + len(window) : i + len(window) + _CONTEXT]
        before, words = self._segment(left + window + right)
        if not _orphan_inside(words, len(left), len(left) + len(window)) or _straddled(words, len(left)):
            return False
        return self._segment(left + word + right)[0] > before


# Measure words: one that counts the noun right after it (多少份问卷) is no misspelt 分.
_MEASURES = frozenset("份个张本页套篇条项次件台位名家把")
_DIRECTIONS = frozenset("上下前后里外左右")
# What follows a figure's unit when no noun does (满份多少, 多少份吗).
_NOT_NOUNS = ("多少", "几", "吗", "呢", "吧", "啊", "呀", "了", "的", "是", "有", "要", "能", "可", "会", "还", "就", "都",
              "也", "怎", "什么", "啥", "和", "跟", "与", "以")


def _grammatical(text: str, i: int, window: str, word: str) -> bool:
    """Whether the characters to be replaced play a grammatical part the word model cannot see:
    往/向 with a direction (再往上评), 是 (the copula or emphasis: 是交一回…, 申请费是交一次就完了吗;
    the commonest character is never a slip for another), a measure word counting the noun after it
    (多少份问卷)."""
    for j, (a, b) in enumerate(zip(window, word, strict=True)):
        if a == b:
            continue
        rest = text[i + j + 1 : i + j + 3]
        if a in "往向朝" and rest[:1] in _DIRECTIONS:
            return True
        if a == "是":
            return True
        if a in _MEASURES and j == len(window) - 1 and _CJK.match(rest or "-") and not rest.startswith(_NOT_NOUNS):
            return True
    return False


def _orphan_inside(words: list[str], start: int, end: int) -> bool:
    """Whether the segmentation leaves a character of [start, end) as a word of its own: a typo
    breaks a word into loose characters (年今 → 年/今), while "评审之前" reads as 评审/之前 and
    "交几份" as 交/几份, which are words, not typos."""
    at = 0
    for word in words:
        if len(word) == 1 and start <= at < end:
            return True
        at += len(word)
    return False


def _straddled(words: list[str], start: int) -> bool:
    """Whether a word of the segmentation runs into [start, …) from before it: "问清楚评星" reads as
    问/清楚/评星, and 楚评 is the tail of 清楚, not a misspelt 初评. (A word running out of the
    stretch is no sign: "认正要" reads as 认/正要, and 认正 is still a misspelt 认证.)"""
    at = 0
    for word in words:
        stop = at + len(word)
        if len(word) >= 2 and at < start < stop:
            return True
        at = stop
    return False


def _fingerprint(words: tuple[str, ...]) -> str:
    """Identifies the table: its format, the words, and the installed pypinyin's character data
    (found without importing pypinyin, which is what the cache saves)."""
    digest = hashlib.sha1(str(_TABLE_VERSION).encode())
    spec = importlib.util.find_spec("pypinyin")
    if spec is not None and spec.origin:
        data = Path(spec.origin).with_name("pinyin_dict.py")
        if data.exists():
            stat = data.stat()
            digest.update(f"{data}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    digest.update("\n".join(words).encode("utf-8"))
    return digest.hexdigest()[:16]


def _sound_tables(words: tuple[str, ...]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The sound tables, from the cache when it was built for the same words and pypinyin.

    Kept by syllable (a few hundred keys, each with its characters as one string), which loads
    several times faster than one key per character."""
    path = home() / "cache" / f"sounds-{_fingerprint(words)}.json"
    try:
        cached = json.loads(path.read_text(encoding="utf-8"))
        return cached["words"], _by_char(cached["by_syllable"])
    except (OSError, ValueError, KeyError, AttributeError):
        pass
    word_sounds, chars = _build_sounds(words)
    by_syllable: dict[str, str] = {}
    for ch, syllables in chars.items():
        for syllable in syllables:
            by_syllable[syllable] = by_syllable.get(syllable, "") + ch
    # One temporary file per thread: the first questions of a fresh server arrive together, and
    # threads sharing a name moved each other's file away (FileNotFoundError on the second move).
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(json.dumps({"words": word_sounds, "by_syllable": by_syllable}, ensure_ascii=False),
                       encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:  # the cache only saves start-up time: a question must not fail on it
        log.warning("拼音表缓存无法写入 %s（%s），本次照常使用", path, exc)
        tmp.unlink(missing_ok=True)
    return word_sounds, _by_char(by_syllable)


def _by_char(by_syllable: Mapping[str, str]) -> dict[str, list[str]]:
    chars: dict[str, list[str]] = {}
    for syllable, members in by_syllable.items():
        for ch in members:
            chars.setdefault(ch, []).append(syllable)
    return chars


def _corpus_text() -> str:
    """The shipped corpus as written (documents and data tables), simplified."""
    from .textproc import to_simplified

    root = corpus_dir()
    parts = [p.read_text(encoding="utf-8") for p in sorted(root.glob("*.md"))]
    parts += [p.read_text(encoding="utf-8") for p in sorted((root / "data").glob("*.yaml"))]
    return to_simplified("\n".join(parts))


_CORRECTOR_LOCK = threading.Lock()


def default_corrector() -> TypoCorrector:
    """The corrector for the shipped dictionary and corpus, with jieba's domain word model (built
    once: concurrent first questions wait for one build instead of each making its own)."""
    with _CORRECTOR_LOCK:
        return _default_corrector()


@lru_cache(maxsize=1)
def _default_corrector() -> TypoCorrector:
    words = domain_words()
    word_sounds, chars = _sound_tables(words)
    return TypoCorrector(word_sounds, chars, _corpus_text(), _jieba_segmenter)


def _jieba_segmenter(text: str) -> tuple[float, list[str]]:
    # jieba loads only when a stretch sounds like a domain word, so a question without one (most
    # calculator questions) corrects without loading it.
    return _jieba_model()(text)


@lru_cache(maxsize=1)
def _jieba_model() -> Segmenter:
    from .textproc import word_frequencies

    return _segmenter(*word_frequencies())
