import pytest

from assistant.textproc import chinese_to_int, expand_synonyms, normalize, split_sentences, tokenize


@pytest.mark.parametrize(
    ("text", "value"),
    [("三", 3), ("十", 10), ("十五", 15), ("九十二", 92), ("一百零五", 105), ("一千二百", 1200),
     ("两千", 2000), ("一万二千", 12000), ("二〇一一", 2011), ("abc", None), ("", None)],
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
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


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


def test_split_sentences_keeps_lines_apart() -> None:
    assert split_sentences("第一句。第二句！\n- 列表项\n\n第三句") == ["第一句。", "第二句！", "- 列表项", "第三句"]
