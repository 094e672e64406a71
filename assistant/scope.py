"""The scope decision: chat, out of scope, or a question for the corpus.

Evidence that generalises beyond the questions we wrote: whether the question names this
certification's concepts (a domain word), how close it is to the nearest labelled example question
(the corpus's question forms are in-scope examples; corpus/dict/scope_examples.txt holds
out-of-scope and chat ones), and how much of its weight the retrieved passages hold. Thresholds live
in `AnswerConfig` and were calibrated on evals/calibration/scope.jsonl (docs/DECISIONS.md).
Whether the point asked about is covered is decided later, by the composer (`compose.unit_fit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .answer_config import AnswerConfig
from .question import Question, is_everyday, names_topic, reports_claim
from .retrieval import IN_SCOPE, Evidence

__all__ = [
    "ScopeVerdict", "asks_practice_required", "check_scope", "is_anchored", "is_request", "names_our_part",
    "out_of_scope_message",
]

# Other certification schemes: out of scope unless the question compares them with ours.
_OTHER_SCHEME = re.compile(
    r"ccc|3c认证|iso\d*|iatf|haccp|gmp|fda|ce认证|ce标志|\bce\b|ul认证|rohs|gsp|质量管理体系|环境管理体系"
    r"|职业健康|信息安全管理|知识产权管理|能源管理|体系认证|产品认证|强制性认证|绿色食品|有机认证|节能认证"
    # The national service certifications the corpus names beside ours (认监委2016年第24号公告).
    r"|绿色市场(?:服务)?(?:认证)?|体育场所(?:服务)?(?:认证)?|软件过程能力(?:及成熟度评估)?(?:认证)?|ohsas"
    # A standard by a number other than ours (GB/T 19580), and the quality awards (中国质量奖).
    r"|(?:gb|sb|jb|qb|gbt|sbt|gb/t|sb/t)\s*(?!27922|10401)\d{4,5}|质量奖"
)
_OTHER_FIELD = re.compile(r"酒店|饭店|宾馆|民宿|景区|物业|餐厅|餐馆|大众点评|美团|专利|商标|4s店|店铺评分|店铺星级")
_RATING_WORDS = re.compile(r"星级|[\d一二三四五]星|星|评定|评级|评分|打分|分数|标准|等级|申请|注册|认定")
# Our certification by name (not by its stars, which hotels have too) ...
_OUR_CERT_NAMED = re.compile(r"售后服务认证|售后认证|服务认证|评价体系|27922|10401|这个认证|该认证|本认证|售后服务星级")
# ... or by its stars.
_OUR_CERT = re.compile(_OUR_CERT_NAMED.pattern + r"|星级")
_OUR_SCHEME = re.compile(r"售后|27922|10401|星级|[五四三543]星|达标级|服务认证|服务评价|这个认证|该认证|本认证")
# "已经有的ISO9001证书要交吗" asks about our application materials, not about ISO 9001.
_HELD = re.compile(r"已有|已经有|已获|持有|已取得|已经拿到|现有")
_COMPARE = re.compile(r"区别|不同|对比|比较|差别|差异|关系|一样|哪个|还是|vs|相比|属于|是不是|一回事|一码事|跟这个|和这个")
# The kinds of thing a scheme is ("医疗器械经营许可证", "绿色建筑评价标准"): named by a qualifier
# the corpus never uses, it is another scheme, whatever generic words (经营, 评价) stand between.
_SCHEME_NOUN = re.compile(r"(?:许可证|认证|标准|执照|资质|资格证|验收|审批)$")
# "整个认证下来", "各种认证": which or how much of a thing, not a name for it.
_DETERMINER = re.compile(r"整|每|各|这|那|所有|任何|全部|一切|其他|其它|别的")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LAWFUL = re.compile(r"违不违法|合不合法|犯不犯法|违法吗|合法吗|犯法吗|违法不|合法不|算不算违法|是不是违法|会不会违法|有没有违法")
# Requests to produce text (write, translate, polish), not questions the materials answer.
_REQUEST = re.compile(
    r"(?:^|[，,。？?！!])(?:请|麻烦)?(?:(?:你|您)(?:能|可以|能不能|可不可以|会)?)?(?:帮我|帮忙|给我|替我)?(?:写|起草|撰写|拟|编|翻译|润色|改写|生成)(?:一份|一篇|一个|个|一段|一首|首|一下|下)"
    r"|(?:讲|说|唱|来)(?:一个|个|一段|段|一首|首)(?:笑话|段子|故事|歌|诗)"
    r"|用(?:英语|英文)怎么说|翻译成"
    # "帮我把这段条款改得正式一点": text handed over to be rewritten.
    r"|把(?:这|这段|这篇|这份|下面|以下)[^，。？?]{0,12}?(?:改得|改成|改写|润色|翻译|缩写|扩写|精简)"
    # ... or handed over to be made into something ("帮我把“售后服务评价体系”这几个字设计成一个logo").
    r"|(?:帮我|帮忙|给我|替我|请你)把[^，。？?]{1,24}?(?:设计成|画成|排成|写成|编成)"
    # "帮我出十道满意度调查题", "给我做个培训PPT": something to be made, not a question.
    r"|(?:帮我|帮忙|给我|替我|请你)(?:出|设计|制作|做|拟|整理)(?:[\d一二两三四五六七八九十几]+(?:道|份|个|条|篇|页|套))?"
    r"[^，。？?]{0,10}?(?:题|问卷|方案|文案|ppt|表格|模板|计划|海报|简历|合同|总结|演讲稿|logo|图标|标志|口号|标语)")
# The assistant addressed as the subject ("你…", "您…", "你们…"), not what it said ("你说的…").
_ADDRESSED = re.compile(r"^(?:那|那么|请问|问下|问一下|哎|诶)?[，,]?(?:你|您)(?:们)?(?!说的|讲的|刚才|上面|前面|提到|回答的)")
# ... asked for a fact, an opinion or an act ("你知道明天天气吗", "你觉得今年经济怎么样", "你帮我查一下",
# "你们能办吗"): not small talk.
_ASKS_FOR = re.compile(r"知道|告诉|查|帮|给我|推荐|介绍|讲|说说|解释|翻译|算|办|申请|报|认证|评|审|收|交|卖|买|做"
                       r"|觉得|认为|看法|怎么看|预测|分析")
_LATIN_DOMAIN = re.compile(r"gb/?t|27922|10401|iso|ccc|cnca")
_LATIN_SCHEME = re.compile(
    r"(?<![a-z])([a-z]{2,6})(?![a-z])(?:服务)?(?:分数|评分|得分|证书|认证|考试|指数|体系|等级|评级|资格)")

# Words that only make sense around this certification. A question holding one is judged on
# retrieval evidence with a low bar; a question without one must be matched closely by a passage
# (e.g. "小公司能办吗" is, "汽车多久保养一次" or "怎么办理护照" are not).
_ANCHOR = re.compile(
    r"认证|证书|[拿办发给出领下换获](?:新|个|张|了|到)?证|这个证|^证(?:书)?(?:拿|下来|到手|办下来|批下来)|评审|审核|星级|几星|颗星|\d+星|[拿评得升上]了?[到上]?星|达标|人日|年金|申请费|评审费|注册费"
    r"|收费标准|管理师|指标|评分|打分|分数|多少分|gbt|gb/t|27922|10401|国标|(?<!银)行标|标准|删减|扣分|加分|复评"
    r"|材料|资料|认监委|五洲天宇|5洲天宇|体系|服务网点|服务手册|代码证|三证合一|营业执照|法律法规|管理手册|申请表|申请书|承诺书|收费表|人日表|人日数表"
    # ... the other application materials by name.
    r"|产品说明|服务说明|组织简介|组织机构图|组织架构图|网点清单|人力资源表|多场所清单"
    # "能报这个吗": in this assistant, the thing one applies for is this certification.
    r"|(?:报|办|申请|申报|弄|搞|考|拿)(?:得了|的了)?这个(?=[吗呢吧啊么不？?，,。!！]|$)"
    # ... and so is applying itself, named first as the topic ("申请的时候要附什么", "申请对注册资本有
    # 要求吗"); "商品条码怎么申请" names its own object.
    r"|^(?:我们|咱们|公司|企业)?申请(?:的时候|时|前|后|对|要|需|有)"
    # ... and so is the thing one may apply for, asked bare at the end ("货在内地卖，能报吗", "还有戏吗").
    r"|(?:能|可以|能不能|可不可以)(?:报|申报|申请)(?:吗|么|不|嘛)?[？?。!！]*$|(?:还)?有戏(?:吗|么|没|不)?[？?。!！]*$"
)


# Whether an after-sales practice is required ("修完几天内必须回访顾客", "网点门头有没有统一样式要求")
# asks what the standard and the certification demand of it: our topic, covered or not, where the
# practice alone ("小米手机售后网点在哪") is a consumer's question.
_PRACTICE = re.compile(r"售后|维修|修完|回访|备件|配件|顾客|客户|网点|投诉|上门|安装|配送|服务")
_REQUIRED = re.compile(r"要求|规定|必须|要不要|需不需要|需要不需要|硬性|还得|得[\d一二两三四五六七八九十几多]")


def asks_practice_required(norm: str) -> bool:
    """Whether the question asks if the certification requires an after-sales practice."""
    return bool(_PRACTICE.search(norm) and _REQUIRED.search(norm))


# Setting up or registering a business ("办营业执照要多久", "想开一家维修公司，经营范围怎么写") is an
# administrative task of its own; the business licence is ours only as an application material.
_ADMIN_TASK = re.compile(r"(?:办|办理|申领|领取|注册|变更|注销|年检|补办|开)(?:[1一]?[个张家])?[^，,。？?]{0,6}?"
                         r"(?:营业执照|执照|税务登记|社保|公积金|公司)")
_LICENCE = re.compile(r"营业执照|执照")
_APPLYING = re.compile(r"办|申请|申报|报|认证|评")


def _runs_a_business(text: str) -> bool:
    """Whether the question is about setting up or registering a business, naming nothing else of
    ours ("刚注册的公司能申请吗" asks about applying, so it is ours)."""
    task = _ADMIN_TASK.search(text)
    if not task:
        return False
    rest = _LICENCE.sub("，", text[: task.start()] + "，" + text[task.end() :])
    # Applying, said bare, is applying for this certification ("开了三家分公司，要每家都办吗").
    return not is_anchored(rest) and not _OUR_SCHEME.search(rest) and not _APPLYING.search(rest)


@dataclass(frozen=True)
class ScopeVerdict:
    outcome: str  # qa | chat | out_of_scope
    reason: str  # ok | chat | about_me | not_chinese | other_scheme | admin | legal | nearest_example | low_relevance | no_match


# A demonstrative with its measure word inside a name ("收费那张表", "顾客服务那一大类") is read
# without it: the name is still ours.
_INSERTED_DEMONSTRATIVE = re.compile(r"(?<=[\u4e00-\u9fff])[这那](?:一|1)?[张个份项条本块类](?=[\u4e00-\u9fff])")


def is_anchored(norm: str) -> bool:
    """Whether the (normalised) text names one of this certification's concepts."""
    if _ANCHOR.search(norm):
        return True
    bare = _INSERTED_DEMONSTRATIVE.sub("", norm)
    return bare != norm and bool(_ANCHOR.search(bare))


# A part of the scheme named as the topic ("配送那项，…", "服务文化那块"): the words before the
# demonstrative name an item of the standard when the corpus uses them.
_PART_NAMED = re.compile(r"([\u4e00-\u9fff]{2,8}?)[这那](?:一)?(?:项|块|部分|条)")


def names_our_part(q: Question) -> bool:
    """Whether the question names a part of the scheme by words the corpus uses, as its topic
    ("配送那项，我们没有车队，全用快递行不行" is about the 配送 indicator, covered or not)."""
    return any(
        len(w) >= 2 and w in m.group(1) and q.lexicon.knows(q.groups.get(w, (w,))) and not is_everyday(w)
        for m in _PART_NAMED.finditer(q.norm) for w in q.words
    )


def is_request(q: Question) -> bool:
    """Whether the message asks for text to be produced (a poem, a translation), not a question."""
    return bool(_REQUEST.search(q.norm) or _REQUEST.search(q.text))


def names_other_acronym(q: Question) -> bool:
    """Whether an acronym the corpus never uses names a score or scheme (PMP证书, DSR评分, CSI分数)."""
    return any(not _LATIN_DOMAIN.match(m.group(1)) and not q.lexicon.knows((m.group(1),))
               for m in _LATIN_SCHEME.finditer(q.norm))


def names_other_scheme(q: Question) -> bool:
    """Whether the question names a scheme of its own by a qualifier the corpus never uses, written
    as one run with it: 医疗器械 in "医疗器械经营许可证怎么办理" (not "医疗器械企业能申请吗")."""
    if names_other_acronym(q):
        return True
    words = q.words
    for i, word in enumerate(words):
        if not _SCHEME_NOUN.search(word):
            continue
        for j in range(i - 1, max(i - 4, -1), -1):
            if "".join(words[j : i + 1]) not in q.norm:
                break
            if (len(words[j]) >= 2 and not _DETERMINER.match(words[j])
                    and not q.lexicon.knows(q.groups.get(words[j], (words[j],)))):
                return True
    return False


def _other_scheme(q: Question) -> bool:
    """Whether another scheme is named: a known one (ISO 9001, 3C, GB/T 19580) or one by a
    qualifier the corpus never uses (`names_other_scheme`)."""
    return bool(_OTHER_SCHEME.search(q.norm)) or names_other_scheme(q)


def _ours_beside(ours: re.Pattern[str], text: str) -> bool:
    """Whether another scheme named in `text` comes with ours (`ours` matches), compared with it, or
    held already ("已有的ISO9001证书要交吗"): then the question is ours."""
    return bool(ours.search(text) or _COMPARE.search(text) or _HELD.search(text))


def check_scope(evidence: Evidence, cfg: AnswerConfig) -> ScopeVerdict:
    """Whether the question is chat, out of scope, or one for the corpus (`qa`).

    With `cfg.scope_guard` off (the retrieval baselines) only chat and the bare floor apply: no
    passage, or not one word of the question known to the corpus.
    """
    q = evidence.question
    if q.chat:
        return ScopeVerdict("chat", "chat")
    text = q.norm
    if is_request(q):
        return ScopeVerdict("out_of_scope", "request")
    anchored = is_anchored(text)
    sims = evidence.label_sim
    in_sim = sims.get(IN_SCOPE, 0.0)
    # Chat by resemblance alone only for a message that names nothing of ours: "有的机构说能评十星，
    # 靠谱吗" resembles "你靠谱吗" but asks about 机构 and 星.
    # Nor for one reporting what a third party says ("有个代理说首年五千块全包，这价靠谱吗"): it asks
    # about their claim, not about the assistant.
    if (
        not anchored
        and not reports_claim(q.text)
        and not names_topic(q.focus, q.lexicon)
        and sims.get("chat", 0.0) >= cfg.chat_min
        and sims.get("chat", 0.0) - max(in_sim, sims.get("out_of_scope", 0.0)) >= cfg.chat_margin
    ):
        return ScopeVerdict("chat", "chat")
    # A question about the assistant itself ("你几岁了", "你会说英语吗", "你住哪"), naming nothing of ours
    # and asking it for no fact, opinion or act, is small talk: answered with what the assistant is.
    if (
        _ADDRESSED.search(text)
        and not _ASKS_FOR.search(text)
        and not anchored
        and not names_topic(q.focus, q.lexicon)
        and not _other_scheme(q)
    ):
        return ScopeVerdict("chat", "about_me")
    # A greeting, thanks or goodbye beside a remark that asks nothing and names nothing of ours
    # ("行了，我先去开会，回聊") is still chat: the remark needs no answer, and a refusal would read
    # as if something had been asked.
    if q.chat_aside and not anchored and not _other_scheme(q):
        return ScopeVerdict("chat", "chat")
    # The bare floor every variant shares: nothing retrieved, or not one word of the question
    # occurs in the corpus (a dense retriever alone always returns *something*).
    if not evidence.passages or not q.known:
        return ScopeVerdict("out_of_scope", "no_match")
    if not cfg.scope_guard:
        return ScopeVerdict("qa", "ok")
    if not _CJK.search(text) and not _LATIN_DOMAIN.search(text):
        return ScopeVerdict("out_of_scope", "not_chinese")
    # Ours is looked for beside the other scheme's name, not inside it (体育场所服务认证).
    if _other_scheme(q) and not _ours_beside(_OUR_SCHEME, _OTHER_SCHEME.sub("，", text)):
        return ScopeVerdict("out_of_scope", "other_scheme")
    # Stars and scores of other fields (酒店星级, 景区评级, 大众点评的五星) and registrations of
    # other kinds (专利, 商标): 星级 alone does not make them ours.
    # Who asks may be of such a field ("我们开连锁饭店的，能报这个吗"): then our concepts are named
    # by more than the words of rating and applying every field shares.
    if (
        _OTHER_FIELD.search(text)
        and not _ours_beside(_OUR_CERT_NAMED, text)
        and not is_anchored(_RATING_WORDS.sub("", text))
    ):
        return ScopeVerdict("out_of_scope", "other_scheme")
    # "4S店的售后服务满意度CSI分数": an index of its own about after-sales, unless our certification
    # is named with it or the two are compared.
    if names_other_acronym(q) and not _ours_beside(_OUR_CERT, text):
        return ScopeVerdict("out_of_scope", "other_scheme")
    if _runs_a_business(text):
        return ScopeVerdict("out_of_scope", "admin")
    # Whether an act is lawful ("让顾客给五星好评就返现，违不违法") asks for legal advice, which the
    # materials never give; whether our certification or a body is legitimate is ours.
    if _LAWFUL.search(text) and not (_OUR_CERT.search(text) or "机构" in text):
        return ScopeVerdict("out_of_scope", "legal")
    oos_margin = sims.get("out_of_scope", 0.0) - in_sim
    if oos_margin >= (cfg.oos_margin_anchored if anchored else cfg.oos_margin) and oos_margin > 0:
        return ScopeVerdict("out_of_scope", "nearest_example")
    # Whether the corpus holds the point asked about is the composer's call (compose.unit_fit);
    # a question no unit fits is then "not covered", or out of scope when it names none of our
    # concepts (answering.decide).
    return ScopeVerdict("qa", "ok")


_SUGGEST = "申请条件、需要准备的材料、费用与人日数报价、办理流程和时间、证书有效期与监督评审、评分规则与星级"


def out_of_scope_message(verdict: ScopeVerdict) -> str:
    """The honest 'not covered' reply, with what the assistant can answer instead."""
    if verdict.reason == "not_chinese":
        head = "抱歉，我没有读懂这个问题。本助手只用中文解答商品售后服务评价体系认证（GB/T 27922-2011）的相关问题。"
    elif verdict.reason == "other_scheme":
        head = (
            "抱歉，这个问题涉及其他认证，不在本助手的资料范围内。"
            "本助手只解答商品售后服务评价体系认证（GB/T 27922-2011），其他认证只在与它比较时说明。"
        )
    elif verdict.reason == "admin":
        head = (
            "抱歉，开办或登记企业的手续（营业执照、公司注册等）不在本助手的资料范围内，请咨询当地市场监管部门。"
            "本助手只解答商品售后服务评价体系认证（GB/T 27922-2011）的相关问题。"
        )
    elif verdict.reason == "legal":
        head = (
            "抱歉，某种做法是否合法属于法律判断，不在本助手的资料范围内，请咨询律师或当地市场监管部门。"
            "本助手只解答商品售后服务评价体系认证（GB/T 27922-2011）的相关问题。"
        )
    else:
        head = "抱歉，资料库中没有与这个问题相关的内容，我不能凭空回答。本助手只解答商品售后服务评价体系认证（GB/T 27922-2011）的相关问题。"
    return f"{head}\n您可以问：{_SUGGEST}。"
