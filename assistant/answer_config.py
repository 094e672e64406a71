"""Every weight and threshold of the answer path, in one object carried by the variant.

The values are chosen on the dev split and the scope calibration set (docs/DECISIONS.md says how);
unit tests build their own `AnswerConfig` to pin a decision on hand-made inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["AnswerConfig"]


@dataclass(frozen=True)
class AnswerConfig:
    # -- composition: which answer unit answers the question ------------------------------------
    units: bool = True  # False: sentence selection over chunks only (the retrieval baselines)
    form_floor: float = 0.86  # cosine similarity to a question form that counts as no evidence
    form_ceiling: float = 0.97  # ... and as full evidence (a near paraphrase)
    unit_form_weight: float = 1.0
    unit_lexical_weight: float = 1.0  # share of the question's weight found in the unit
    unit_form_match_weight: float = 1.2  # word overlap with its best question form (compose.form_match)
    unit_rank_weight: float = 0.15  # 1 / rank of the unit's best chunk in the fused list
    unit_shape_weight: float = 0.3  # a unit holding the kind of answer asked for (a figure, a list)
    unit_target_weight: float = 0.3  # a list unit whose heading names the thing a list question asks for
    second_unit_ratio: float = 0.85  # a second unit adds points when it scores this close to the first
    other_standard_penalty: float = 1.0  # the question names one standard, the unit only the other
    unit_figure_weight: float = 0.3  # a unit stating a figure the question states (a claim to check)
    unit_conflict_weight: float = 0.3  # a unit whose heading is about sources disagreeing, for a conflict question
    # -- sentences ---------------------------------------------------------------------------
    type_bonus: float = 0.25  # a sentence of the shape the question asks for
    lead_bonus: float = 0.1  # a unit's lead sentence (a section states its answer first)
    pointer_penalty: float = 0.1  # "详见…" answers nothing by itself
    figure_bonus: float = 0.3  # a sentence stating a figure the question states
    max_support: int = 4  # supporting points after the lead sentence
    support_ratio: float = 0.45  # a point scores at least this share of the lead
    passage_weight: float = 0.3  # sentence selection over chunks: the passage's coverage
    section_weight: float = 0.3  # ... its heading's coverage
    rank_weight: float = 0.06  # ... its retrieval rank
    max_list_items: int = 40
    # -- not covered: the point asked about is in no unit ---------------------------------------
    support_min: float = 0.5  # share of the focus words' weight the chosen unit must hold
    form_sure: float = 0.95  # ... or a question form this close (cosine) that also shares its words:
    form_sure_match: float = 0.5  # compose.form_match at least this
    strange_support_min: float = 0.65  # ... when a missing word is one the corpus never uses
    strange_form_sim: float = 0.93  # ... and no question form is this close
    point_share: float = 0.4  # the heaviest focus word, missing from the unit, weighs this share: not covered
    form_sure_share: float = 0.3  # ... and the unit holds this share of the focus ("证书多久能寄到": 寄到 is most of it)
    form_verbatim: float = 0.99  # a question form this close, word for word, is answered by its section
    form_certain: float = 0.975  # ... or so close that it is a paraphrase whatever its words (外国/境外)
    # -- scope --------------------------------------------------------------------------------
    scope_guard: bool = True  # False keeps only the bare floor (no passage, no known word)
    oos_margin: float = 0.0  # nearest out-of-scope example this much closer than any question form
    oos_margin_anchored: float = 0.05  # ... for a question that names one of our concepts
    chat_margin: float = 0.02
    chat_min: float = 0.93
    unanchored_min_form: float = 0.91  # a question naming none of our concepts needs a question form this close
    domain_min_form: float = 0.93  # no unit fits: "not covered" (not out of scope) if a question form is this close
