"""The chat's "生成报价单": a fee question that asks for a quote document issues one and saves it.

"给某某电器有限公司生成一份1200人的报价单" routes to the fee calculator as any fee question does;
`issue_if_asked` then sees the request, takes the customer's name from the question when it gives
one, saves the quote in the register (channel `chat`) and adds its number to the answer, with
where to download it. A question that only mentions a quote ("报价单上有哪些项目？") issues nothing.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .. import inputs
from ..calculators.fees import Quote
from ..errors import AssistantError
from ..types import Answer

__all__ = ["asks_for_document", "company_in", "issue_if_asked"]

# A verb of making or sending, a few characters at most before 报价单 ("生成一份1200人的报价单").
_REQUEST = re.compile(
    r"(?:生成|出|开|做|制作|导出|打印|来|要|给我|帮我|发我|发一|拟)[^。？?！!，,]{0,14}?报价单"
)
_NAMED = re.compile(r"(?:客户|公司名称|公司名|单位名称|企业名称|抬头)(?:是|为|叫|:|：)\s*([^\s，。,;；！!？?、]{2,60})")
_SUFFIXES = (
    "有限责任公司", "股份有限公司", "有限公司", "集团", "公司", "工厂", "厂", "中心", "研究院", "研究所",
    "商行", "商店", "医院", "学校", "酒店", "银行", "事务所",
)
_FOR = re.compile(
    r"(?:给|为|帮|替)\s*([^\s，。,;；！!？?、\d]{2,60}?(?:" + "|".join(_SUFFIXES) + r"))"
)
# "给我们公司", "为这家公司": not a name.
_NOT_A_NAME = re.compile(r"^(?:我|咱|你|您|他|她|这|那|该|本|一|某个|某家|贵|其|每)")


def asks_for_document(question: str) -> bool:
    """Whether the question asks for a quote document to be made ("生成报价单", "出一份报价单")."""
    return bool(_REQUEST.search(question))


def company_in(question: str) -> str | None:
    """The customer's name when the question gives one ("客户：X", "给X有限公司生成…"), else None."""
    for pattern in (_NAMED, _FOR):
        match = pattern.search(question)
        if match:
            name = match.group(1).strip()
            if not _NOT_A_NAME.match(name) and "人的" not in name and name not in _SUFFIXES:
                return name
    return None


def issue_if_asked(question: str, quote: Quote, answer: Answer) -> Answer:
    """`answer` as it is, or, when `question` asks for a quote document, with the quote issued and
    saved: the number and where to get the file added to the text, the saved quote as `data`."""
    if not asks_for_document(question):
        return answer
    from ..render.jsondata import issued_quote_data
    from .register import open_register

    try:
        named = inputs.name(company_in(question), "公司名称")
        issued = replace(quote, company=named) if named else quote
        with open_register() as register:
            saved = register.issue(issued, channel="chat")
    except AssistantError as exc:
        return replace(answer, answer=f"{answer.answer}\n报价单未能保存：{exc}。")
    number = saved.issue.number
    customer = f"客户：{saved.quote.company}，" if saved.quote.company else ""
    until = saved.issue.valid_until.isoformat() if saved.issue.valid_until else ""
    text = (
        f"已生成报价单 {number}（{customer}有效期至 {until}），并保存到报价登记册："
        f"可在「快速报价」页的“最近报价”中下载 PDF、Excel 或 Markdown，"
        f"也可运行 assistant quote export {number} --out 报价单.pdf。"
    )
    return replace(answer, answer=f"{answer.answer}\n{text}", data=issued_quote_data(saved.quote, saved.issue))
