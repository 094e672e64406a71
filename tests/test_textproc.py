import pytest

from assistant.textproc import (
    chinese_to_int,
    expand_synonyms,
    is_approximate,
    normalize,
    read_numbers,
    segment,
    split_sentences,
    to_number,
    tokenize,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3), ("十", 10), ("十五", 15), ("九十二", 92), ("一百零五", 105), ("一千二百", 1200),
     ("两千", 2000), ("一万二千", 12000), ("二〇一一", 2011), ("abc", None), ("", None),
     # A trailing digit after 百/千/万 counts in the next unit down, as people say it.
     ("一千二", 1200), ("两万五", 25000), ("三百五", 350), ("一千零二", 1002), ("一万零五百", 10500),
     ("三四", None), ("一两", None)],  # two digits without a unit are a range, not 34 or 12
)
def test_chinese_to_int(text: str, value: int | None) -> None:
    assert chinese_to_int(text) == value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("证书有效期是三年", "证书有效期是3年"),
        ("评审费４８,０００元", "评审费48000元"),  # full width folded, thousands separator dropped
        ("GB/T 27922", "gb/t27922"),
        ("九十二分", "92分"),
        ("费用上万元", "费用上万元"),  # a unit alone is a word, not a number
        ("1万元", "1万元"),
        ("十分重要", "十分重要"),
        # A fraction in words is the figure sources print: 三分之一 meets 1/3.
        ("约为初审的三分之一", "约为初审的1/3"),
        ("百分之五十", "50%"),
        ("占员工百分之十", "占员工10%"),  # a lone 十 after 分之 is ten
        ("十分之一", "1/10"),
        ("评分之外再扣1分", "评分之外再扣1分"),
        ("有人说俩月", "有人说2个月"),  # 俩 is 两个
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


def test_a_fraction_in_words_segments_as_the_printed_figure() -> None:
    assert "1/3" in segment("监督评审是初审的三分之一吗", search=False)


def test_the_domain_dictionary_keeps_scoring_words_whole() -> None:
    # 加分 beside 扣分 is one word, as 特别加分 is: "扣分加分那些规则" is not 扣分/加/分.
    assert "加分" in segment("扣分加分那些规则", search=False)
    # 售后 after a verb is the domain's word, not the tail of jieba's 配售 (配售后 = 配 + 售后).
    assert "售后" in segment("机构给不给配售后管理软件", search=False)
    # A body's name is one word (华中国际, not 华中 + 国际), so a follow-up's 它 can stand for it.
    assert "华中国际" in segment("华中国际做的是哪种认证", search=False)


def test_normalize_keeps_word_boundaries_for_segmentation() -> None:
    assert normalize("GB/T  27922", keep_spaces=True) == "gb/t 27922"


def test_tokenize_drops_stopwords_and_punctuation() -> None:
    tokens = tokenize("办售后服务认证要准备哪些资料？")
    assert "资料" in tokens and "售后服务认证" in tokens
    assert "哪些" not in tokens and "？" not in tokens


def test_domain_dictionary_keeps_terms_whole() -> None:
    # Without the user dictionary jieba splits these into generic words.
    assert "售后服务管理师" in tokenize("企业需要配备售后服务管理师")
    assert "人日数" in tokenize("人日数怎么算")


def test_synonyms_expand_colloquial_words() -> None:
    expanded = expand_synonyms(tokenize("要多少银子"))
    assert "费用" in expanded
    assert "有效期" in expand_synonyms(["管几年"])
    assert "获证" in expand_synonyms(["到手"])  # 弄到手 is having the certificate
    assert "服务认证" in expand_synonyms(["服务证"]) and "体系认证" in expand_synonyms(["体系证"])
    assert "10401" in expand_synonyms(["老标准"])  # the standard GB/T 27922 replaced
    assert "场所" in expand_synonyms(["场地"]) and "版" in expand_synonyms(["版本"])  # 多场所清单, 6步版
    assert "协助" in expand_synonyms(["配合"])  # 协助评审组


def test_split_sentences_keeps_lines_apart() -> None:
    assert split_sentences("第一句。第二句！\n- 列表项\n\n第三句") == ["第一句。", "第二句！", "- 列表项", "第三句"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("五百来号人", "500来号人"),
        ("一千二百多人", "1200多人"),
        ("1.2千人", "1200人"),
        ("1.2k人", "1200人"),
        ("约六百名员工", "约600名员工"),
        ("1万1千人", "11000人"),
        ("1万1", "11000"),
        ("1.5万人", "15000人"),
        ("九十二分", "92分"),
        ("八十九点五分", "89.5分"),
        ("八十七分半", "87.5分"),
        ("公司大概一千二", "公司大概1200"),
        ("十几个人", "≈15个人"),
        ("二十几个人", "≈25个人"),
        ("三四百人", "≈350人"),
        # A range pair after the higher places of a numeral, one place below them.
        ("两千三四百人", "≈2350人"),
        ("一千五六百人", "≈1550人"),
        ("四十七八个人", "≈47.5个人"),
        ("九十五六分", "≈95.5分"),
        ("两千三四人", "≈2350人"),  # no place named: the one below 千, as in 一千二 (1200)
        ("一千七八", "≈1750"),
        # About one unit before a word for people.
        ("百来号人", "≈100号人"),
        ("千人规模的企业", "≈1000人规模的企业"),
        ("千人计划", "千人计划"),
        ("一两百人", "≈150人"),
        ("千把人", "≈1000人"),
        ("近千人", "近≈1000人"),
        ("１２００人", "1200人"),
        ("兩千人", "2000人"),  # traditional numerals too
        # Words that are not figures stay.
        ("十分重要", "十分重要"),
        ("上万元", "上万元"),
        ("三五年", "三五年"),
        ("一两个人", "一两个人"),
        ("GB/T 27922-2011", "GB/T 27922-2011"),
    ],
)
def test_read_numbers(text: str, expected: str) -> None:
    assert read_numbers(text) == expected


@pytest.mark.parametrize(
    ("text", "figure", "approximate"),
    [
        ("500来号人", "500", True),
        ("1200多人", "1200", True),
        ("约600名员工", "600", True),
        ("大概有800人", "800", True),
        ("250人上下", "250", True),
        ("6000人出头", "6000", True),
        ("10000人左右的企业", "10000", True),
        ("≈15个人", "≈15", True),
        ("1200人", "1200", False),
        ("公司1200人，费用多少", "1200", False),
    ],
)
def test_is_approximate(text: str, figure: str, approximate: bool) -> None:
    start = text.index(figure)
    assert is_approximate(text, start, start + len(figure)) is approximate


@pytest.mark.parametrize(("figure", "value"), [("1200", 1200), ("89.5", 89.5), ("≈15", 15), ("负3", -3), ("-3", -3)])
def test_to_number(figure: str, value: float) -> None:
    assert to_number(figure) == value


def test_a_normalised_word_is_named_as_the_user_typed_it() -> None:
    # 二维码 and 一致 become 2维码 and 1致 for matching; a reply names them as written.
    from assistant.textproc import as_typed

    assert as_typed(["2维码"], "证书上有二维码吗") == ["二维码"]
    assert as_typed(["维码"], "证书上有二维码吗") == ["二维码"]  # a figure split off the word
    assert as_typed(["1致"], "两家结论不一致怎么办") == ["一致"]
    assert as_typed(["补办"], "证书丢了怎么补办") == ["补办"]
    assert as_typed(["2维码", "补办"], "二维码丢了怎么补办") == ["二维码", "补办"]  # several at once

