"""Chinese text handling: normalisation, jieba segmentation with the domain dictionary, synonyms."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import corpus_dir, home

if TYPE_CHECKING:
    from .spelling import Correction

__all__ = [
    "chinese_to_int",
    "content_words",
    "correct_typos",
    "expand_synonyms",
    "normalize",
    "normalize_query",
    "segment",
    "split_sentences",
    "synonym_groups",
    "to_simplified",
    "tokenize",
    "tokenizer_fingerprint",
    "word_frequencies",
]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_SPACES = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def chinese_to_int(text: str) -> int | None:
    """Value of a Chinese numeral such as 一千二百, 九十二, 十五 or 二〇一一; None if it is not one."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS and ch != "万" for ch in text):
        return None
    if all(ch in _DIGITS for ch in text):
        # 二〇一一 style: read digit by digit.
        return int("".join(str(_DIGITS[ch]) for ch in text)) if len(text) > 1 else _DIGITS[text]
    total, section, number = 0, 0, 0
    for ch in text:
        if ch in _DIGITS:
            number = _DIGITS[ch]
        elif ch in _UNITS:
            section += (number or 1) * _UNITS[ch]
            number = 0
        else:  # 万
            total += (section + number) * 10000
            section, number = 0, 0
    return total + section + number


def _numerals_to_digits(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        run = match.group(0)
        # A unit alone is a word, not a number: 上千, 1万元, 十分重要.
        if not any(ch in _DIGITS for ch in run):
            return run
        value = chinese_to_int(run)
        return run if value is None else str(value)

    return _NUMERAL_RUN.sub(repl, text)


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    import opencc  # about 10 ms to import and load; only paths that read Chinese text need it

    return opencc.OpenCC("t2s").convert


def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s, phrase-aware); simplified text is unchanged.

    Every text that is matched goes through this step, on both sides: `normalize`, `segment` and
    so `tokenize` call it, so a traditional user document and a traditional question meet the
    simplified corpus and questions on the same words.
    """
    return _t2s()(text) if _NON_ASCII.search(text) else text


def _fold(text: str, *, keep_spaces: bool) -> str:
    text = to_simplified(unicodedata.normalize("NFKC", text))
    text = _THOUSANDS.sub("", text)
    text = _SPACES.sub(" " if keep_spaces else "", text)
    return text.lower()


def normalize(text: str, *, keep_spaces: bool = False) -> str:
    """Canonical form for matching and indexing.

    NFKC folds full-width letters, digits and punctuation to half width; Chinese numerals become
    digits so that 三年 and 3年 match; thousands separators go; letters are lowered. White space is
    removed for matching, or folded to one space for segmentation (so "GB/T 27922" stays two words).
    """
    return _numerals_to_digits(_fold(text, keep_spaces=keep_spaces))


# Bump when segmentation changes in code, so that indexes built with the old tokens are rebuilt.
# 8: traditional characters are simplified before segmentation.
TOKENIZER_VERSION = 8


def tokenizer_fingerprint() -> str:
    """Identifies how text is tokenised: code version plus the domain dictionary and synonyms."""
    digest = hashlib.sha1(str(TOKENIZER_VERSION).encode())
    for name in ("userdict.txt", "synonyms.txt"):
        path = _dict_dir() / name
        if path.exists():
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _dict_dir() -> Path:
    return corpus_dir() / "dict"


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    # jieba caches its parsed dictionary in a temp file; keep it in our home so that a cold
    # start reuses it (about 0.5 s saved) and tests with their own home stay isolated.
    cache_dir = home() / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    tok.tmp_dir = str(cache_dir)
    tok.initialize()
    userdict = _dict_dir() / "userdict.txt"
    if userdict.exists():
        tok.load_userdict(str(userdict))
    for group in _raw_synonym_groups():
        for word in group:
            tok.add_word(word, freq=None)
    return tok


@lru_cache(maxsize=1)
def _raw_synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Synonym groups as written, width-folded but with numerals kept (jieba needs them so: it
    segments text before numerals are normalised). `synonym_groups` normalises these."""
    path = _dict_dir() / "synonyms.txt"
    if not path.exists():
        return ()
    groups = []
    for line in path.read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        if words:
            groups.append(tuple(_fold(w, keep_spaces=False) for w in words))
    return tuple(groups)


_GBT = re.compile(r"gb\s*/\s*t\s*(\d)")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
# Normalised like the tokens they are compared with ("一共" arrives as "1共").
_STOPWORDS = frozenset(
    normalize(w)
    for w in """
    的 了 是 在 和 与 及 或 吗 呢 吧 啊 呀 么 嘛 哦 我 我们 你 你们 他 她 它 这 那 这个 那个 有 要 会 能 就 都 也 还 又 请问 一下 一个 什么 怎么 怎样
    如何 哪些 哪个 多少 几 是否 可以 需要 之 其 为 对 被 把 让 给 从 到 上 下 中 等 个 些 呗 想 问 咨询 公司 企业 我司 贵司 啥 有啥 干啥 用 里 叫 名字 意思
    时候 哪几 几个 哪几个 哪家 哪 搞 搞个 弄 下来 一共 大概 大约 左右 具体 到底 究竟 还是 是不是 就是 一般 通常 现在 目前 这样 那样 怎么样 为什么 为啥 应该 得 着
    过 并 但 而 如果 的话 那么 所以 请 帮 帮忙 告诉 知道 了解 说说 介绍 一些 有没有 能不能 可不可以 行 对吧 嗯 谢谢 你好 不要 要不要 顺便 问下 问一下 不是 只 只是
    一份 一下子 这种 那种 这类 那类 做 可以做 听说 据说 网上说 有人说 谁 是吗 对吗 真的 会怎样 会怎么样 怎么办 咋办 咋 啥样 还有 以后 之后 最后 拿到 由
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def segment(text: str, *, search: bool = True) -> list[str]:
    """jieba words of `text`, normalised, without punctuation.

    Search mode (for the index) adds the shorter words inside long ones; precise mode (for
    weighing a question's words) keeps each character in one word only.
    """
    # Segment before numerals become digits, so that 一共, 统一 or 三星级 stay words; then
    # normalise each word.
    text = _GBT.sub(r"gbt \1", _fold(text, keep_spaces=True))
    # "ISO9001" and "ISO 9001" must give the same tokens, as must "t27922" and "27922".
    text = _LETTER_DIGIT.sub(" ", text)
    tok = _tokenizer()
    words = (_numerals_to_digits(w) for w in (tok.lcut_for_search(text) if search else tok.lcut(text)))
    return [w for w in words if w.strip() and not _PUNCT.match(w)]


def word_frequencies() -> tuple[dict[str, int], int]:
    """jieba's word frequencies with the domain dictionary loaded, and their total (the word model
    the typo corrector compares readings with)."""
    tok = _tokenizer()
    return tok.FREQ, tok.total


def correct_typos(text: str) -> tuple[str, list[Correction]]:
    """`text` with homophone typos of domain words corrected, and what was replaced.

    Expects simplified text (see `normalize_query`); rules in `assistant.spelling`.
    """
    from .spelling import default_corrector

    return default_corrector().correct(text)


def normalize_query(text: str) -> str:
    """A user's question as the answer path should read it: simplified, typos corrected.

    Everything else stays as written (numerals, width, case, spacing, punctuation): segmentation
    and the number reader need numerals so (一共, 三星级, 一千二), and `normalize` folds the rest
    for matching. The corpus never goes through typo correction, only through `to_simplified`
    (inside `normalize` and `segment`).
    """
    return correct_typos(to_simplified(text))[0]


def tokenize(text: str) -> list[str]:
    """Index/query tokens: segmented words minus stop words. Passed to bm25s as the splitter."""
    return [w for w in segment(text) if w not in _STOPWORDS]


def content_words(text: str) -> list[str]:
    """The distinct words a question is about (precise mode, no stop words)."""
    return list(dict.fromkeys(w for w in segment(text, search=False) if w not in _STOPWORDS))


@lru_cache(maxsize=1)
def synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Synonym groups from corpus/dict/synonyms.txt; the first word of a group is canonical."""
    return tuple(tuple(_numerals_to_digits(w) for w in group) for group in _raw_synonym_groups())


@lru_cache(maxsize=1)
def _synonym_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, tuple[str, ...]] = {}
    for group in synonym_groups():
        for word in group:
            index[word] = group
    return index


def expand_synonyms(tokens: Iterable[str]) -> list[str]:
    """`tokens` plus the other members of each token's synonym group (order kept, no repeats)."""
    index = _synonym_index()
    out: list[str] = []
    seen: set[str] = set()
    for token in tokens:
        for word in (token, *index.get(token, ())):
            if word not in seen:
                seen.add(word)
                out.append(word)
    return out


_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage: a line is never joined with the next; a line splits after 。！？；."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        out.extend(part.strip() for part in _SENTENCE_END.split(line) if part.strip())
    return out
