"""The fixed replies: chat, and "not covered" (our topic, but the point asked is in no source)."""

from __future__ import annotations

from .textproc import as_typed
from .types import Unit

__all__ = ["CAPABILITIES", "chat_reply", "not_covered_reply"]

CAPABILITIES = (
    "我可以解答商品售后服务评价体系认证（GB/T 27922-2011）的问题：申请条件、申请材料、办理流程和时间、"
    "证书有效期与监督评审、评分规则与星级，也可以按企业人数估算认证费用、按得分判断星级。"
)
_CHAT = {
    "greeting": "您好！我是售后服务认证助手。{cap}请直接提问，例如：“申请需要什么条件？”",
    "thanks": "不客气！还有售后服务认证方面的问题，随时问我。",
    "bye": "再见！需要时随时回来问我售后服务认证的问题。",
    "ack": "好的。还有其他关于售后服务认证的问题，随时问我。",
    "identity": "我是售后服务认证助手，一个按资料库作答的程序，不是真人。{cap}每个回答都注明出处。",
    "ability": "{cap}回答只引用资料库中的内容并注明出处；资料没有写到的，我会直接告诉您。",
}
# Who can answer what the materials do not say: the body that certifies (docs/DECISIONS.md).
_ASK_BODY = "这类具体安排以认证机构的规定为准，建议直接向您选择的认证机构（经国家认监委批准的认证机构）咨询。"


def chat_reply(kind: str) -> str:
    """A short friendly reply to a greeting, thanks, goodbye, acknowledgement or a question about
    the assistant; unknown kinds get the greeting."""
    return _CHAT.get(kind, _CHAT["greeting"]).format(cap=CAPABILITIES)


def not_covered_reply(missing: tuple[str, ...], nearby: list[Unit], asked: str = "") -> str:
    """Say plainly that the point is not in the materials, name what they cover nearby, suggest
    whom to ask. Quotes nothing: a nearby sentence would read as an answer it is not.

    `asked`: the question as typed, so a word is named as the user wrote it (二维码, not 2维码).
    """
    # A word names the point better than a single character (考 of 去哪考, 去 is no point at all).
    named = [w for w in missing if len(w) >= 2] or list(missing)
    named = list(dict.fromkeys(as_typed(named, asked))) if asked else named
    point = "、".join(f"“{w}”" for w in named[:3])
    # "没有关于撤销的说明" would be untrue when other sections mention 撤销: say what holds, that the
    # sections nearest the question do not.
    head = (f"资料库中没有这一点的说明：与问题相近的内容都没有提到{point}，我不能凭空回答。" if point
            else "资料库中没有这个问题的具体说明，我不能凭空回答。")
    topics = list(dict.fromkeys(f"{u.title} › {u.section}" for u in nearby))[:3]
    near = f"资料中相近的内容有：{'；'.join(topics)}，您可以换个问法问这些方面。" if topics else ""
    return "\n".join(x for x in (head, near, _ASK_BODY) if x)
