"""A question, parsed once: normalised text, words and weights, type, focus, parts.

`parse_question` reads a user's text into one `Question` that the scope decision, the composer and
follow-up resolution all read; none of them normalises or segments the question again. Word
weights come from the index's IDF (`Lexicon`); matching reads passage text that was normalised at
index time.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache

from .textproc import (
    _STOPWORDS,
    _tokenizer,
    content_words,
    expand_synonyms,
    general_frequency,
    normalize,
    read_numbers,
    segment,
    tokenize,
)

__all__ = [
    "QUESTION_TYPES",
    "Lexicon",
    "Question",
    "chat_aside",
    "chat_kind",
    "counted_noun",
    "match_word",
    "matchable",
    "parse_question",
    "question_asks",
    "reports_claim",
    "split_parts",
    "stated_figures",
    "states_figure",
]

QUESTION_TYPES = (
    "definition", "yes_no", "how_many", "how_much", "how_long", "when", "who",
    "enumeration", "process", "comparison", "why", "conflict", "other",
)


# A one-character word (办, 拿, 交) is matched inside unrelated words (办 in 办下来, 交 in 交通):
# it keeps this share of its weight.
SINGLE_CHAR_SHARE = 0.3


_CJK_WORD = re.compile(r"[\u4e00-\u9fff]+")
# The direction a verb's act takes (冒出来, 写进去, 升上去); 过去 is left out (it is also "the past").
_DIRECTIONS = ("出来", "起来", "下来", "下去", "进来", "进去", "出去", "过来", "上来", "上去", "回来", "回去")
# A verb said twice (翻翻) or followed by the direction of its act.
_BARE_VERB = re.compile(rf"([\u4e00-\u9fff])(?:\1|{'|'.join(_DIRECTIONS)})")


# A suffix that makes a word a measure of what it names (通过率 is a rate, not 通过).
_MEASURE_SUFFIX = ("率",)


@dataclass(frozen=True)
class Lexicon:
    """What the index knows about words: IDF per token, and whether synonyms count as the word."""

    idf: dict[str, float] = field(default_factory=dict)
    synonyms: bool = True
    # (word, weight, forms) of texts matched again and again (question forms), by their words.
    _terms: dict[tuple[str, ...], tuple[tuple[str, float, tuple[str, ...]], ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @cached_property
    def unknown_weight(self) -> float:
        """A word the corpus never uses weighs as much as a typical one (the median IDF): how rare a
        word is in general Chinese did not tell whether it names the point asked about (工资 and
        小时 are common and do; 到手 is rare and does not), so no other guess is made."""
        ordered = sorted(self.idf.values())
        return ordered[len(ordered) // 2] if ordered else 1.0

    def forms(self, word: str) -> tuple[str, ...]:
        return tuple(expand_synonyms([word])) if self.synonyms else (word,)

    def weight(self, word: str, forms: tuple[str, ...]) -> float:
        # A concept weighs as its most common known form (商品售后服务认证 is a rare string, but
        # 售后服务认证 is everywhere).
        known = [self.idf[f] for f in forms if f in self.idf]
        weight = min(known) if known else self.unknown_weight
        return weight * (SINGLE_CHAR_SHARE if len(word) == 1 else 1.0)

    def split_unknown(self, words: tuple[str, ...]) -> tuple[str, ...]:
        """Words the corpus does not know, read as their parts when they have some (评审老师 →
        评审 老师, 最高级别 → 最高 级别): parts the corpus knows first, then the longest.

        A two-character word that neither the corpus nor jieba's dictionary knows is one jieba's
        HMM glued together from colloquial text (星能 in 星能印到, 人会 in 评审的人会): it is read as
        its characters, less the function ones.
        """
        out: list[str] = []
        for word in words:
            verb = _BARE_VERB.fullmatch(word)
            if verb and not self.knows(self.forms(word)):
                # 翻翻 / 写写 (a verb said twice, "just a little") and 升上去 / 写进去 (a verb and the
                # direction of its act) are the verb.
                out.append(verb.group(1))
                continue
            if len(word) == 2 and not self.knows(self.forms(word)) and not _in_dictionary(word):
                out += [ch for ch in word if ch not in _STOPWORDS and not ch.isdigit()]
                continue
            if len(word) < 3 or self.knows(self.forms(word)) or word.endswith(_MEASURE_SUFFIX):
                # A word made a measure by its suffix stays whole (通过率).
                out.append(word)
                continue
            taken = [False] * len(word)
            parts: list[tuple[int, str]] = []
            subs = [t for t in dict.fromkeys(segment(word)) if t != word and len(t) >= 2 and t in word]
            for sub in sorted(subs, key=lambda t: (not self.knows(self.forms(t)), -len(t))):
                at = word.find(sub)
                if not any(taken[at : at + len(sub)]):
                    taken[at : at + len(sub)] = [True] * len(sub)
                    parts.append((at, sub))
            # A part that is a function word (公司 in 子公司) would match anywhere: drop it; a word
            # with no other part stays whole.
            kept = [sub for _, sub in sorted(parts) if sub not in _STOPWORDS]
            if not kept and not _in_dictionary(word) and _CJK_WORD.fullmatch(word):
                # Glued by jieba's HMM and made of no word (分全扣 in 整项分全扣): its characters.
                kept = [ch for ch in word if ch not in _STOPWORDS and not ch.isdigit()]
            out += kept or [word]
        return tuple(dict.fromkeys(out))

    def terms(self, words: tuple[str, ...]) -> tuple[tuple[str, float, tuple[str, ...]], ...]:
        """(word, weight, forms) for each of `words`, computed once per distinct tuple of words."""
        found = self._terms.get(words)
        if found is None:
            found = tuple(
                (w, self.weight(w, forms) if self.idf else 1.0, forms) for w in words for forms in [self.forms(w)]
            )
            self._terms[words] = found
        return found

    def knows(self, forms: tuple[str, ...]) -> bool:
        return any(f in self.idf for f in forms)


# A word rarer than this (IDF) names a topic of its own; commoner words (认证, 企业, 申请) do not,
# nor do words that only say what kind of thing is wanted (例子, 情况, 原因).
TOPIC_MIN_IDF = 1.5
_META_NOUNS = frozenset(["例子", "举例", "示例", "情况", "问题", "内容", "东西", "方面", "事情", "情形", "原因", "说法", "依据", "规定", "要求",
                         "每个", "每家", "各个", "每一个", "环节", "事项", "部分",
                         # ... or a figure stated before ("这个数据靠谱吗").
                         "数据", "数字", "数目",
                         # ... or what is required, said colloquially ("对法律法规有啥讲究").
                         "讲究", "说道", "门道", "规则", "规矩",
                         # ... or how far a thing must go ("得做到啥程度"): the thing is named beside it.
                         "程度", "地步", "做到"])


def names_topic(words: tuple[str, ...], lexicon: Lexicon) -> bool:
    """Whether `words` name what a question is about: a known word of two characters or more, not
    too common and not a word for a kind of thing."""
    return any(
        len(w) >= 2 and w not in _META_NOUNS and any(lexicon.idf.get(f, 0.0) >= TOPIC_MIN_IDF for f in lexicon.forms(w))
        for w in words
    )


# jieba's dictionary counts: a word this frequent in general Chinese (开始 38k, 同时 30k) is everyday
# language; the points users ask about are rarer (撤销 5k, 申诉 885, 补办 38).
EVERYDAY_FREQ = 20000


def _frequency(word: str) -> int:
    """The word's count in jieba's dictionary (0 when it is not listed)."""
    return int(_tokenizer().FREQ.get(word, 0))


def is_everyday(word: str) -> bool:
    """Whether the word is one of everyday Chinese (jieba's own dictionary frequency, not the count
    our dictionary gives its words: 服务文化 is no everyday word)."""
    return general_frequency(word) >= EVERYDAY_FREQ


def _in_dictionary(word: str) -> bool:
    """Whether jieba's dictionary lists the word as more than a rare compound (frequency >= 10)."""
    return _frequency(word) >= 10


# ---------------------------------------------------------------------------------------------
# What a question asks for. Patterns run on the folded text (width and case folded, Chinese
# numerals kept, so 一共 / 一次 stay words); the first matching kind is the question's type,
# and every matching kind is kept in `asks`.

# A remark that sources disagree ("怎么不同网站数目不一样", "网上说法咋不一样") asks for the
# disagreement on the question it follows: its words (网站, 数目) are not the point.
_DISAGREE = re.compile(
    r"(?:怎么|为什么|为啥|咋)?(?:不同|各个|各家)?(?:网站|网上|网页|文章|来源|资料|大家)(?:的|上)?(?:说法|数目|数字|口径|写的|说的)?"
    r"(?:咋|怎么|都|为什么|为啥)?(?:不一样|不一致|不一|不同|对不上|打架|有出入|矛盾)"
    r"|(?:说法|数目|数字|口径)(?:咋|怎么|都|为什么|为啥)?(?:不一样|不一致|不一|不同|对不上|打架|有出入|矛盾)"
)

# Whether something can be done, asked with a word for feasibility ("第一回就想拿五星，现实不"):
# a 能不能 question about the clause, not a question about 现实.
_FEASIBLE = r"(?:现实|可能|可行|有可能|做得到|办得到|来得及|行得通|走得通)(?:不|吗|么|嘛|没|不现实)|行不通(?:吗|么|嘛)?|(?:还)?有戏(?:吗|么|没|不)?|有没有戏|没戏了?吗?"


# Verbs of telling: "说几条", "给我列几家", "举几个" ask to be told a few items, not for a count.
_TELL_VERBS = "说列举讲写"
_TELL = f"(?<![{_TELL_VERBS}])"  # not right after one
_ASKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("comparison", re.compile(r"区别|不同|差别|差异|不一样|一样吗|一样不|一回事|对比|比较|相比|比起|哪个好|哪个更|vs|有何异同"
                              r"|(?:啥|什么|有啥|有什么|有没有|是何)关系")),
    ("why", re.compile(r"为什么|为啥|为何|什么原因|啥原因|凭什么|怎么会")),
    ("who", re.compile(r"谁|哪个部门|哪家|什么机构|哪个机构|哪些机构|哪里办|在哪|什么单位|哪个单位")),
    ("how_much", re.compile(
        r"多少钱|费用|收费|价格|价钱|多少元|(?<![哪分成])几块(?!儿)|几千块|几万块|花多少|交多少|付多少|贵不贵|多贵|报价|要钱|掏钱|收钱|花钱|银子|成本|预算")),
    ("how_long", re.compile(
        r"多久|几年|多长时间|多长|几个月|多少天|几天|几周|多少年|期限|周期|有效期|管几年|管多久|多少个月|什么时候到期|隔多长|几小时|多少小时|几个小时")),
    ("when", re.compile(r"什么时候|何时|哪天|哪年|哪一年|哪一天|几月|日期|什么时间|几点")),
    # "哪几种人" asks which kinds (an enumeration), not how many; "说几条" asks to be told a few (see
    # enumeration); "分几块" counts parts.
    ("how_many", re.compile(
        rf"{_TELL}几个|{_TELL}几项|几步|(?<=[分成])几块|(?<!哪)几类|(?<!哪)几种|几次|{_TELL}几家"
        rf"|几名|几位|{_TELL}几条|几大|几颗|几回|几级|几部分|几个阶段"
        r"|多少个|多少项|多少家|多少种|多少次|多少名|多少条|多少步|多少类|几成|多少分|几分")),
    ("process", re.compile(
        r"流程|步骤|程序|怎么办理|如何办理|怎么申请|如何申请|怎么办|咋办|怎么弄|咋弄|怎么走|咋整|怎么整|办理过程|怎么操作|怎么做|如何做|怎么搞|咋搞")),
    ("enumeration", re.compile(
        r"哪些|哪几|都有什么|都有啥|有什么|有啥|包括什么|包括啥|包含什么|包括哪|列出|列一下|列个|清单|全部|所有的|分别|都要什么|都要啥"
        r"|什么材料|什么资料|啥材料|啥资料|什么条件|啥条件|什么要求|啥要求|哪几类|分哪|分为|各是|都.{0,4}(什么|啥)|些(什么|啥)"
        r"|[一二两三四五六七八九十\d]+(?:项|个|步|条|类|大)[^，,。？?]{0,10}(?:是什么|是哪些|有哪些|都是|分别|包括|是啥)"
        r"|哪[一二两三四五六七八九十\d]+(?:项|个|步|条|类|大|点|样)"
        # Asked to tell a few ("说几条", "给我列几家", "举几个"): a list, not a count.
        rf"|[{_TELL_VERBS}]几[条个家点项样]"
        r"|(?:条件|材料|资料|步骤|流程|要求|指标|项目|清单)(?:都|分别)?(?:是什么|是啥|是哪些|包括)"
        r"|划分|怎么分|咋分|怎么划|咋划"
        # Asked one by one: 一条条列给我, 一样一样列全, 逐项说.
        r"|一(?P<each>[条项样步点])一?(?P=each)|逐[条项步点]|挨个|列(?:给|出来|全|清楚)")),
    ("definition", re.compile(
        r"是什么|什么是|什么叫|叫什么|指什么|是指|啥是|是啥|什么意思|啥意思|含义|介绍一下|解释一下|讲讲|说说|是个什么|是干什么|干啥的")),
    # The asker has seen sources disagree: sentences that report what several sources say answer it.
    ("conflict", re.compile(r"说法不一|说法.{0,2}不一样|有的说|有人说|也有说|网上说|到底|究竟|还是|哪个对|哪个准|听谁的|真的假的|以哪个为准|"
                            + _DISAGREE.pattern)),
    ("yes_no", re.compile(
        r"吗|么$|能不能|可不可以|能否|是否|是不是|有没有|要不要|需不需要|会不会|用不用|行不行|对不对|对吧|是吧|可以不|能办不|行不|算不算|有用没"
        r"|[能要会用算行可有是办][^，,。？?]{0,8}不[？?]?$|([\u4e00-\u9fff])不\1|" + _FEASIBLE)),
)
# Kinds whose answer is a whole list (every item, numbered), not a best sentence.
LIST_KINDS = frozenset({"enumeration", "process"})
# Phrases that say how something is asked rather than what about: removed before the focus words
# are read, so "多久一次" or "是什么意思" never count as the thing asked about. Nouns that name the
# thing (流程, 费用, 条件, 有效期) stay.
# 能用多久 / 管多久 ask how long a certificate holds (有效期), not how long a step takes: they stay words.
_TYPE_SPANS = re.compile(
    _FEASIBLE + r"|多少钱|多少元|几块|花多少|交多少|付多少|贵不贵|多贵|要钱|掏钱|收钱|花钱|交钱|付钱|给钱|收费吗|要收费|(多久|多长时间|几年|几个月)(一|1)次|(?<!能用)(?<!管)多久|几年|多长时间|多长|几个月|多少天|几天|几周|多少年|多少个月"
    r"|最(?:狠|重|严重|严|厉害|要命|致命)|什么时候|何时|哪天|哪年|哪一年|多少分|几分|几成|(?:个)?(?:啥|什么|多少|多大)比例|百分之几|几分之几|多少|几[个项步类种次家名位条大颗回级道关]?"
    r"|怎么办理|如何办理|怎么申请|如何申请|怎么办|咋办|怎么弄|咋弄|怎么走|咋整|怎么整|怎么操作|怎么做|如何做|怎么搞|咋搞|怎么样|怎样|怎么|如何|咋"
    r"|哪些|哪几[个项类种步条块道关]?|都有什么|都有啥|有什么|有啥|包括什么|包括啥|包含什么|包括哪|列出来|列出|列一下|列个|全部|所有的|分别|挨个|逐个|逐条|逐项|一一|一条条|一项项|一个个|都要什么|都要啥"
    r"|是?(?:啥|什么)意识|是什么|什么是|什么叫|叫什么|叫啥|指的?(?:是)?(?:什么|啥)|是指|啥是|是啥|什么意思|啥意思|介绍一下|解释一下|讲讲|说说|是个什么|为什么|为啥|为何|什么原因|啥原因"
    r"|什么|啥|哪[一1]?[类种个项条步家级]|哪个|哪里|哪|谁|吗|呢|吧|能不能|可不可以|能否|是否|是不是|有没有|要不要|需不需要|会不会|用不用|行不行|对不对|对吧|是吧"
    r"|区别|不同|差别|差异|不一样|一样|一回事|对比|比较|相比|不[？?]?$|(?<=[啥么])关系|有没有关系"
    r"|一般|大概|大约|通常|到底|究竟|一共|总共|拢共|统共|总计|加起来|请问|想问|问一下|问下|顺便|麻烦|帮我|告诉我|那么|我们|咱们|我司|贵司"
    r"|^(?:那么|那如果|那要是|要是|如果|假如|假设|那)|的话|合适|比较好|最好|为宜|合理|稳妥|妥当|正常(?:范围|水平)?"
    r"|这玩意儿?|这东西|这个东西|哪些东西|什么东西|啥东西|发我|发给我|给我发|只要|就够|就行|够了吧|对吧|是吧"
    r"|哪[一1]?[类种个项条步家级]|网上(?:都)?说|(?:网上|也|还)?有(?:人|的)?说(?!明)|听说|有人说|有的说|据说|说法不一样?|说法|都列出来|列出来|全部|详细一?点|详细|具体一?点|一一"
    r"|说一下|讲一下|说下|讲讲|报一下|报下|按顺序|按次序|依次|挨个儿?|具体|靠谱吗|准不准|对不对|比较靠谱|靠谱|咋回事|怎么回事|是啥情况|什么情况"
    r"|从头到尾|从头至尾|从前到后|一步[一1]?步|每[一1]?步|每[一1]?个环节|(?:捋|过|讲|说|理|顺|梳理)[一1]?遍"
    r"|全部?列出来?|都列出来|一[个项条样件步]不落|一[个项条样件步]都?(?:别|不要|不能)漏|不要漏|别漏|详细点|详细|说全|完整"
    r"|听谁的|信谁的|哪个对|哪个准|哪个说法对|以哪个为准|以谁为准|该信哪个|哪种说法|哪个是对的|谁说的对"
    r"|按哪个算?|以哪个|哪个为准|哪个是真的|哪个靠谱|说法对吗"
    r"|你好|您好|早上好|上午好|中午好|下午好|晚上好|想了解(?:一下|下)?|了解(?:一下|下)"
    r"|准确吗|准确不|可信吗|可信不|是真的吗|真的吗|是这样吗|是不是这样|属实吗|对吗|没错吧|有依据吗|有根据吗|靠不靠谱|可靠吗"
    r"|靠得住|靠不住|信得过|站得住脚?"
    # Whether something is required, asked of it (这个是必须的吗): the thing is the point, not 必须.
    r"|(?:是)?必[须需]的(?:吗|么|不|嘛)|(?:是)?必不可少的?(?:吗|么|不|嘛)?"
    # Whether any will do (随便哪家出的都行吗): how it asks, like 行不行.
    r"|都(?:行|可以|成|算|认)(?:吗|么|嘛|不|吧)"
    r"|分?哪几[个项类种步条块道关]?|分为几[类种个]|(?:多久|多长时间|几个月|几天)(?:能|可以|才能)?(?:办完|办好|办下来|拿到证书?|拿证|下证|完成)"
)


_SLASH_T = re.compile(r"\b(gb|sb)/t")


def matchable(text: str) -> str:
    """`normalize`d text in the spelling question words are matched against: segmentation reads
    "GB/T 27922" as the words gbt and 27922, so "gb/t" is written "gbt" here. Passages are stored
    this way at index time; questions are read this way once, in `parse_question`."""
    return _SLASH_T.sub(r"\1t", normalize(text))


def _fold(text: str) -> str:
    """Width and case folded, white space removed; Chinese numerals kept (unlike `normalize`)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def question_asks(text: str) -> tuple[str, ...]:
    """Every kind of answer the text asks for, most specific first (see `_ASKS`)."""
    folded = _NOT_ASKING.sub("", _fold(text))
    # "网上说法咋不一样" says sources differ: it asks for the disagreement, compares nothing.
    folded, disagree = _DISAGREE.subn("，", folded)
    asks = tuple(kind for kind, pattern in _ASKS if pattern.search(folded))
    return ("conflict", *(k for k in asks if k != "conflict")) if disagree else asks


# ---------------------------------------------------------------------------------------------
# Chat: a message that is only a greeting, thanks, goodbye, acknowledgement, or a question about
# the assistant itself. Anything left over after removing those phrases makes it a real question.

_CHAT: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("identity", re.compile(
        r"你是谁|你叫什么(名字)?|你是(不是)?(人|真人|机器人|ai|人工智能|客服|人工客服|什么模型|什么)|是人还是机器|谁开发的你"
        r"|(你|你们)是(哪|哪个|哪家|什么)(个)?(公司|单位|机构)(做|开发|出)?的|(你|你们)是(谁|哪家)(做|开发)的"
        # Who made the assistant, named as such ("你们这个助手是哪家公司做的", "这机器人谁开发的").
        r"|(你|你们)?(这个?)?(小?助手|机器人|系统|程序|软件|工具)(是)?(谁|哪家|哪个|什么)(公司|单位|团队|机构)?(做|开发|出|研发|搞)的"
        r"|(有|能转|转)(人工|真人)(客服)?(吗)?|人工客服"
        # "你是ChatGPT吗", "你是豆包吗": any product or model name asked as what the assistant is
        # ("你是说…吗" asks about what was said).
        r"|你是(不是)?[a-z][a-z0-9.\-]*|^你是(不是)?(?!说|指|讲|在|要|想)[\u4e00-\u9fff]{2,6}(吗|嘛|么)?$"
        r"|你(用|是)的?(什么|哪个|啥)(模型|大模型|ai)|你是(不是)?(大模型|大语言模型|gpt|机器)"
        # Small talk put to it as to a person: 你吃饭了吗.
        r"|你吃(饭|了)了?(吗|么|没|没有)?"
        # ... or whether a person types the replies: 还是客服在打字, 是真人在回吗.
        r"|(还是|是不是|是)?(真人|客服|人工|有人)在(打字|回复|回答|回|聊)")),
    ("ability", re.compile(
        r"你(能|会|可以)(帮我)?(做|干|回答|解答|问)?(些)?(什么|啥|哪些)(问题)?|你有(什么|啥)(用|功能)|能帮我(做|干)?(些)?(什么|啥)"
        r"|怎么用你|你都会(些)?(什么|啥)|你(的)?资料(是)?(从)?哪(里|儿)?来(的)?|你靠谱(吗|不)|你说的(准|对)(吗|不)|你的功能"
        # A newcomer who does not know what to ask: 第一次用这个，不知道从哪问起.
        r"|(第一次|头一回|刚开始)用(这个|你)?|(不知道|不晓得|不清楚)?(该|要)?从哪(里|儿)?(开始)?问(起)?"
        r"|你(会|能)干(嘛|啥)|(能|可以)问(些)?(什么|啥|哪些)(问题)?|有(什么|啥|哪些)(问题)?(可以|能)问(的)?"
        r"|(不知道|不晓得)(该|要)?问(些)?(什么|啥)"
        # Whether it chats at all ("你会不会陪人聊天啊", "能陪我聊聊吗").
        r"|(你)?(会不会|能不能|会|能|可以)?陪(人|我)?(聊天|聊聊|闲聊|唠嗑|说说话)|你(会|能|可以)(聊天|闲聊)"
        # Whether it can work out sums: 你会不会算账.
        r"|你(会不会|能不能|会|能)(算账|算钱|算费用|报价|算分)")),
    ("thanks", re.compile(
        r"谢谢(你|您|啦|了)?(的)?(回答|解答|帮助|帮忙)?|多谢(啦|了|你|您)?|麻烦(了|啦|你了|您了)|感谢(你|您)?|谢啦|谢了|thanks?(you)?|thx|辛苦(了|啦|你了)?|太感谢|非常感谢"
        r"|(很|挺|真|太|非常)?有(帮助|用)|帮(了)?大忙(了)?|太(棒|好)了|(说|讲)得(很|挺|真)?(清楚|明白|好)|3q|感恩"
        r"|(你)?(真|好|太)?(厉害|棒|牛|强|聪明)(了|啊|呀)?|不错|有意思|赞"
        # Praise in numbers and net slang (666, 牛蛙, yyds), said as a whole message.
        r"|6{2,}|8{3,}|yyds|nb|牛蛙|绝了|点赞|受教(了|啦)?|学到了|涨知识(了)?"
        # Praise of the answer itself: 你这回答挺专业啊, 讲得蛮详细.
        r"|(你)?(这|这个|的)?(回答|答案|解答|回复)?(挺|很|真|太|非常|蛮|还挺|还蛮)(专业|详细|清楚|到位|给力|全面)(的)?(啊|呀|嘛)?")),
    ("bye", re.compile(r"再见|拜拜(啦|了)?|拜|bye(bye)?|回头(再)?(聊|见|问|联系)|下次(再)?(问|聊|见)|先这样(吧)?|就这样(吧)?|告辞"
                       r"|有空再(聊|问|联系)|晚安|(我)?先下(了|线了?|啦)|(今天)?(就)?(先)?问到这(里|儿)(吧|了)?"
                       r"|回聊|改天(再)?聊|(明天|明儿|回头|下周|周一|改天|晚点|待会儿?|一会儿?)见|下班(了|啦|喽)|88+6?|下线(了|啦)|(我)?(先)?(去)?忙(了|去了|去啦)|(先)?去忙(了|啦)?"
                       # Wishes close a conversation: 周末愉快, 新年快乐, 祝你工作顺利.
                       r"|(祝(你|您)?)?[\u4e00-\u9fff]{0,4}(愉快|快乐|顺利|顺心|开心)")),
    ("greeting", re.compile(
        r"你好(呀|啊)?|您好|hello|hi|hey|嗨|哈喽|在吗|在么|在不在|在线(吗|么|嘛|不|等)?|急等|(老师|大家|各位|亲)好"
        r"|(新年|过年|节日|春节|中秋|国庆|周末)好|早(啊|呀|哇)|午安|喂|在不|在没|有人在(吗|么|不)?|有人吗"
        # Asking leave to ask: 能问个问题吗, 请教一下, 问个事.
        r"|(能|可以)?(问|请教)(你)?(一|几)?个(问题|事)(吗|么)?|(我)?想问(一)?个(问题|事)|有个(问题|事)想(请教|问|咨询)"
        r"|请教(一下|下)|请问(一下|下)|(今天|今儿)?(又|我又)?来(请教|咨询|打扰|麻烦你|问问?|学习)(一下|下)?(了|啦)?|早上好|上午好|中午好|下午好|晚上好|早安|^早$"
        r"|(还|我还|另外还)有(个|一个|几个)?问题(想|要)(问|请教|咨询)"
        r"|我想咨询(一下)?|咨询(一下)?|打扰(了|一下)?|(小)?助手|测试(一下)?|test"
        # Introducing oneself to someone new: 请多指教, 初次见面, 多多关照.
        r"|(请|还请)?多(多)?(指教|关照|指点)|初次见面|初来乍到|幸会"
        # Whether now is a good time to ask: 现在方便问吗, 方便打扰一下不.
        r"|(现在|这会儿?)?方便(问|问问|问个事|打扰|咨询|聊|说话)(一下|几句)?(吗|么|嘛|不)?")),
    ("ack", re.compile(
        r"ok(ay)?|好的|好滴|好嘞|好|嗯嗯|嗯|哦哦|哦|收到|明白(了)?|懂了|知道了|了解(了解|了)?|妥(了)?|清楚了|行(吧)?|可以(了)?|没问题(了)?"
        r"|没(有)?(别的|其他|其它)?(的)?问题了|没别的了|没有了|没事了|(我)?再(看看|想想|研究研究|考虑考虑)|(我)?考虑(一)?下"
        r"|回头再说|哈哈+|呵呵|嘿嘿|原来如此|(是|原来)?这样(啊|呀|哦)|(哦|噢)+"
        # Owning up to a slip: 对不起，刚才打错字了.
        r"|(刚才|刚刚)?(打错字?|发错|问错|说错)了?|(我)?(先)?想想再问"
        # Hesitation sounds and leaving the questions there: 额, 呃, 就这些, 先不问了, 随便问问, 试试.
        r"|额+|呃+|就这些(?![吗么])|(先)?不问了|随便(问问|看看)|试试|试一下"
        # Saying what they will do next: 我去跟领导汇报一下, 先和老板商量商量.
        r"|(我|我们)?(去|先|回头|再)?(跟|和|向|找)[\u4e00-\u9fff]{1,4}?(汇报|商量|请示|沟通|确认|说说|说一声|研究)"
        r"(一下|下|商量|研究)?"
        # ... or keeping the answer (我先记下来, 这些我截个图), or going to ask someone (稍等，我去问问财务).
        r"|(我)?(先)?(记下来|记下了|记一下|记住了|记着|截个图|截图了|截下图|截图)(了|吧|先)?"
        r"|(稍等|等一下|等等|等下)|(我)?(先|再)?去?问问(我们|公司)?[\u4e00-\u9fff]{1,3}$"
        # ... or passing the answer on: 我把这些转给同事看看, 截图发给老板瞧瞧.
        r"|(我|我们)?(先|回头|再|等下)?(把(这些|这个|这|它|上面的?|内容|回答|答案)?|截图|截个图)?(转|转发|发|给|拿|截图发)给?"
        r"[\u4e00-\u9fff]{1,4}?(看看|看一下|看下|瞧瞧|过目|参考(一下)?)")),
)
# Filler, and the ways users address whoever answers (老师, 亲).
_CHAT_FILLER = re.compile(r"[\W_]|请问|老师|亲|那|我|你|您|就|先|的|了|呀|啊|哈|吧|呢|吗|哦|噢|嘛|哟|~|又|也|都|还|非常|真的|好的"
                          r"|对不起|不好意思|抱歉")


def chat_kind(text: str) -> str | None:
    """`greeting`, `thanks`, `bye`, `identity`, `ability` or `ack` when the whole message is chat.

    The kind reported is the most telling one present (a question about the assistant before thanks
    before a goodbye before a greeting before an acknowledgement).
    """
    return _read_chat(text)[0]


def chat_aside(text: str) -> str | None:
    """The chat kind of a message that greets, thanks or takes leave and otherwise only remarks,
    asking nothing ("小助手你好，初次见面请多关照", "行了，我先去开会，回聊"): no question mark or
    question word anywhere, and no way of asking (see `_ASKS`) or instruction in what is left.
    Whether the remark names one of our concepts is the scope's call (`scope.check_scope`)."""
    return _read_chat(text)[1]


def _read_chat(text: str) -> tuple[str | None, str | None]:
    """(`chat_kind`, `chat_aside`) of the text: its chat phrases are found and stripped once for both."""
    folded = _fold(text)
    if not re.search(r"\w", folded):
        # Only punctuation or emoji ("?", "👍"): say what the assistant can do.
        return ("greeting" if folded else None), None
    found, rest = _without_chat(folded)
    if found is None:
        return None, None
    whole = found if not _CHAT_FILLER.sub("", rest) else None
    asks = (_INTERROGATIVE.search(_NOTHING_ASKED.sub("，", folded)) or _INSTRUCTION.search(rest)
            or _WANTS_TO_ASK.search(folded) or question_asks(rest))
    return whole, None if asks else found


def _without_chat(folded: str) -> tuple[str | None, str]:
    """(the most telling chat kind in the folded text, or None; the text without its chat phrases)."""
    found = None
    for kind, pattern in _CHAT:
        if pattern.search(folded):
            found = found or kind
            folded = pattern.sub("，", folded)
    return found, folded


# Any way of asking, wider than the kinds of `_ASKS` ("个人所得税怎么算" asks, by 怎么); 没啥 / 没什么
# ("没啥要问的了") say that nothing is asked.
_INTERROGATIVE = re.compile(r"[?？]|吗|么|呢|怎|如何|什么|啥|谁|哪|几|多少|是否|能否|可否|([有是要会能可行对])不\1?|没有?[^，,。]*[?？]")
# An instruction asks for something without a question word ("把这句话翻成日语：感谢您的支持").
_INSTRUCTION = re.compile(r"把|帮|给我|请你|替我|麻烦你")
# Saying what one wants to ask about is a question about it ("你好，我想了解一下ISO9001").
_WANTS_TO_ASK = re.compile(r"想(?:了解|咨询|问问?|知道|打听|办|做|申请|请教)|了解一下|咨询一下|打听|请教")
_NOTHING_ASKED = re.compile(r"没(?:有)?(?:啥|什么)|不知道(?:说)?(?:啥|什么)")


# ---------------------------------------------------------------------------------------------
# Compound questions.

_CLAUSE_END = re.compile(r"(?<=[？?！!；;。])|(?<=[，,])")
_QUESTION_CUE = re.compile(
    r"吗|呢|么|多少|几|哪|什么|啥|怎|如何|是否|能否|能不能|可不可以|要不要|有没有|是不是|区别|不同|分别|多久|多长|为何|谁"
    r"|咋|列出|列一下|列个|说说|说一下|讲一下|介绍|还是|到底|究竟|吧$|不$|没$|没有$|[？?]$|([\u4e00-\u9fff])不\1")
_BOTH = re.compile(r"^(?P<a>[^，,。？?和与跟及]{1,12}?)(?:和|与|跟|及)(?P<b>[^，,。？?和与跟及]{1,12}?)(?:的)?(?:分别|各自|各)(?P<rest>.+)$")


# A clause that only remarks that sources disagree ("网上说法咋不一样") asks nothing of its own.
_META = re.compile(rf"^(?:{_DISAGREE.pattern})|^(?:有的|有人)说")
# Whether the audit checks it ("…，评审查不查", "…，评审查这个吗") asks about the part before, which
# alone names what is checked: the two are one question.
_CHECK = "查|看|检查|核查|考核|管|算|认|算分|扣分"
_CHECKS_IT = re.compile(
    rf"^(?:那|那么)?(?:评审|审核|认证|现场评审|评审员|评审组|认证机构|机构)?(?:时|的时候)?(?:会|也|还)?(?:{_CHECK})"
    rf"(?:不(?:{_CHECK}))?(?:这个|这些|这项|这条|这块|它)?(?:吗|么|嘛|呢|不)?[？?。!！]*$")
# Who reports a claim ("有的网站说…", "网上文章写的…") is not what the claim is about.
_REPORTED = re.compile(
    r"(?:有的|有些|也有|还有|有)(?:的|家|个|位|篇|条|份|段)?"
    r"(?:网站|网页|网文|文章|帖子|新闻|报道|公众号|视频|博主|机构|公司|地方|来源|资料|同行|代理|中介|顾问|咨询公司|业务员|销售|朋友|同事)"
    r"(?:上|里)?(?:都)?(?:说|讲|写|称)"
    # ... and the web as a whole saying it ("网上说申请前得…").
    r"|(?:网上|网络上?)(?:都|也|还|有人)?(?:说|讲|写|称)(?!明|法)"
    # ... and where a thing is found said: "资料里提到的国标条款", "网上流传的流程".
    r"|(?:资料|资料库|文章|网上|网络上?)(?:里|中|上)?(?:提到|提及|说到|讲到|写到|流传|传)的"
    # ... or seen ("网上还见过哪些说法", "网上看到的清单").
    r"|(?:网上|网络上?)(?:还|也)?(?:见过|见到过?|看到过?|看过|搜到过?|搜来)的?")


def reports_claim(text: str) -> bool:
    """Whether the text reports what a third party says ("有个代理说…", "网上文章写的…")."""
    return bool(_REPORTED.search(_fold(text)))


# 几 that counts rather than asks: "我们有好几个分公司" states, "几十个人" estimates.
_NOT_ASKING = re.compile(r"(?:好|这|那|没|十|二十)几|几(?:十|百|千|万)")


def is_question(clause: str) -> bool:
    """Whether a clause asks something (a question word, particle or mark), not only remarks."""
    return bool(_QUESTION_CUE.search(_NOT_ASKING.sub("", clause.rstrip("，,。"))))


def split_parts(text: str) -> list[str]:
    """The questions inside `text`, in order; a single question gives one part.

    Clauses are cut at sentence ends and commas. A clause with no question cue ("我们公司300人")
    is context: it joins the question after it (or, at the end, the one before). "A和B分别多少"
    becomes "A多少" and "B多少".
    """
    clauses = [c.strip() for c in _CLAUSE_END.split(text.strip()) if c.strip(" ，,。")]
    parts: list[str] = []
    context = ""
    for clause in clauses:
        if is_question(clause) and not _META.search(clause):
            parts.append(context + clause)
            context = ""
        else:
            context += clause
    if context:
        if parts:
            parts[-1] += context
        else:
            parts.append(context)
    merged: list[str] = []
    for part in parts:
        # A clause that only says how to answer ("全部列出来", "详细说说", "给我列几家") belongs to the one before,
        # and so does one asking whether the audit checks it.
        if merged and (not re.sub(rf"[\W_都也还就再请您你我们给一下吧{_TELL_VERBS}]", "", _focus_text(part))
                       or _CHECKS_IT.match(part.strip())):
            merged[-1] += part
        else:
            merged.append(part)
    out: list[str] = []
    for part in merged:
        both = _BOTH.match(part.strip(" ，,。？?"))
        if both:
            rest = both["rest"]
            out += [f"{both['a']}{rest}", f"{both['b']}{rest}"]
        else:
            out.append(part)
    return out or [text.strip()]


# ---------------------------------------------------------------------------------------------
# Ordinals that point into the previous answer's list: 第二条, 第3项, 最后一步.

_ITEM = "(?:条|项|步|点|个|类|阶段|部分|种)"  # the words an ordinal counts items by
_CN_ORDINAL = r"[\d一二三四五六七八九十两]{1,3}"  # an ordinal's figure, as written or normalised
_ORDINAL = re.compile(rf"第(\d{{1,2}}){_ITEM}")
# The last item, by any word for the end ("收尾那步", "最末一项", "最后的那条").
_LAST = re.compile(r"(?:最后|收尾|末尾|最末|倒数第(?:1|一))(?:的)?(?:那)?(?:1|一)?(?:条|项|步|点|个|类|种)")
# Counted from the end: 倒数第三个 is the third item from the last.
_FROM_END = re.compile(rf"倒数第(\d{{1,2}}){_ITEM}")
# Several items at once: the first or last few (前三条, 最后两项) or two named together (第一个和第二个).
_FIRST_FEW = re.compile(rf"前(\d){_ITEM}")
_LAST_FEW = re.compile(rf"(?:最后|末尾|后)(\d){_ITEM}")
_AND = "(?:和|跟|与|、|还有)"
_PAIR = re.compile(rf"第(\d{{1,2}}){_ITEM}?{_AND}第(\d{{1,2}}){_ITEM}")
# Either, as written (第三条) or normalised (第3条): what `without_ordinal` takes out.
_ORDINAL_WORDS = re.compile(
    rf"(?:倒数)?第{_CN_ORDINAL}{_ITEM}?{_AND}第{_CN_ORDINAL}{_ITEM}|(?:前|最后|末尾|后){_CN_ORDINAL}{_ITEM}"
    rf"|(?:倒数)?第{_CN_ORDINAL}{_ITEM}|{_LAST.pattern}"
)


def without_ordinal(text: str) -> str:
    """`text` less the ordinal that points into the last list ("第三条我们不满足怎么办" → "我们不满足怎么办")."""
    return _ORDINAL_WORDS.sub("", text)


def _ordinals(norm: str) -> tuple[int, ...]:
    """The items several ordinals point to at once (前三条 → 1, 2, 3; 最后两项 → -2, -1; 第一个和第二个
    → 1, 2), or none when the question points to one item or none."""
    first = _FIRST_FEW.search(norm)
    if first and int(first.group(1)) >= 2:
        return tuple(range(1, int(first.group(1)) + 1))
    last = _LAST_FEW.search(norm)
    if last and int(last.group(1)) >= 2:
        return tuple(range(-int(last.group(1)), 0))
    pair = _PAIR.search(norm)
    return (int(pair.group(1)), int(pair.group(2))) if pair else ()


def _ordinal(norm: str, several: tuple[int, ...]) -> int | None:
    """The item one ordinal points to (the first of `several`, `_ordinals(norm)`, when there are some)."""
    if several:
        return several[0]
    if _LAST.search(norm):
        return -1
    back = _FROM_END.search(norm)
    if back:
        return -int(back.group(1))
    match = _ORDINAL.search(norm)
    return int(match.group(1)) if match else None


# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """One parsed question (or one part of a compound question)."""

    text: str  # as asked (stripped)
    asking: str  # the clauses that ask (the whole text when every clause does): what is embedded
    norm: str  # `matchable`: what matching compares with passages normalised the same way at index time
    words: tuple[str, ...]  # its content words (precise segmentation, no function words)
    tokens: tuple[str, ...]  # search-mode tokens for BM25 (synonyms added when the lexicon says so)
    weights: dict[str, float]  # word -> IDF weight
    groups: dict[str, tuple[str, ...]]  # word -> the forms that count as it (itself, synonyms)
    known: tuple[str, ...]  # words (or a synonym of them) the corpus uses
    type: str  # first of `asks`, or "other"
    asks: tuple[str, ...]
    focus: tuple[str, ...]  # the words naming what is asked about (no type words such as 多久)
    ordinal: int | None = None  # 第二条 -> 2, 最后一项 -> -1, 倒数第三个 -> -3
    ordinals: tuple[int, ...] = ()  # several items at once: 前三条 -> (1, 2, 3), 最后两项 -> (-2, -1)
    points: tuple[str, ...] = ()  # one-character words next to the ask that name the point (丢, 退)
    targets: tuple[str, ...] = ()  # the thing an enumeration asks for (资料 in "要准备哪些资料")
    figures: tuple[str, ...] = ()  # figures the question states (stated_figures): a claim to check
    asks_only: bool = False  # the focus is words of how it asks (详细 in "能详细点吗"): no topic of its own
    chat: str | None = None  # chat_kind() of the whole text
    chat_aside: str | None = None  # chat_aside(): chat with a remark that asks nothing
    parts: tuple[Question, ...] = ()  # the questions of a compound question (empty: a simple one)
    lexicon: Lexicon = field(default_factory=Lexicon, repr=False, compare=False)

    @property
    def wants_list(self) -> bool:
        """Enumerations, processes and conditions are answered with a whole list; "一共有几步"
        asks for a count, which a sentence states."""
        if "enumeration" in self.asks:
            return True
        return "process" in self.asks and self.type != "how_many"

    @property
    def coverage(self) -> float:
        """IDF-weighted share of the question's words that the corpus knows."""
        total = sum(self.weights.values())
        return sum(self.weights[w] for w in self.known) / total if total else 0.0

    def matched_weight(self, norm_text: str, *, words: tuple[str, ...] | None = None, points: bool = False) -> float:
        """Share of the weight of `words` (default: all) found in `norm_text` (already normalised).

        With `points`, a one-character word next to the ask that is not a light word (丢 in
        "证书丢了怎么办", 退 in "能退吗") weighs as a whole word: to rank passages it counts little
        (it matches inside other words), but whether the point asked about is there depends on it.
        """
        chosen = self.words if words is None else words
        whole = HEAD_BOOST / SINGLE_CHAR_SHARE  # a point is a head word of whole weight
        weights = {w: self.weights[w] * (whole if points and w in self.points else 1.0) for w in chosen}
        total = sum(weights.values())
        if not total:
            return 0.0
        return sum(x * match_word(w, self.groups[w], norm_text) for w, x in weights.items()) / total

    def covers(self, words: tuple[str, ...]) -> float:
        """Share of the weight of `words` (another text's words, e.g. a question form's) that this
        question contains, synonyms included."""
        terms = self.lexicon.terms(words)
        total = sum(x for _, x, _ in terms)
        if not total:
            return 0.0
        return sum(x * match_word(w, forms, self.norm) for w, x, forms in terms) / total

    def missing(self, norm_text: str, *, words: tuple[str, ...] | None = None) -> tuple[str, ...]:
        """The words of `words` (default: the focus) that `norm_text` does not contain at all."""
        chosen = self.focus if words is None else words
        return tuple(w for w in chosen if match_word(w, self.groups[w], norm_text) < 1.0)


def match_word(word: str, forms: tuple[str, ...], text: str) -> float:
    """1 when the word or a synonym occurs in `text`. Otherwise a long word gets most of the share
    of its parts that do (投诉记录 in a text about 投诉 and its 记录), and any word half the share of
    its character pairs that do (没通过 partly matches 没有通过)."""
    for form in forms:
        if form in text:
            return 1.0
    pairs, parts = _pieces(word)
    if len(pairs) < 2:
        return 0.0  # a two-character word has one pair: that is the whole word, already missed
    by_pairs = 0.5 * sum(p in text for p in pairs) / len(pairs)
    if not parts:
        return by_pairs
    return max(PART_SHARE * sum(p in text for p in parts) / len(parts), by_pairs)


@lru_cache(maxsize=16384)
def _pieces(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """A word's character pairs and dictionary parts, worked out once per word."""
    pairs = tuple(word[i : i + 2] for i in range(len(word) - 1))
    return pairs, (_parts_of(word) if len(pairs) >= 2 else ())


PART_SHARE = 0.8


@lru_cache(maxsize=4096)
def _parts_of(word: str) -> tuple[str, ...]:
    """The dictionary words inside a long word that cover it without overlap (投诉记录 → 投诉 记录)."""
    subs = sorted((t for t in dict.fromkeys(segment(word)) if t != word and len(t) >= 2 and t in word), key=len, reverse=True)
    taken = [False] * len(word)
    parts = []
    for sub in subs:
        at = word.find(sub)
        if not any(taken[at : at + len(sub)]):
            taken[at : at + len(sub)] = [True] * len(sub)
            parts.append(sub)
    return tuple(parts) if sum(taken) == len(word) else ()


@lru_cache(maxsize=4096)
def _segment(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(precise-mode content words, search-mode tokens) of a text."""
    tokens = tuple(dict.fromkeys(tokenize(text)))
    return tuple(content_words(text)) or tokens, tokens


# "有啥用" / "有什么好处" ask for the benefits: the point asked about is 好处 (a corpus word).
_BENEFIT = re.compile(
    r"有(?:啥|什么|何)(?:用|用处|作用|好处|帮助|意义)|(?:啥|什么)(?:用处|作用|好处)|值不值|划不划算|划算(?:吗|不|么)|值得(?:吗|不|么)"
    r"|图(?:个)?啥")


# Phrases whose first character is also a span of its own (咋 of 咋回事): removed first.
# Where something stands in a text is asked by its place, not about it (放在文件哪个位置).
_LONG_SPANS = re.compile(r"(?:是)?(?:咋|怎么)回事|一回事|一码事|怎么样|咋样|(?:哪个|什么|啥)(?:位置|地方)|哪一?部分")


# "难不难", "贵不贵": the quality asked about stays, the rest of the A-not-A ask goes.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])不\1")


# What is set aside ("除了正常打分，还有哪几条特殊规矩"): the rest is asked about, not it.
_SET_ASIDE = re.compile(r"除(?:了|去|开)[^，,。？?！!]{1,12}?(?:之外|以外|外)?(?=[，,]|还)")


def _focus_text(text: str) -> str:
    text = _SET_ASIDE.sub("，", _REPORTED.sub("，", _DISAGREE.sub("，", _fold(text))))
    return _A_NOT_A.sub(r"\1，", _TYPE_SPANS.sub("，", _LONG_SPANS.sub("，", _BENEFIT.sub("，好处，", text))))


def _asking_and_context(text: str) -> tuple[str, tuple[str, ...]]:
    """(the clauses that ask, the clauses before the first of them, nearest first): "今天天气不错，
    顺便问下申请费是多少" asks in its second clause; the first is context."""
    clauses = [c for c in _CLAUSE_END.split(text.strip()) if c.strip(" ，,。")]
    asking = [c for c in clauses if is_question(c)]
    if not asking or len(asking) == len(clauses):
        return text, ()
    first = clauses.index(asking[0])
    return "".join(asking), tuple(reversed(clauses[:first]))


def _context_words(contexts: tuple[str, ...], lexicon: Lexicon) -> tuple[str, ...]:
    """The words of the nearest context clause that names something: "资料清单发我一下" in "我们是做
    家电的，资料清单发我一下，要交哪些东西" (further context says who asks, not what); in "网上有说
    近一年没事故就行，也有说要三年，以哪个为准" the clause before the ask names nothing, 事故 is one further."""
    # A figure with its unit (1年, 3000元) is a claim about the thing, not the thing.
    clauses = [tuple(w for w in lexicon.split_unknown(_segment(_focus_text(c))[0]) if not _never_the_point(w))
               for c in contexts]
    return next((words for words in clauses if names_topic(words, lexicon)), clauses[0] if clauses else ())


_LATIN = re.compile(r"^[a-z]+$")


def _stray_latin(word: str, text: str, lexicon: Lexicon) -> bool:
    """Latin letters the corpus never uses, standing apart from the sentence ("asdf 证书有效期…");
    written into it ("证书上能印公司的logo吗") they are a word of the question."""
    if not _LATIN.match(word) or lexicon.knows(lexicon.forms(word)):
        return False
    spaced = unicodedata.normalize("NFKC", text).lower()
    return not re.search(rf"[\u4e00-\u9fff]{re.escape(word)}|{re.escape(word)}[\u4e00-\u9fff]", spaced)


# A demonstrative standing for a thing named in the clause before ("五洲天宇，这家跟售后认证啥关系").
_POINTS_BACK = re.compile(r"^(?:那么|那)?[这那]家")
# A clause that names a part of a whole as the topic of what follows ("…那块，", "…这部分，", "…方面，").
_TOPIC_MARKER = re.compile(r"(?:[这那]一?(?:块|部分|项|条|个环节)|方面)(?:的话)?[，,。：:]*$")
# 还 that asks whether something still holds (还算数吗, 还能申请吗), not 还是 (a choice) or 还有 (more).
_CONDITIONED = re.compile(r"还(?!是|有(?!效)|没|差|剩|要多|需要多)|(?:不|还)?(?:能|可以|得)再")
# 会 asking what follows from a case ("…，证书会被撤吗", "会不会影响星级"): the case is in the clause before.
_CONSEQUENCE = re.compile(r"会不会|会(?:被|影响|导致|直接|因此|受)"
                          # ... and so does asking whether the case matters (评审时有影响吗, 有啥影响).
                          r"|(?:有|有没有|有啥|有什么|有多大)影响|影响(?:大不大|大吗)"
                          # ... and so do a reference back to it (会因为这个扣分吗, 这样做行吗) and asking
                          # whether it is accepted (外包给呼叫中心做，评审认不认).
                          r"|因为[这那]|[这那]种(?:情况|做法)|[这那](?:样|么)做|这样的话"
                          r"|认不认|认可吗|认吗|承认吗|算数吗|算不算数|接不接受|接受吗")
# A ratio asked of one side ("换证那次的工作量，大概是头一回的几成"): the other side is in the clause before.
_RATIO = re.compile(r"(?:的|比)(?:是)?(?:个)?(?:几成|百分之几|几分之几|几倍|多少倍|一半|多少比例|多大比例|啥比例|什么比例)"
                    r"|(?:比例|比率|占比)(?:是)?(?:多少|几)")
# A clause saying what is wanted ("想拿特别加分，得做到啥程度", "要上五星，得怎么准备"): what the
# ask after it needs is needed for that, so the thing wanted is the point too.
_PURPOSE = re.compile(r"(?:我们|咱们|公司)?(?:要想|想要|如果想|要是想|想|为了|要)(?:拿|评|上|得到|拿到|评上|冲|办|申请|达到|过)")
# The thing an enumeration asks for: the noun after 哪些/什么/几个 ("要准备哪些资料" asks for 资料,
# not for 准备) or before 有哪些/包括什么 ("收费项目都有哪些"). It weighs TARGET_BOOST times more.
_TARGET_AFTER = re.compile(r"(?:哪些|哪几[个项类种步条]?|什么|啥|几[个项类种步条])([^\W\d吗呢呀啊吧的是]{2,8})")
_TARGET_BEFORE = re.compile(r"([^\W\d]{2,8}?)(?:都|一共|总共|拢共|统共)?(?:有|包括|包含|分为|分)(?:哪些|哪几|什么|啥)")
TARGET_BOOST = 2.0
# The words next to the ask ("工资" in "管理师工资一般多少", "分期付" in "可以分期付吗") name what is
# asked about; words further away are often context ("老板让我问问…"). They weigh HEAD_BOOST times more.
_ASK_CUE = re.compile(
    r"多少|几[个项步类种次家名位条年月天小时点分]?|哪[些个里家种类]?|什么|啥|怎么|怎样|咋|如何|多久|多长|吗|呢|么$"
    r"|能不能|可不可以|能否|是否|是不是|有没有|要不要|需不需要|会不会|用不用|行不行|不[？?]?$")
HEAD_WINDOW = 5
HEAD_BOOST = 2.0
# One-character words too light to be a point when they stand next to the ask (才, 算, 拿, 办 …);
# any other one-character word there is one ("证书丢了怎么办", "能退吗") and keeps its whole weight.
_LIGHT_CHARS = frozenset("才算就都也还又再要会能可得去来让被把给对在是有做搞弄办拿交用看说问想找上下多少好行怎咋啥么吗呢吧了的过着这那个些块笔每年月天分元人次管")
# One-character words that relate or qualify the words around them (跟 in "跟3C有啥不一样", 好 in
# "好几个", 来 in "三十来个人", 没 in "没续会怎样", 各 in "各归哪一类"), nor the verbs that stand for
# any action (办 in "每个都要办吗", 定 in "是专门给它定的吗", 走/跑 in "跑网点", 设 in "设个负责人"), report a claim or ask for one (说 in
# "有说一年的", 讲 in "讲了哪些", 提 in "文章里还提了哪些"), nor the counters of an enumeration or a
# time (样 in "有几样", 月 in "一两个月"): never the point asked about.
_FUNCTION_CHARS = frozenset(
    "跟同与和及或对向往从比被把给让在于为很太更最挺好来几些没不别并而且则却等办弄搞做干整说讲谈聊写列举后前时中里内外样种项条类块份完各"
    "年月天周次第再又光仅只走跑提定设们儿")
# A rough count (一两个, 两三年, 十来个) is a figure in words, not the point.
_ROUGH_COUNT = re.compile(r"[\d.一二两三四五六七八九十百千万几来多余]+(?:个)?[个项年月天次家条周日步分元人点轮趟]?")
CONTEXT_SHARE = 0.5  # a word only in the clauses around the question
QUALIFIER_SHARE = 0.25  # a word that qualifies the ask (see `_QUALIFIERS`)
# A superlative or a bound (最快 in "五星最快多久能拿到", 最少, 至少) qualifies the figure asked for:
# the point is the thing measured, never the degree.
_DEGREE = re.compile(r"最[快慢早晚迟少多低高长短大小]|至少|至多|起码|顶多|不到|不足|不满|超过")
# How a whole relates to its parts (由哪两块组成, 包括什么) asks for the parts: the whole is the point.
_PART_OF = frozenset(["组成", "构成", "包括", "包含", "分成", "分为", "含有", "对应", "含", "划成", "划分", "划为", "分作"])
# Words setting the rest apart (除了国标的星级, 其他说法): qualifiers whose weight stays (see below).
_SETS_APART = frozenset(["除了", "除去", "除开", "之外", "以外", "此外", "别的", "其他", "其它", "其余"])
# Adverbs of how often or how much (主要给哪类企业做, 基本上): they qualify the ask, they name nothing.
_QUALIFIERS = frozenset(["主要", "基本", "基本上", "大多", "大多数", "大部分", "往往", "通常", "一般来说", "平时",
                         # ... how it goes along (费用会不会跟着涨, 随便找个实验室), and where (山东那边).
                         "跟着", "随着", "相应", "随便", "那边", "这边", "那里", "这里", "那儿", "这儿",
                         "下面", "上面", "里面", "里头", "当中", "之中", "中间", "之间", "手里", "手上", "手头",
                         "底下", "下边", "上边", "里边",
                         # ... and the order of steps (从申请到后面监督): the steps are named beside it.
                         "后面", "后边", "后头",
                         # ... and when in a story it happened (它后来升级成的国标, 当初为啥定): the event is named.
                         "后来", "当初", "起初", "最初", "早先",
                         # ... and jieba's 得来 (obtained) in "评审得来几天", where users mean 得 + 来.
                         "得来",
                         # ... and what is still to do (还要走哪几道, 还得交什么): the act is named after it.
                         "还要", "还得", "还需", "还需要",
                         # ... or whether it also happens or is allowed (还会有专家吗, 也能办吗).
                         "还会", "也会", "还能", "也能", "还可以", "也可以",
                         # ... and how it is done (直接退回, 顺带升星): the manner, not the act.
                         "直接", "顺带", "顺便", "顺道", "一并", "专门", "特意",
                         # ... and how final or fixed it is (交一回就完事, 每年固定交): no thing named.
                         "完事", "了事", "拉倒", "固定", "玩意", "玩意儿",
                         # ... and jieba's 要冲 (a strategic point), which users write as 要 + 冲 (要冲到顶).
                         "要冲",
                         # ... and how one thing bears on another (跟员工沾边的材料, 跟客户打交道有关的).
                         "沾边", "挂钩", "相关", "打交道",
                         # ... and only what is cared about (只管合不合格, 光看结果).
                         "只管", "光管", "只看", "光看", "只有", "仅仅",
                         # ... and what is set aside (除了国标的星级, 营业执照之外): the rest is asked about.
                         *_SETS_APART,
                         # ... or who says one thing and who another (有家说一个月，别家说几个月).
                         "别家", "有家", "另一家", "另外一家",
                         # ... and the thing itself (评审员本身): the thing is named beside it.
                         "本身", "自身",
                         # ... and someone not named (是不是必须有人专门管): what they do is named.
                         "有人", "有谁",
                         # ... and whether it must be (必须有吗, 一定要吗, 非得): the thing must be named.
                         "必须", "必需", "一定", "非得", "非要", "务必",
                         # ... and whether a thing is true (核实真假, 查真伪): the act of checking is named.
                         "真假", "真伪", "虚实", "真不真",
                         # ... and how flatly it is so (压根不接, 根本没有): the thing is named beside it.
                         "压根", "压根儿", "根本",
                         # ... and the direction a verb's act takes (冒出来, 写进去): the verb names the act.
                         *_DIRECTIONS])
# A demonstrative with its measure word (那次, 那条, 这项) points at something named elsewhere, and so
# does 之一 ("其中之一").
_DEMONSTRATIVE = re.compile(r"[这那哪此该][一1]?[次段个些种回阵会样份套条项块类步点部件家年轮趟拨批][儿子]?|[这那]时候?|(?:其中)?之[1-9一二三]"
                            # 这么 / 那样 stand for a manner named elsewhere ("有网页这么叫，对吗").
                            r"|[这那](?:么|样)")


_NAMES_NOTHING = _FUNCTION_CHARS | _PART_OF | _QUALIFIERS


def _never_the_point(word: str) -> bool:
    """A function character, a figure in digits or words (85, 一两个, 1年), a degree (最快), a word
    relating a whole to its parts (组成), or an adverb of how often (主要, 通常)."""
    return word in _NAMES_NOTHING or bool(
        _ROUGH_COUNT.fullmatch(word) or _DEGREE.fullmatch(word) or _DEMONSTRATIVE.fullmatch(word)
    )


def _heads(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The words within HEAD_WINDOW characters before or after an ask (see `_ASK_CUE`)."""
    folded = _fold(text)
    # 好几年 and 几十个 count, they do not ask (see `_NOT_ASKING`): no ask stands there.
    masked = _NOT_ASKING.sub(lambda m: "_" * len(m.group(0)), folded)
    windows = [folded[max(0, m.start() - HEAD_WINDOW) : m.start()] + "|" + folded[m.end() : m.end() + HEAD_WINDOW]
               for m in _ASK_CUE.finditer(masked)]
    return tuple(
        w for w in words
        if (len(w) >= 2 or (w not in _LIGHT_CHARS and not w.isascii() and not w.isdigit()))
        and any(w in win for win in windows)
    )


def _points(heads: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in heads if len(w) == 1)


def _strange_object(text: str, char: str, focus: tuple[str, ...], lexicon: Lexicon) -> bool:
    """Whether a longer focus word the corpus never uses follows the one-character word in `text`:
    a verb with such an object ("会不会顺带查消防设施") asks about the object, which then decides
    whether the point is covered. With an object the corpus knows ("门店能不能也挂我们的星级标志")
    or none ("证书丢了怎么办", "能退吗") the verb is the point."""
    at = text.find(char)
    return at >= 0 and any(len(w) >= 2 and w in text[at + 1 :] and not lexicon.knows(lexicon.forms(w)) for w in focus)


# What a count question counts: 评审员 in "一般来几个评审员", 行业 in "覆盖了多少个行业".
_COUNT = re.compile(r"(?:几|多少)(?:个|项|名|位|家|条|类|种|步|次|级|颗|大)?")


def counted_noun(q: Question) -> str:
    """The word right after a count ask, when the corpus knows it ("" when the count is of a
    unit such as 分 or 年, or of nothing the question names)."""
    folded = _fold(q.text)
    for match in _COUNT.finditer(folded):
        rest = matchable(folded[match.end() :])
        for word in sorted(q.words, key=len, reverse=True):
            if len(word) >= 2 and rest.startswith(word) and q.lexicon.knows(q.groups[word]):
                return word
    return ""


def _targets(text: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The question's words that name the thing asked for (see `_TARGET_AFTER`)."""
    folded = _fold(text)
    spans = [m.group(1) for m in _TARGET_AFTER.finditer(folded)]
    spans += [m.group(1)[-4:] for m in _TARGET_BEFORE.finditer(folded)]
    return tuple(w for w in words if len(w) >= 2 and any(w in span for span in spans))


# A figure the question states: a standard's number (GB/T 27922-2011, ISO 9001) and a year name
# nothing to check, and a figure under 10 (3年, 两周) is in too many sentences to tell one.
_FIGURE = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?![\d.])")
_STANDARD_ID = re.compile(r"(?:gb|sb|iso)\s*/?\s*t?\s*\d+(?:-\d{4})?")
FIGURE_MIN = 10


def stated_figures(text: str) -> tuple[str, ...]:
    """The figures a question states, as digits ("评审费网上有说两千的" → 2000, "有家机构报5000一个人日"
    → 5000): a sentence stating the same figure is the one that confirms or qualifies the claim."""
    out = []
    folded = _STANDARD_ID.sub(" ", read_numbers(text).lower())
    for match in _FIGURE.finditer(folded):
        value = float(match.group())
        if value < FIGURE_MIN or folded.startswith("年", match.end()):
            continue
        out.append(f"{value:g}" if value.is_integer() else match.group())
    return tuple(dict.fromkeys(out))


def states_figure(norm_text: str, figures: tuple[str, ...]) -> bool:
    """Whether the (normalised) text states one of `figures` as a whole number (2000, not 20000)."""
    return any(re.search(rf"(?<![\d.]){re.escape(f)}(?![\d.])", norm_text) for f in figures)


# 不过 right after what is audited and before what follows from it ("监督评审不过会怎样", "年审不过
# 怎么办") is failing it, not "but" (which opens a clause: "人不多，不过想申请").
_NOT_PASSED = re.compile(r"(?<=[\u4e00-\u9fff])不过(?=会|的话|怎么|咋|该|就|要|了?[吗呢么]|[？?，,。]|$)")
# A term that has run out ("三年满了以后咋弄", "有效期满了"): 满 alone is everyday (满意, 满分), so the
# phrase is read as 到期 before segmentation.
_RUN_OUT = re.compile(r"(?<=[年期])(?:已经|都|快)?满了")


def parse_question(text: str, lexicon: Lexicon | None = None, *, split: bool = True) -> Question:
    """Parse `text` once for every later step.

    Args:
        text: the question as typed (or as rewritten by follow-up resolution).
        lexicon: the index's word statistics; without one every word weighs 1 and nothing is known.
        split: look for the parts of a compound question.

    Returns:
        The `Question`; its `parts` hold the sub-questions when there are two or more.
    """
    lexicon = lexicon or Lexicon()
    asks_only = False
    text = _RUN_OUT.sub("到期了", _NOT_PASSED.sub("没过", text.strip()))
    words, tokens = _segment(text)
    asking, contexts = _asking_and_context(text)
    ask_folded = _fold(asking)
    focus_text = _focus_text(asking)
    focus = _segment(focus_text)[0] if focus_text.strip("，") else ()
    # Without a lexicon the nearest clause's words count; with one, the nearest clause naming something.
    context_words = _segment(_focus_text(contexts[0]))[0] if contexts and not lexicon.idf else ()
    if lexicon.idf:
        context_words = _context_words(contexts, lexicon)
        # A demonstrative jieba keeps whole (那会儿) is dropped before its parts (会儿) could stand for it.
        words, focus = lexicon.split_unknown(words), lexicon.split_unknown(tuple(w for w in focus if not _never_the_point(w)))
        # The point asked about is named in words, not figures ("只要85分就够了吧" asks about the
        # five-star line), not in stray Latin letters ("asdf"), and not in the clauses around the
        # question ("我们是做家电的，…" says who asks, not what): those count only when the asking
        # clause names nothing the corpus knows ("我们不做配送安装，那怎么算").
        focus = tuple(w for w in focus if not _never_the_point(w) and not _stray_latin(w, text, lexicon))
        # A word for a kind of thing (环节 in "现场评审有哪几个环节", 内容) says what shape the answer
        # takes, not what it is about, when another word names that.
        named = tuple(w for w in focus if w not in _META_NOUNS)
        focus = named if names_topic(named, lexicon) else focus
        nearest = _fold(contexts[0]) if contexts else ""
        if not focus:
            # "评审那天老板出差不在，行不行": the ask is bare, the clause before it is the question.
            focus = context_words
        elif contexts and (_TOPIC_MARKER.search(nearest) or _POINTS_BACK.search(ask_folded)):
            # "市场信息反馈机制那块，要拿出哪些记录": the clause before names the part of the
            # certification the question is about; its words are the point as much as the ask's
            # (those the corpus knows: 老听人提 only says who mentioned it).
            focus += tuple(w for w in context_words if lexicon.knows(lexicon.forms(w)) and w not in focus)
        elif _CONDITIONED.search(ask_folded) or _CONSEQUENCE.search(ask_folded) or _RATIO.search(ask_folded):
            # "拿证以后公司被别人收购了，证书还算数吗": 还 asks whether a rule still holds in the case
            # the clause before describes; that case is the point as much as the rule.
            focus += tuple(w for w in context_words if w not in focus)
        elif contexts and _PURPOSE.match(nearest):
            # "想拿特别加分，得做到啥程度": what is wanted is the point; the verb of wanting is not.
            wanted = tuple(w for w in context_words if len(w) >= 2 and w not in focus)
            focus = tuple(w for w in focus if w not in _META_NOUNS or not names_topic(wanted, lexicon)) + wanted
        elif not names_topic(focus, lexicon):
            # "评审费有说2000有说3000的，按哪个算": the asking clause names nothing, its context does
            # ("我们有好几个分公司，要每个都办吗": 每个 of what).
            focus += tuple(w for w in context_words if lexicon.knows(lexicon.forms(w)) and w not in focus)
        if not focus:  # every word of the asking clause says how it asks: keep the ones the corpus knows
            focus = tuple(w for w in lexicon.split_unknown(_segment(asking)[0])
                          if lexicon.knows(lexicon.forms(w)) and not _never_the_point(w))
            asks_only = bool(focus)
    # A word the focus reads into the question (好处 for 有啥用) is one of its words too, so that
    # ranking and form matching weigh what coverage will ask for.
    words += tuple(w for w in focus if w not in words)
    groups = {w: lexicon.forms(w) for w in dict.fromkeys(words + focus)}
    weights = {w: (lexicon.weight(w, groups[w]) if lexicon.idf else 1.0) for w in groups}
    for w in context_words:
        if w in weights and w not in focus:
            weights[w] *= CONTEXT_SHARE
    # The thing asked for and the words next to the ask weigh more (the larger boost, not both);
    # a word for a kind of thing (内容, 情况) names nothing and is not boosted.
    targets, heads = _targets(text, tuple(groups)), _heads(text, tuple(groups))
    asks = question_asks(text)
    listing = "enumeration" in asks or "process" in asks
    for w in groups:
        # A list question's point is the thing listed, a word of ours; a word the corpus lacks next
        # to its ask is more often the asker's wording (额外条件, 评价模式) than the point.
        if w in _META_NOUNS or (listing and lexicon.idf and not lexicon.knows(groups[w])):
            continue
        boost = max(TARGET_BOOST if w in targets else 1.0, HEAD_BOOST if w in heads and len(w) >= 2 else 1.0)
        weights[w] *= boost
    # A word that qualifies the ask (专门, 主要, 直接) names nothing: matched in a sentence it says
    # nothing about the point ("专门有1至10人的档次" for "要不要专门设个售后负责人"), wherever it stands.
    # Words setting the rest apart (除了, 其他) keep their weight: sections on "other" claims hold them.
    for w in weights:
        if w in _QUALIFIERS and w not in _SETS_APART and w not in focus:
            weights[w] = QUALIFIER_SHARE * (lexicon.weight(w, groups[w]) if lexicon.idf else 1.0)
    known = tuple(w for w in words if lexicon.knows(groups[w]))
    norm = matchable(text)
    several = _ordinals(norm)
    chat, aside = _read_chat(text)
    question = Question(
        text=text,
        asking=asking,
        norm=norm,
        words=words,
        tokens=tuple(expand_synonyms(tokens)) if lexicon.synonyms else tokens,
        weights=weights,
        groups=groups,
        known=known,
        type=asks[0] if asks else "other",
        asks=asks,
        focus=focus,
        ordinal=_ordinal(norm, several),
        ordinals=several,
        points=tuple(w for w in _points(heads) if w in focus and not _strange_object(ask_folded, w, focus, lexicon)),
        targets=targets,
        figures=stated_figures(text),
        asks_only=asks_only,
        chat=chat,
        chat_aside=aside,
        lexicon=lexicon,
    )
    if not split:
        return question
    pieces = split_parts(text)
    if len(pieces) < 2:
        return question
    return replace(question, parts=tuple(parse_question(p, lexicon, split=False) for p in pieces))
