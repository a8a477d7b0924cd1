"""Pure-Python core of account_dunning_collect.

Nothing in this package imports Odoo: the models gather records in bulk,
turn them into the frozen dataclasses defined here, ask the engine for
decisions and write the results back in bulk.
"""

from .escalation import (
    DunningItem,
    DunningLevel,
    DunningPolicy,
    HandoverRule,
    ItemKind,
    LetterLinePlan,
    LetterPlan,
    handover_items,
    held_level,
    next_level,
    plan_letters,
)

__all__ = [
    "DunningItem",
    "DunningLevel",
    "DunningPolicy",
    "HandoverRule",
    "ItemKind",
    "LetterLinePlan",
    "LetterPlan",
    "handover_items",
    "held_level",
    "next_level",
    "plan_letters",
]
