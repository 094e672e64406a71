"""Check an LLM-written answer against the passages it cites, one sentence at a time.

A sentence survives only when
- it cites at least one passage that was given to the LLM ([n] with 1 <= n <= len(passages));
- every number, amount, date, duration and standard code in it appears in one passage it cites
  (compared after `textproc.normalize`, so 三年 = 3年, １，０００元 = 1000元);
- its words are found in the cited passages (share of its jieba content words, synonyms counting)
  and its meaning is close to a sentence of a cited passage (cosine similarity of the configured
  embedder's vectors).

Everything else is dropped. The verifier never repairs a sentence: a wrong [n] or an invented
figure removes the sentence, and the caller decides whether enough is left.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

import numpy as np

from .embedders import Embedder
from .textproc import content_words, expand_synonyms, normalize, read_numbers, split_sentences
from .types import Passage

__all__ = ["LEXICAL_MIN", "SIMILARITY_MIN", "Claim", "Verification", "quantities", "split_claims", "unsupported_figures", "verify"]

# Share of a sentence's content words that must occur in the passages it cites.
LEXICAL_MIN = 0.5
# Cosine similarity (embedder's query vectors) to the closest sentence of a cited passage; read
# off the shipped corpus, see docs/DECISIONS.md.
SIMILARITY_MIN = 0.86

_MARKER = re.compile(r"\[(\d{1,3})\]")
_LEADING_MARKERS = re.compile(r"^((?:\s*\[\d{1,3}\])+)")
_SENTENCE_END = re.compile(r"(?<=[。！？；!?;])")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d{1,2}[.、)）])\s*")
_MARKUP = re.compile(r"\*\*|__|`|^#+\s*")

# Units a quantity may carry, longest first; equivalent spellings fold to one key.
_UNITS = ("个工作日", "工作日", "万元", "个月", "人日", "小时", "元", "月", "年", "周", "天", "日", "人", "分",
          "星", "级", "项", "类", "条", "步", "次", "倍", "家", "个", "%")
_UNIT_ALIASES = {"个工作日": "工作日", "个月": "月"}
_UNIT_RE = "|".join(map(re.escape, _UNITS))
_ARABIC = re.compile(rf"(?<![\d.])(\d+(?:\.\d+)?)({_UNIT_RE})?")
_THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")
# A lone 一 before 个/家/项… is an article (一个企业); 一年, 一个月, 一星 are quantities.
_ARTICLE_UNITS = {"个", "家", "条", "类", "项", "步"}
# Standard codes: GB/T 27922-2011, SB/T 10401-2006, ISO 9001:2015, RB/T 304.
_CODE = re.compile(r"(?<![a-z])([a-z]{1,4}(?:/[a-z])?)\s*(\d{2,6}(?:[.\-:：]\d{1,4})*)")


@dataclass(frozen=True)
class Claim:
    """One sentence of the LLM's answer and the verifier's verdict on it."""

    text: str  # the sentence without its [n] markers
    cites: tuple[int, ...]
    line: int  # which line of the answer it came from (keeps bullets apart when rebuilt)
    bullet: bool
    supported: bool = False
    reason: str = ""  # why it was dropped (English, for logs and the evaluation report)
    lexical: float = 0.0
    similarity: float = 0.0


@dataclass
class Verification:
    claims: list[Claim] = field(default_factory=list)

    @property
    def kept(self) -> list[Claim]:
        return [c for c in self.claims if c.supported]

    @property
    def dropped(self) -> list[Claim]:
        return [c for c in self.claims if not c.supported]


def split_claims(text: str) -> list[Claim]:
    """The answer's sentences with the [n] markers each one carries.

    A marker written after the full stop ("有效期为3年。[1]") belongs to the sentence before it.
    Lines that only introduce a list ("所需材料包括：") are not claims and are skipped.
    """
    claims: list[Claim] = []
    for line_no, raw in enumerate(text.splitlines()):
        line = _MARKUP.sub("", raw).strip()
        if not line:
            continue
        if claims and not _MARKER.sub("", line).strip():
            # Markers alone on a line belong to the sentence above them.
            last = claims[-1]
            cites = tuple(dict.fromkeys((*last.cites, *(int(n) for n in _MARKER.findall(line)))))
            claims[-1] = replace(last, cites=cites)
            continue
        bullet = bool(_BULLET.match(line))
        line = _BULLET.sub("", line)
        parts = [p for p in _SENTENCE_END.split(line) if p.strip()]
        sentences: list[str] = []
        for part in parts:
            lead = _LEADING_MARKERS.match(part)
            if lead and sentences:
                sentences[-1] += lead.group(1).strip()
                part = part[lead.end():]
            if part.strip():
                sentences.append(part.strip())
        for sentence in sentences:
            body = _MARKER.sub("", sentence).strip()
            # Punctuation left over from a split ("]", "[?") says nothing and is no claim.
            if not re.search(r"\w", body) or _is_connective(body):
                continue
            cites = tuple(dict.fromkeys(int(n) for n in _MARKER.findall(sentence)))
            claims.append(Claim(body, cites, line_no, bullet))
    return claims


def _is_connective(body: str) -> bool:
    return body.endswith(("：", ":")) and not re.search(r"\d", normalize(body)) and len(body) <= 30


def _written(text: str) -> str:
    """Width-folded (NFKC), lower case, thousands separators gone; numerals as written."""
    return _THOUSANDS.sub("", unicodedata.normalize("NFKC", text)).lower()


def quantities(text: str) -> set[tuple[str, str]]:
    """(value, unit) pairs of the numbers in `text`; unit "" for a bare number.

    Values are canonical decimals (3 = 三 = ３; 1.2万元 becomes 12000 元), units fold aliases.
    Numerals are read by `textproc.read_numbers`; a figure that exists only once they are read
    counts only before a unit, so 统一, 一些 and 一致 hold no number.
    """
    as_written = {_canonical(value, unit) for value, unit in _ARABIC.findall(_written(text))}
    read = {_canonical(value, unit) for value, unit in _ARABIC.findall(_written(read_numbers(text)))}
    return as_written | {q for q in read if q[1]}


def _canonical(value: str, unit: str) -> tuple[str, str]:
    number = float(value)
    if unit == "万元":
        number, unit = number * 10000, "元"
    unit = _UNIT_ALIASES.get(unit, unit)
    return f"{number:.4f}".rstrip("0").rstrip("."), unit


def _claim_quantities(text: str) -> set[tuple[str, str]]:
    """Like `quantities`, but a lone 一 before 个/家/条… is an article (一个企业), not a figure."""
    found = quantities(text)
    written = _written(text)
    for unit in _ARTICLE_UNITS:
        if ("1", unit) in found and not re.search(rf"(?<![\d.])1{re.escape(unit)}", written):
            found.discard(("1", unit))
    return found


def _codes(text: str) -> set[str]:
    return {f"{prefix}{number}".replace("：", ":") for prefix, number in _CODE.findall(normalize(text))}


def _quantity_supported(quantity: tuple[str, str], present: set[tuple[str, str]]) -> bool:
    value, unit = quantity
    if quantity in present:
        return True
    # A bare number in the sentence matches the same number with any unit, and a bare number in
    # a passage (a table cell, a standard code) supports the number with a unit.
    return any(v == value and (not unit or not u) for v, u in present)


def _lexical(body: str, cited_text: str) -> float:
    words = [w for w in content_words(body) if not re.fullmatch(r"[\d.%]+", w)]
    if not words:
        return 1.0
    hits = sum(any(form in cited_text for form in expand_synonyms([w])) for w in words)
    return hits / len(words)


def verify(text: str, passages: list[Passage], embedder: Embedder) -> Verification:
    """Judge every sentence of `text` against the passages it cites (numbered from 1).

    Args:
        text: the LLM's answer with [n] markers.
        passages: the passages given to the LLM, in the order they were numbered.
        embedder: the index's embedder, for the similarity check.

    Returns:
        Every claim with `supported` and, when dropped, the reason.
    """
    claims = split_claims(text)
    result = Verification()
    sentence_vectors: dict[int, tuple[list[str], np.ndarray]] = {}
    for claim in claims:
        result.claims.append(_judge(claim, passages, embedder, sentence_vectors))
    return result


def _judge(claim: Claim, passages: list[Passage], embedder: Embedder,
           cache: dict[int, tuple[list[str], np.ndarray]]) -> Claim:
    def drop(reason: str, **scores: float) -> Claim:
        return Claim(claim.text, claim.cites, claim.line, claim.bullet, False, reason, **scores)

    if not claim.cites:
        return drop("cites no passage")
    bad = [n for n in claim.cites if not 1 <= n <= len(passages)]
    if bad:
        return drop(f"cites [{bad[0]}], which was not given")
    cited_texts = [f"{passages[n - 1].section}\n{passages[n - 1].text}" for n in claim.cites]
    cited_norm = [normalize(t) for t in cited_texts]
    claimed = sorted(_claim_quantities(claim.text))
    present = [quantities(t) for t in cited_texts] if claimed else []  # read once per passage
    for quantity in claimed:
        if not any(_quantity_supported(quantity, found) for found in present):
            return drop(f"figure {''.join(quantity)} not in the cited passage")
    codes = sorted(_codes(claim.text))
    cited_codes = [_codes(t) for t in cited_texts] if codes else []
    for code in codes:
        if not any(code in found for found in cited_codes):
            return drop(f"standard code {code} not in the cited passage")
    lexical = max(_lexical(claim.text, t) for t in cited_norm)
    similarity = _similarity(claim.text, [n - 1 for n in claim.cites], passages, embedder, cache)
    if lexical < LEXICAL_MIN:
        return drop(f"words not in the cited passage ({lexical:.2f} < {LEXICAL_MIN})",
                    lexical=lexical, similarity=similarity)
    if similarity < SIMILARITY_MIN:
        return drop(f"meaning far from the cited passage ({similarity:.3f} < {SIMILARITY_MIN})",
                    lexical=lexical, similarity=similarity)
    return Claim(claim.text, claim.cites, claim.line, claim.bullet, True, "", lexical, similarity)


def _similarity(body: str, indexes: list[int], passages: list[Passage], embedder: Embedder,
                cache: dict[int, tuple[list[str], np.ndarray]]) -> float:
    """Highest cosine between the claim and any sentence (or heading) of the cited passages."""
    claim_vec = embedder.embed_queries([body])[0]
    best = -1.0
    for i in indexes:
        if i not in cache:
            p = passages[i]
            sentences = split_sentences(p.text) or [p.text]
            # The heading carries the subject a short list item leaves out ("证书有效期" › "3年").
            units = [*sentences, f"{p.section}：{p.text}"]
            cache[i] = (units, embedder.embed_queries(units))
        _, vectors = cache[i]
        best = max(best, float(np.max(vectors @ claim_vec)))
    return best


def unsupported_figures(answer: str, cited_texts: list[str]) -> list[tuple[str, str]]:
    """Figures of `answer` (its [n] markers aside) found in none of `cited_texts`, each checked
    against one text on its own. Empty for an answer whose every number has a source."""
    present = [quantities(t) for t in cited_texts]
    figures = quantities(_MARKER.sub("", answer))
    return sorted(q for q in figures if not any(_quantity_supported(q, found) for found in present))
