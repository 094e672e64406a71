"""Chinese text handling: normalisation, jieba segmentation with the domain dictionary, synonyms."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import corpus_dir, home

if TYPE_CHECKING:
    from .spelling import Correction

__all__ = [
    "APPROX",
    "NUMBER",
    "chinese_to_int",
    "content_words",
    "correct_typos",
    "expand_synonyms",
    "is_approximate",
    "normalize",
    "normalize_query",
    "read_numbers",
    "read_query",
    "segment",
    "split_sentences",
    "synonym_groups",
    "to_number",
    "to_simplified",
    "tokenize",
    "tokenizer_fingerprint",
    "word_frequencies",
]

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_NUMERAL_RUN = re.compile(r"[零〇一二两三四五六七八九十百千万]+")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
_SPACES = re.compile(r"\s+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")

# ---------------------------------------------------------------------------------------------
# Numbers. The one reader of numerals in the project: `normalize` uses it for matching, and
# `read_numbers` for the everyday forms a question's figures come in (the slot parser's input).

_RUN_PART = re.compile(r"\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万]")


def _run_value(run: str) -> Decimal | None:
    """Value of a run of numerals, Chinese, Arabic or mixed: 一千二百, 一千二 (1200, a trailing digit
    after a unit counts in the next unit down), 一千零二, 两万五, 十五, 1.2千, 1万1千, 二〇一一.
    None when the run is not one number (三四 is a range, 十 alone a word)."""
    parts = _RUN_PART.findall(run)
    if "".join(parts) != run or not parts:
        return None
    if all(p in _DIGITS for p in parts):
        # 二〇一一 style, digit by digit; two digits without a unit (三四, 一两) are a range.
        if len(parts) == 1 or (len(parts) == 2 and "零" not in parts and "〇" not in parts):
            return Decimal(_DIGITS[parts[0]]) if len(parts) == 1 else None
        return Decimal("".join(str(_DIGITS[p]) for p in parts))
    total, section = Decimal(0), Decimal(0)
    number: Decimal | None = None
    last_unit: int | None = None  # the unit just before `number`, if no 零 came between
    for part in parts:
        if part in ("零", "〇"):
            last_unit = None
        elif part in _UNITS:
            unit = _UNITS[part]
            if unit == 10000:
                total += (section + (number or 0)) * unit if (section or number) else unit
                section = Decimal(0)
            else:
                section += (1 if number is None else number) * unit
            number, last_unit = None, unit
        elif number is not None:
            return None  # two numbers in a row: 一二百, 1 2
        else:
            number = Decimal(part) if part[0].isdigit() else Decimal(_DIGITS[part])
    if number is not None and last_unit is not None and last_unit >= 100 and len(parts[-1]) == 1:
        number *= last_unit // 10  # 一千二 = 1200, 两万五 = 25000, 1万1 = 11000
    return total + section + (number or 0)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def chinese_to_int(text: str) -> int | None:
    """Value of a Chinese numeral such as 一千二百, 一千二, 九十二, 十五 or 二〇一一; None if it is not one."""
    if not text or not all(ch in _DIGITS or ch in _UNITS for ch in text):
        return None
    value = _run_value(text)
    return None if value is None else int(value)


def _numerals_to_digits(text: str) -> str:
    def repl(match: re.Match[str]) -> str:
        run = match.group(0)
        # A unit alone is a word, not a number: 上千, 1万元, 十分重要.
        if not any(ch in _DIGITS for ch in run):
            return run
        value = _run_value(run)
        return run if value is None else _plain(value)

    return _NUMERAL_RUN.sub(repl, text)


APPROX = "≈"  # marks a figure `read_numbers` estimated from a range (十几 → ≈15)
NUMBER = r"≈?\d+(?:\.\d+)?"  # a figure in `read_numbers` output, for patterns built on it

_CN = "零〇一二两三四五六七八九"
_MIXED_RUN = re.compile(rf"(?:\d+(?:\.\d+)?|[{_CN}十百千万])+(?:点[{_CN}]+)?")
# 三四百 / 一两千 / 七八十: two neighbouring digits before a unit are a range.
_RANGE_PAIR = re.compile(r"(?<![零〇一二两三四五六七八九十百千万\d])([一二两三四五六七八])([二两三四五六七八九])([十百千万])")
# 两千三四百 / 四十七八 / 一千五六百: a range pair after the higher places of a numeral, one place
# below the last of them (千 then 百, 十 then units).
_RANGE_TAIL = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万\d])((?:[一二两三四五六七八九]?[十百千万])+)"
    r"([一二两三四五六七八])([二两三四五六七八九])([十百千]?)(?![零〇一二两三四五六七八九十百千万\d])"
)
# 十几 / 二十几: a tens figure and "some" units.
_SOME_UNITS = re.compile(r"(?<![零〇一二两三四五六七八九十百千万\d])([一二两三四五六七八九]?)十几")
# 百把 / 千把 / 近千 / 上千: about one unit.
# 百来号人 / 千人规模: about one unit too, before a word for people.
_ABOUT_UNIT = re.compile(
    r"(?<![零〇一二两三四五六七八九十百千万\d])(?:([百千万])[把来](?=号?[人名个位])|(?<=[近上])([百千万])(?=[人名号个位家多余])"
    r"|(?<![近上小大])([百千万])(?=人(?:规模|级|左右|上下|的(?:企业|公司|厂|单位|团队))))"
)
# 九五分 / 八五分: a score said digit by digit (two digits that are not neighbours, the first six or
# more; 八九分 is a range, 三五分 a few points).
_SCORE_DIGITS = re.compile(r"(?<![零〇一二两三四五六七八九十百千万\d])([六七八九])([〇零一二三四五六七八九])(?=分(?!钟|之))")
_HALF_POINT = re.compile(r"(\d+)分半")
_KILO = re.compile(r"(\d+(?:\.\d+)?)[kK](?![a-zA-Z])")
# Words that make a figure an estimate: before it (约600人, 大概有一千二) or after it (500来号人,
# 1200多人, 250人上下, 六千人出头).
_HEDGE_BEFORE = re.compile(r"(?:约|大约|大概|大致|差不多|将近|接近|近|估计|约莫|预计|小)(?:有|是|在|为)?$")
# 几 after a figure estimates it (九十几分), unless it asks for the grade (88.5几星).
_HEDGE_AFTER = re.compile(r"^(?:多|余|来|几(?![星级]))|^[^\d,，。？?！!；;、]{0,4}?(?:左右|上下|出头|开外)")


def _score_digits(match: re.Match[str]) -> str:
    tens, units = _DIGITS[match.group(1)], _DIGITS[match.group(2)]
    return match.group(0) if units == tens + 1 else f"{tens}{units}"


def _range_pair(match: re.Match[str]) -> str:
    low, high, unit = _DIGITS[match.group(1)], _DIGITS[match.group(2)], _UNITS[match.group(3)]
    if high != low + 1 and (low, high) != (1, 2):
        return match.group(0)
    return APPROX + _plain(Decimal(low + high) * unit / 2)


def _range_tail(match: re.Match[str]) -> str:
    head, low, high, unit = match.group(1), _DIGITS[match.group(2)], _DIGITS[match.group(3)], match.group(4)
    # With no place named, the pair takes the one below the head's last (一千七八 is 1700–1800, as
    # 一千二 is 1200).
    place = _UNITS[unit] if unit else _UNITS[head[-1]] // 10
    base = _run_value(head)
    if base is None or high != low + 1 or _UNITS[head[-1]] != place * 10:
        return match.group(0)
    return APPROX + _plain(base + Decimal(low + high) * place / 2)


def _some_units(match: re.Match[str]) -> str:
    tens = _DIGITS[match.group(1)] if match.group(1) else 1
    return f"{APPROX}{tens * 10 + 5}"


def _about_unit(match: re.Match[str]) -> str:
    return APPROX + str(_UNITS[match.group(1) or match.group(2) or match.group(3)])


def _mixed_run(match: re.Match[str]) -> str:
    run = match.group(0)
    # Only runs holding a Chinese numeral change; a unit alone (十分, 上万) is a word, not a number.
    if not any(ch in _DIGITS or ch in _UNITS for ch in run) or not any(ch in _DIGITS or ch.isdigit() for ch in run):
        return run
    whole, _, frac = run.partition("点")
    value = _run_value(whole)
    if value is None:
        return run
    if frac:
        value += Decimal("0." + "".join(str(_DIGITS[ch]) for ch in frac))
    return _plain(value)


def read_numbers(text: str) -> str:
    """A question with its figures as Arabic numbers, for the slot parser.

    NFKC and simplified first, then: ranges to an estimate marked `APPROX` (三四百 → ≈350,
    一两百 → ≈150, 十几 → ≈15, 千把/近千 → ≈1000); numerals, also colloquial and mixed (一千二 →
    1200, 1.2千 → 1200, 1万1千 → 11000, 八十九点五 → 89.5); 八十七分半 → 87.5分. Hedge words stay
    where they are (约600, 500来号人); `is_approximate` reads them.
    """
    text = to_simplified(unicodedata.normalize("NFKC", text))
    text = _SCORE_DIGITS.sub(_score_digits, text)
    text = _RANGE_TAIL.sub(_range_tail, text)
    text = _RANGE_PAIR.sub(_range_pair, text)
    text = _SOME_UNITS.sub(_some_units, text)
    text = _ABOUT_UNIT.sub(_about_unit, text)
    text = _KILO.sub(lambda m: _plain(Decimal(m.group(1)) * 1000), text)
    text = _MIXED_RUN.sub(_mixed_run, text)
    return _HALF_POINT.sub(r"\1.5分", text)


def to_number(figure: str) -> int | float:
    """'1200' -> 1200, '89.5' -> 89.5, '≈15' -> 15, '负3' / '-3' -> -3."""
    value = Decimal(figure.replace(APPROX, "").replace("负", "-").replace("−", "-"))
    return int(value) if value == value.to_integral_value() else float(value)


def is_approximate(text: str, start: int, end: int) -> bool:
    """Whether the figure at text[start:end] (in `read_numbers`/`normalize` output) is an estimate:
    marked `APPROX`, or hedged before (约, 大概有, 将近) or after (多, 来, 左右, 上下, 出头)."""
    return (
        text[start:end].startswith(APPROX)
        or bool(_HEDGE_BEFORE.search(text[:start]))
        or bool(_HEDGE_AFTER.search(text[end:]))
    )


@lru_cache(maxsize=1)
def _t2s() -> Callable[[str], str]:
    import opencc  # about 10 ms to import and load; only paths that read Chinese text need it

    return opencc.OpenCC("t2s").convert


@lru_cache(maxsize=16384)  # passages are normalised again on every question that retrieves them
def to_simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC t2s, phrase-aware); simplified text is unchanged.

    Every text that is matched goes through this step, on both sides: `normalize`, `segment` and
    so `tokenize` call it, so a traditional user document and a traditional question meet the
    simplified corpus and questions on the same words.
    """
    return _t2s()(text) if _NON_ASCII.search(text) else text


# 俩 and 仨 are 两个 and 三个 said in one syllable (俩月 is 两个月, 2个月).
_FUSED = str.maketrans({"俩": "两个", "仨": "三个"})


def _fold(text: str, *, keep_spaces: bool) -> str:
    text = to_simplified(unicodedata.normalize("NFKC", text)).translate(_FUSED)
    text = _THOUSANDS.sub("", text)
    text = _SPACES.sub(" " if keep_spaces else "", text)
    return text.lower()


def normalize(text: str, *, keep_spaces: bool = False) -> str:
    """Canonical form for matching and indexing.

    NFKC folds full-width letters, digits and punctuation to half width; Chinese numerals become
    digits so that 三年 and 3年 match; thousands separators go; letters are lowered. White space is
    removed for matching, or folded to one space for segmentation (so "GB/T 27922" stays two words).
    """
    return _fractions(_numerals_to_digits(_fold(text, keep_spaces=keep_spaces)))


# 三分之一 and 1/3, 百分之五十 and 50%: one figure in the words users say and the signs sources print.
_FRACTION = re.compile(r"(?:(\d+|十)|百)分之(\d+(?:\.\d+)?|十(?![\d.]))")


def _fractions(text: str) -> str:
    def repl(m: re.Match[str]) -> str:
        # A lone 十 is left by the numeral reader (十 alone is a word): here it is ten (百分之十).
        part = "10" if m.group(2) == "十" else m.group(2)
        if m.group(1) is None:
            return f"{part}%"
        return f"{part}/{10 if m.group(1) == '十' else m.group(1)}"

    return _FRACTION.sub(repl, text)


# Bump when segmentation changes in code, so that indexes built with the old tokens are rebuilt.
# 8: traditional characters are simplified before segmentation; 一千二 reads 1200 (was 1002).
# 9: 3C reads ccc. 10: adverbs and conjunctions (已经, 但是) are stop words. 11: demonstratives
# and relational words (那些, 有关, 之前, 清楚) too. 12: fractions in words read as signs (三分之一 1/3).
# 13: 俩/仨 read 两个/三个. 14: 百分之十 reads 10%.
TOKENIZER_VERSION = 14


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


_GENERAL_FREQ: dict[str, int] = {}


def general_frequency(word: str) -> int:
    """The word's count in jieba's own dictionary: how common it is in general Chinese. Our
    dictionary gives its words counts of its own (so that segmentation keeps them whole); those do
    not say how common a word is."""
    tok = _tokenizer()
    return _GENERAL_FREQ[word] if word in _GENERAL_FREQ else int(tok.FREQ.get(word, 0))


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
    lines = userdict.read_text(encoding="utf-8").splitlines() if userdict.exists() else []
    ours = [line.split()[0] for line in lines if line.split()]
    ours += [word for group in _raw_synonym_groups() for word in group]
    # How common our dictionary's words are in general Chinese, before our counts replace jieba's.
    _GENERAL_FREQ.update({word: int(tok.FREQ.get(word, 0)) for word in ours})
    if userdict.exists():
        tok.load_userdict(str(userdict))
    for group in _raw_synonym_groups():
        for word in group:
            tok.add_word(word, freq=None)
    return tok


def word_lines(path: Path) -> list[list[str]]:
    """The words of each line of a word-group file (corpus/dict: synonyms, contrasts) that has any,
    `#` starting a comment; no lines when the file does not exist."""
    if not path.exists():
        return []
    lines = (line.split("#", 1)[0].split() for line in path.read_text(encoding="utf-8").splitlines())
    return [words for words in lines if words]


@lru_cache(maxsize=1)
def _raw_synonym_groups() -> tuple[tuple[str, ...], ...]:
    """Synonym groups as written, width-folded but with numerals kept (jieba needs them so: it
    segments text before numerals are normalised). `synonym_groups` normalises these."""
    return tuple(tuple(_fold(w, keep_spaces=False) for w in words)
                 for words in word_lines(_dict_dir() / "synonyms.txt"))


_GBT = re.compile(r"gb\s*/\s*t\s*(\d)")
_THREE_C = re.compile(r"(?<![a-z0-9])3c(?![a-z0-9])")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_PUNCT = re.compile(r"^[\W_]+$", re.UNICODE)
# Normalised like the tokens they are compared with ("一共" arrives as "1共").
_STOPWORDS = frozenset(
    normalize(w)
    for w in """
    的 了 是 在 和 与 及 或 吗 呢 吧 啊 呀 么 嘛 哦 我 我们 咱 咱们 俺 俺们 你 你们 他 她 它 这 那 这个 那个 有 要 会 能 就 都 也 还 又 请问 一下 一个 什么 怎么 怎样
    如何 哪些 哪个 多少 几 是否 可以 需要 之 其 为 对 被 把 让 给 从 到 上 下 中 等 个 些 呗 想 问 咨询 公司 企业 我司 贵司 啥 有啥 干啥 用 里 叫 名字 意思
    时候 哪几 几个 哪几个 哪家 哪 搞 搞个 弄 下来 一共 大概 大约 左右 具体 到底 究竟 还是 是不是 就是 一般 通常 现在 目前 这样 那样 怎么样 为什么 为啥 应该 得 着
    过 并 但 而 如果 的话 那么 所以 请 帮 帮忙 告诉 知道 了解 说说 介绍 一些 有没有 能不能 可不可以 行 对吧 嗯 谢谢 你好 不要 要不要 顺便 问下 问一下 不是 只 只是
    一份 一下子 这种 那种 这类 那类 做 可以做 听说 据说 网上说 有人说 谁 是吗 对吗 真的 会怎样 会怎么样 怎么办 咋办 咋 啥样 还有 以后 之后 最后 拿到 由
    已经 曾经 正在 马上 立刻 立即 一定 可能 或者 然后 接着 另外 其实 确实 总是 经常 一直 只能 能够 而且 并且 但是 不过 因为 虽然 已 刚刚 刚
    那些 这些 那些个 有关 关于 之前 以前 期间 当中 其中 清楚 明白 所有 各种 有些 某些 任何 前后 上下 一两 两三 三五 这块 那块 这方面 那方面 方面 咱家 人家 别人 大家 自己
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
    # 3C is the everyday name of CCC; split at the digit it would be a stray "c".
    text = _LETTER_DIGIT.sub(" ", _THREE_C.sub("ccc", text))
    tok = _tokenizer()
    words = (_fractions(_numerals_to_digits(w)) for w in (tok.lcut_for_search(text) if search else tok.lcut(text)))
    return [w for w in words if w.strip() and not _PUNCT.match(w)]


def as_typed(words: Sequence[str], text: str) -> list[str]:
    """`words`, normalised words of `text` (2维码, 1致), as the user typed them (二维码, 一致): for
    each, the jieba word of `text` whose normalised form holds it; the word itself when none does.
    The text is segmented once for all of them."""
    folded = _GBT.sub(r"gbt \1", _fold(text, keep_spaces=True))
    raws = [(raw, _fractions(_numerals_to_digits(raw))) for raw in _tokenizer().lcut(folded)]
    return [next((raw for raw, norm in raws if word in norm), word) for word in words]


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
    return read_query(text)[0]


def read_query(text: str) -> tuple[str, list[Correction]]:
    """`normalize_query`, plus the typo corrections it made (so the user can be told)."""
    return correct_typos(to_simplified(text))


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

