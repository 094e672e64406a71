"""Follow-up questions on retrieval answers: "那…呢" swaps the compared thing, a question with no
topic of its own keeps the last one, an ordinal ("第二项", "最后一步") points into the last list.

`resolve` turns a follow-up into a stand-alone question (or an index into the last answer's list)
from what the conversation's `AnswerMemory` holds; `remember` records an answered turn. The chat
session and batch `history` both go through these (batch history is replayed turn by turn).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from .citations import shift_citations
from .config import corpus_dir
from .question import Question, _fold, without_ordinal
from .routing import is_followup
from .textproc import normalize, word_lines
from .types import Answer, Citation, Passage

__all__ = ["AnswerMemory", "ItemNote", "Resolution", "add_item_note", "contrast_classes", "item_answer", "item_note", "remember", "resolve"]



# What an ordinal question says beyond pointing at the item: nothing in "第二条是啥意思" or "那第六条呢",
# a question of its own in "第三条我们不满足怎么办" (read on `Question.norm`, numerals in digits).
_ONLY_POINTING = re.compile(
    r"是?(?:啥|什么)意思|是什么|是啥|指的?(?:是|什么|啥)|是指"
    r"|说说|讲讲|说一下|讲一下|解释|展开|内容|请|再|那|呢|的|吗|啊|呀|[\W_]"
)
# "售后服务认证申请条件第3项是…": the item's own numbering is not part of what it says.
_ITEM_LEAD = re.compile(r"^[-*•]\s*|^.{0,30}?第\d+(?:项|条|步|点)(?:是|为|：|:)")
# "复评的时候还要再交吗" after "申请费多少": paying or handing in again, with nothing named to pay or
# hand in, is about the thing the last question named.
_AGAIN = re.compile(r"再(?:交|付|缴|提交|准备|办|收)(?:一次|一遍|1次|1遍)?(?:吗|么|不|呢|嘛|[？?]|$)")
# "那它是谁提出的" after "GB/T 27922是哪个部门发布的": 它 stands for what the last question was about,
# written before its first verb or ask.
# So does a leading 这/这个/那个 that is compared or classed ("这跟国标的星是一回事吗").
_IT = re.compile(r"它(?!们)|^(?:那|那么)?(?:这个|这|那个)(?=跟|和|与|同|比|算|属于)")
_SUBJECT = re.compile(r"^(.{2,16}?)(?:是|要|有|能|会|可以|需要|多|几|怎|哪|什么|啥|吗|的|在|由|做|搞|提供|开展|发布|提出)")
# "这些要交原件吗" / "上面几项都要吗" ask about the things the last answer listed.
# So does a leading 这个/那个 as the subject ("这个是必须的吗" after a question on on-site logistics).
# "其中之一" / "在里面吗" / "服务目标那条" point into what the last answer listed, too.
_BACK = re.compile(r"这些|那些|这几[项个条步样类种]|那几[项个条步样类种]|[这那]一?[条项步]|上面|上述|以上|它们|其中|之一|在里面|在里头|在其列"
                   r"|^(?:那|那么)?(?:这个|那个)(?=是|要|必须|得|需要|能|可以|有|算|也)")


# "还有别的吗" / "就这些吗" after an answer asks whether there is more on the same question: it is
# the last question again (its words, 别的 or 这些, are no topic to match).
_MORE = re.compile(r"^(?:那|那么)?(?:还有|另外还有)(?:没有)?(?:别的|其他|其它|其余)?(?:的)?(?:了)?(?:吗|么|呢|没|没有)?[？?。!！]*$"
                   r"|^(?:那|那么)?就(?:这些|这几[个项条样步]|这么多)(?:吗|么|了吗|了么|啊|呀)?[？?。!！]*$")


@dataclass
class AnswerMemory:
    """What the last retrieval answers of one conversation established."""

    question: Question | None = None  # the last question answered from the corpus, as resolved
    items: list[tuple[str, Passage]] = field(default_factory=list)  # the last list answered


@dataclass(frozen=True)
class Resolution:
    text: str  # the question to answer, stand-alone
    items: tuple[int, ...] = ()  # the items of the last list pointed to (0-based; -1 for the last item)
    how: str = "as_asked"  # as_asked | ordinal | item_asked | swapped | topic_kept


@lru_cache(maxsize=1)
def contrast_classes() -> tuple[tuple[str, ...], ...]:
    """Groups of things a follow-up can swap for each other (corpus/dict/contrasts.txt): one class
    a line, its members separated by spaces, longest spelling first within a member's group."""
    return tuple(tuple(_fold(w) for w in words) for words in word_lines(corpus_dir() / "dict" / "contrasts.txt"))


def _member(text: str, cls: tuple[str, ...]) -> str | None:
    """The longest member of `cls` in `text` (as written there), or None."""
    found = [w for w in cls if w in text]
    return max(found, key=len) if found else None


def _swap(folded: str, previous: str) -> str | None:
    """The previous question with its member of a class replaced by this question's member of
    the same class ("那四星呢" after "五星要多少分" → "四星要多少分")."""
    prev = _fold(previous)
    for cls in contrast_classes():
        new, old = _member(folded, cls), _member(prev, cls)
        if new and old and new != old and new not in old and old not in new:
            return prev.replace(old, new)
    return None


def resolve(q: Question, memory: AnswerMemory, *, has_topic: bool) -> Resolution:
    """A stand-alone reading of the question `q` given the conversation so far.

    Args:
        q: the question as parsed (its `ordinal` says 第二项 → 2, 最后一项 → -1, 倒数第三个 → -3).
        memory: what the conversation's earlier answers established.
        has_topic: whether the question names a topic of its own (answering.has_own_topic).
    """
    text, folded = q.text, _fold(q.text)
    previous = memory.question
    indices = _pointed(q) if memory.items else ()
    asked = without_ordinal(text)
    if not indices and memory.items:
        beside = _beside(folded, memory)
        if beside is not None:
            indices, asked = (beside[0],), folded.replace(beside[1], "", 1)
    if indices:
        rest = _ONLY_POINTING.sub("", normalize(asked))
        if len(rest) >= 2 and all(-len(memory.items) <= i < len(memory.items) for i in indices):
            # The items are what the question is about ("第三条我们不满足怎么办", "第一个和第二个有啥
            # 区别"): ask it of the items' own words.
            read = "；".join(_item_text(memory, i) for i in indices)
            return Resolution(f"{read}，{asked}", items=indices, how="item_asked")
        return Resolution(text, items=indices, how="ordinal")
    if previous is None:
        return Resolution(text)
    if _MORE.match(folded):
        return Resolution(previous.text, how="topic_kept")
    subject = _SUBJECT.match(previous.text.strip())
    if _IT.search(text) and subject:
        return Resolution(_IT.sub(subject.group(1), text, count=1), how="topic_kept")
    marked = is_followup(text) or bool(_BACK.search(folded))
    if marked:
        swapped = _swap(folded, previous.text) or (_asked_of(folded, previous) if has_topic else None)
        if swapped:
            return Resolution(swapped, how="swapped")
    if marked or not has_topic or _AGAIN.search(folded):
        return Resolution(in_topic(text, previous), how="topic_kept")
    return Resolution(text)


# "那最低能拿证的分数线呢": the thing named between 那 and 呢 is what the last question is asked of.
# "那跟绿色食品认证呢" compares with one more thing: the last question's topic stays (in_topic).
_THAT_ONE = re.compile(r"^(?:那|那么)(?![跟和与同比])(.{2,}?)(?:的)?呢[？?。!！]*$")


def _asked_of(folded: str, previous: Question) -> str | None:
    """The last question asked of a new thing that is in no class with its own ("那最低能拿证的分数线呢"
    after "五星要多少分" → "最低能拿证的分数线要多少分"): the last question less its subject, after the
    thing. None when the question is not "那…呢" or the last one has no topic words to leave out."""
    match = _THAT_ONE.match(folded)
    topic = [w for w in previous.focus if len(w) >= 2 and w in previous.norm]
    if not match or not topic:
        return None
    # The new thing takes the place of the first topic word, the subject ("申请材料要交原件吗" →
    # "营业执照要交原件吗": 原件 is what is asked of it).
    first = min(topic, key=lambda w: (previous.norm.find(w), -len(w)))
    rest = previous.norm.replace(first, "", 1).strip("，,。？?！! ")
    if rest == previous.norm.strip("，,。？?！! ") or len(rest) < 2:
        return None
    return f"{match.group(1)}{rest}"


# "审定前面那一步", "整改之后的那步": the item next to the one that names a step, in the last list.
_BESIDE = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:的|那[一1]?[步项条个])?(前面|前边|前头|之前|上[一1]|后面|后边|后头|之后|下[一1])"
                     r"(?:的)?(?:那|这)?[一1]?(?:步|项|条|个|环节)")


def _beside(folded: str, memory: AnswerMemory) -> tuple[int, str] | None:
    """(the 0-based index of the item before or after the one the question names, the words that point
    at it), when exactly one item of the last list holds the name and the neighbour exists."""
    match = _BESIDE.search(folded)
    if not match:
        return None
    before = match.group(2)[0] in "前上"
    named = match.group(1)
    # The name is the longest tail of the words before 前面/后面 that some item holds ("审定" of "提请…审定").
    for start in range(len(named) - 1):
        name = normalize(named[start:])
        holding = [i for i in range(len(memory.items)) if name in normalize(_item_text(memory, i))]
        if holding:
            if len(holding) != 1:
                return None
            index = holding[0] + (-1 if before else 1)
            return (index, match.group(0)) if 0 <= index < len(memory.items) else None
    return None


def _pointed(q: Question) -> tuple[int, ...]:
    """The 0-based items of the last list the question's ordinals point to: several at once (前三条)
    or one (第二条, 倒数第三个); one past the end is kept, so the answer can say it is not there."""
    ordinals = q.ordinals or (() if q.ordinal is None else (q.ordinal,))
    return tuple(o - 1 if o > 0 else o for o in ordinals)


def topic_words(q: Question) -> str:
    """What a question without a topic of its own takes from `q`: its focus words of two or more
    characters ("监督评审" from "监督评审多久一次")."""
    return "".join(w for w in q.focus if len(w) >= 2)


def in_topic(text: str, previous: Question) -> str:
    """`text` read in the topic of `previous` (its whole text when its focus names nothing)."""
    return f"{topic_words(previous) or previous.text} {text}"


def _item_text(memory: AnswerMemory, index: int) -> str:
    """What the last list's item says, without its numbering or closing punctuation."""
    return _ITEM_LEAD.sub("", memory.items[index][0]).rstrip("。；;")


@dataclass(frozen=True)
class ItemNote:
    """How an ordinal question with a question of its own was read: the item of the last list."""

    number: int
    text: str
    passage: Passage


def _number(memory: AnswerMemory, index: int) -> int:
    """The item's number as the last answer showed it (index -1 is the last item)."""
    return index + 1 if index >= 0 else len(memory.items) + index + 1


def item_note(memory: AnswerMemory, index: int) -> ItemNote:
    """The item an ordinal question points to, read before the turn replaces the last list."""
    return ItemNote(_number(memory, index), _item_text(memory, index), memory.items[index][1])


def add_item_note(answer: Answer, note: ItemNote) -> None:
    """Show the reading above `answer`, citing the item it quotes (its passage keeps its number when
    the answer cites it too), so the item's source is named like every other claim."""
    passage = note.passage
    n = next((c.n for c in answer.citations if (c.doc_id, c.section) == (passage.doc_id, passage.section)), None)
    body = answer.answer
    if n is None:
        # The note comes first, so its source is [1] and the answer's own numbers move up by one.
        n = 1
        body, shifted = shift_citations(body, answer.citations, 1)
        answer.citations = [Citation.from_passage(1, passage, note.text), *shifted]
    answer.answer = f"（按上一个回答的第{note.number}项理解：{note.text}[{n}]）\n\n{body}"


def item_answer(memory: AnswerMemory, *indices: int) -> Answer:
    """The items ordinals point to in the last list (one, or several: 前三条), quoted and cited."""
    from .citations import Citations

    items = memory.items
    for index in indices:
        if not -len(items) <= index < len(items):
            asked = f"第{index + 1}项" if index >= 0 else f"倒数第{-index}项"
            return Answer(
                f"上一个回答的清单只有{len(items)}项，没有{asked}。请说明想问哪一项，或换个问法。",
                abstained=True, intent="not_covered",
            )
    cites = Citations()
    lines = []
    for index in indices:
        text, passage = items[index]
        body = re.sub(r"^[-*•]\s*", "", text)
        lines.append(f"第{_number(memory, index)}项：{body}{cites.quote(passage, text)}")
    answer = Answer("\n".join(lines), intent="qa")
    answer.citations = cites.citations
    return answer


def remember(memory: AnswerMemory, question: Question, items: list[tuple[str, Passage]]) -> None:
    """Record an answered turn: its question, and its list when it gave one (an answer without a
    list keeps the previous list, so "第五条…" then "那第六条呢" still point into it)."""
    memory.question = question
    if items:
        memory.items = list(items)
