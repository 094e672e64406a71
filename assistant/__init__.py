"""售后服务认证助手: cited answers, fee quotes and star ratings for GB/T 27922-2011 certification."""

from .types import Answer, Citation, Passage

__all__ = ["Answer", "Citation", "Passage"]
