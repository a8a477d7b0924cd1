"""Escalation decisions of the daily dunning run.

This is the one place where it is decided which level an open receivable
item reaches on a given day, and which letters a run produces.

Rules (see README "How the daily run decides"):

* days overdue = run date - maturity date;
* an item is left alone while ``days overdue <= grace_days`` or while it is
  under a stop (the caller sets ``DunningItem.stopped``);
* an item's current level and its last dunning date come from its latest
  letter that was *delivered* (e-mail sent, printed for posting, call made);
  the last dunning date is the later of that letter's date and its delivery;
* a customer (per currency) with a sent letter still waiting for delivery is
  *held*: none of its items escalates and no new letter is written until that
  letter was delivered (``plan_letters(held=...)``);
* the candidate levels of an item are the levels of its policy above its
  current level whose ``delay_days`` it has passed *and* whose distance from
  the current level has elapsed since its last letter (a customer first dunned
  late gets the policy's spacing between letters, never two letters on
  consecutive days);
* the item takes the first candidate (one level per run) or, when the policy
  says ``jump_to_highest_level``, the last one;
* an item never gets the same level twice and is never escalated twice on
  the same day, so a second run on one day decides nothing new;
* items are grouped per partner and currency into one letter, titled at the
  highest level any of its overdue items holds (reached now or earlier: a
  letter never steps down while those items are open), listing every open
  item of that group; the fee is that of the highest level an item newly
  reaches in the letter (an item merely repeated at its level is not charged
  again); no
  letter when nothing escalated, when credits cover the overdue amount, or
  when the net overdue amount (company currency) is below the policy's
  minimum.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from operator import attrgetter


class ItemKind(str, enum.Enum):
    """How an item appears in a letter."""

    OVERDUE = "overdue"  # past its maturity date
    NOT_DUE = "not_due"  # open, not yet due: listed for information
    CREDIT = "credit"  # credit note or unapplied payment: reduces the balance


@dataclass(frozen=True)
class DunningLevel:
    """One step of a policy; ``delay_days`` counts from the maturity date."""

    id: int
    delay_days: int
    sequence: int = 0
    collection: bool = False  # the handover to a collection agency, not a letter


@dataclass(frozen=True)
class DunningPolicy:
    """The rules a partner is dunned by; levels sorted by ``delay_days``."""

    id: int
    levels: tuple[DunningLevel, ...]
    grace_days: int = 0
    minimum_amount: Decimal = Decimal(0)
    jump_to_highest_level: bool = False

    def __post_init__(self):
        delays = [level.delay_days for level in self.levels]
        if delays != sorted(set(delays)):
            raise ValueError(
                f"policy {self.id}: levels must be strictly increasing in delay_days, got {delays}"
            )

    @property
    def letter_levels(self) -> tuple[DunningLevel, ...]:
        """The levels that produce letters (all but the collection level)."""
        return tuple(level for level in self.levels if not level.collection)

    @property
    def collection_level(self) -> DunningLevel | None:
        """The level of type collection, if the policy has one."""
        return next((level for level in self.levels if level.collection), None)

    def level_by_id(self, level_id: int | None) -> DunningLevel | None:
        """Return the level of this policy with that id, or None."""
        for level in self.levels:
            if level.id == level_id:
                return level
        return None


@dataclass(frozen=True)
class DunningItem:
    """An open receivable journal item as the run sees it.

    ``amount_residual`` is in company currency, ``amount_residual_currency``
    in the item's (letter's) currency; credits are negative.
    ``level_delay_days`` is the ``delay_days`` of the item's current level
    (None when never dunned), so that a level of another policy still places
    the item on the scale of its partner's current policy.
    """

    id: int
    partner_id: int
    currency_id: int
    date_maturity: date | None
    amount_residual: Decimal
    amount_residual_currency: Decimal
    dunnable: bool = True  # an item of a posted customer invoice
    stopped: bool = False
    level_id: int | None = None
    level_delay_days: int | None = None
    dunning_date: date | None = None
    move_id: int | None = None

    def days_overdue(self, run_date: date) -> int:
        """Days since the maturity date (0 when not yet due or without one)."""
        if not self.date_maturity:
            return 0
        return max((run_date - self.date_maturity).days, 0)


@dataclass(frozen=True)
class LetterLinePlan:
    """One line of a planned letter."""

    item: DunningItem
    kind: ItemKind
    days_overdue: int
    level_id: int | None = None  # the level this run gives the item
    holds_level_id: int | None = None  # the item's level after the letter (new or earlier)


@dataclass(frozen=True)
class LetterPlan:
    """A letter the run will create for one partner and currency."""

    partner_id: int
    currency_id: int
    policy_id: int
    level_id: int
    lines: tuple[LetterLinePlan, ...]
    amount_overdue: Decimal  # letter currency, overdue items
    amount_credit: Decimal  # letter currency, credits (<= 0)
    amount_not_due: Decimal  # letter currency, open but not yet due
    fee_level_id: int | None = None  # the highest level newly reached: its fee is charged

    @property
    def amount_total(self) -> Decimal:
        """What the partner has to pay now: overdue items less credits."""
        return self.amount_overdue + self.amount_credit

    @property
    def escalated_lines(self) -> tuple[LetterLinePlan, ...]:
        """The lines whose item reached a new level in this run."""
        return tuple(line for line in self.lines if line.level_id)


@dataclass
class PlanResult:
    """What ``plan_letters`` decided, with the reasons for what it left out."""

    letters: list[LetterPlan] = field(default_factory=list)
    # (partner_id, currency_id) -> reason, for groups with an escalation but no letter
    skipped: dict[tuple[int, int], str] = field(default_factory=dict)
    # (partner_id, currency_id) -> date of the oldest letter waiting for delivery,
    # for held groups with an item that would escalate otherwise
    held: dict[tuple[int, int], date] = field(default_factory=dict)
    examined: int = 0


SKIP_NO_POLICY = "no_policy"
SKIP_COVERED = "covered_by_credit"
SKIP_BELOW_MINIMUM = "below_minimum"


def next_level(policy: DunningPolicy, item: DunningItem, run_date: date) -> DunningLevel | None:
    """Return the level ``item`` reaches on ``run_date``, or None.

    Pure function of the policy, the item's maturity date, its current level
    and the date of its last letter.
    """
    if not item.dunnable or item.stopped or item.amount_residual <= 0:
        return None
    days = item.days_overdue(run_date)
    if days <= policy.grace_days or days <= 0:
        return None
    if item.dunning_date and item.dunning_date >= run_date:
        return None  # already dunned today (or later): idempotent
    current = item.level_delay_days
    elapsed = (run_date - item.dunning_date).days if item.dunning_date else None
    candidates = []
    for level in policy.letter_levels:
        if level.delay_days > days:
            break
        if current is not None and level.delay_days <= current:
            continue
        if current is not None and elapsed is not None and elapsed < level.delay_days - current:
            break
        candidates.append(level)
    if not candidates:
        return None
    return candidates[-1] if policy.jump_to_highest_level else candidates[0]


def held_level(policy: DunningPolicy, item: DunningItem) -> DunningLevel | None:
    """The letter level of ``policy`` the item holds from earlier letters, or None.

    A level of another policy (the customer changed policy) is placed on this
    policy's scale by its ``delay_days``.
    """
    if item.level_id is None:
        return None
    level = policy.level_by_id(item.level_id)
    if level and not level.collection:
        return level
    if item.level_delay_days is None:
        return None
    below = [lvl for lvl in policy.letter_levels if lvl.delay_days <= item.level_delay_days]
    return below[-1] if below else None


def _kind(item: DunningItem, run_date: date) -> ItemKind:
    if item.amount_residual_currency < 0 or item.amount_residual < 0:
        return ItemKind.CREDIT
    if item.date_maturity and item.date_maturity < run_date:
        return ItemKind.OVERDUE
    return ItemKind.NOT_DUE


def plan_letters(
    items: list[DunningItem],
    policy_by_partner: dict[int, DunningPolicy | None],
    run_date: date,
    held: dict[tuple[int, int], date] | None = None,
) -> PlanResult:
    """Decide the levels of ``items`` and group them into letters.

    ``items`` are all open receivable items of the partners concerned (the
    escalation candidates and the items listed for information); stopped items
    are left out of letters altogether. ``held`` maps (partner, currency) of
    groups with a sent letter not delivered yet to that letter's date: such a
    group gets no letter (``PlanResult.held`` says which would have).
    Returns one ``LetterPlan`` per partner and currency that has at least one
    escalated item and a net overdue amount of at least the policy's minimum.
    """
    held = held or {}
    result = PlanResult()
    groups: dict[tuple[int, int], list[DunningItem]] = defaultdict(list)
    for item in items:
        groups[(item.partner_id, item.currency_id)].append(item)

    for key in sorted(groups):
        partner_id, currency_id = key
        group = sorted(groups[key], key=lambda i: (i.date_maturity or date.max, i.id))
        result.examined += len(group)
        policy = policy_by_partner.get(partner_id)
        if policy is None or not policy.letter_levels:
            if any(
                i.dunnable and i.amount_residual > 0 and i.days_overdue(run_date) for i in group
            ):
                result.skipped[key] = SKIP_NO_POLICY
            continue
        lines = []
        reached = []
        holds = []
        overdue = credit = not_due = Decimal(0)
        overdue_company = credit_company = Decimal(0)
        for item in group:
            if item.stopped:
                continue
            kind = _kind(item, run_date)
            level = next_level(policy, item, run_date)
            if level:
                reached.append(level)
            holds_level = level or (held_level(policy, item) if kind is ItemKind.OVERDUE else None)
            if holds_level:
                holds.append(holds_level)
            lines.append(
                LetterLinePlan(
                    item=item,
                    kind=kind,
                    days_overdue=item.days_overdue(run_date),
                    level_id=level.id if level else None,
                    holds_level_id=holds_level.id if holds_level else None,
                )
            )
            if kind is ItemKind.OVERDUE:
                overdue += item.amount_residual_currency
                overdue_company += item.amount_residual
            elif kind is ItemKind.CREDIT:
                credit += item.amount_residual_currency
                credit_company += item.amount_residual
            else:
                not_due += item.amount_residual_currency
        if not reached:
            continue
        if key in held:
            result.held[key] = held[key]
            continue
        net_company = overdue_company + credit_company
        if net_company <= 0:
            result.skipped[key] = SKIP_COVERED
            continue
        if net_company < policy.minimum_amount:
            result.skipped[key] = SKIP_BELOW_MINIMUM
            continue
        letter_level = max(holds, key=attrgetter("delay_days"))
        result.letters.append(
            LetterPlan(
                partner_id=partner_id,
                currency_id=currency_id,
                policy_id=policy.id,
                level_id=letter_level.id,
                lines=tuple(lines),
                amount_overdue=overdue,
                amount_credit=credit,
                amount_not_due=not_due,
                fee_level_id=max(reached, key=attrgetter("delay_days")).id,
            )
        )
    return result


@dataclass(frozen=True)
class HandoverRule:
    """When a collection agency takes over: thresholds of the agency."""

    min_amount: Decimal = Decimal(0)  # open principal per debtor, company currency
    delay_days: int = 0  # days after the last dunning letter


def handover_items(
    policy: DunningPolicy, items: list[DunningItem], run_date: date, rule: HandoverRule
) -> list[DunningItem]:
    """The items of one debtor that are handed over to collection on ``run_date``.

    An item qualifies when it is an open, overdue, dunnable item, not stopped
    (stops, disputes and items already in an open case are set as stopped by
    the caller), has reached the last letter level of the policy, the last
    letter is at least ``rule.delay_days`` old, and it is at least as many days
    overdue as the policy's collection level (if any) asks. The debtor's
    qualifying items are handed over together, and only when their open
    amount reaches ``rule.min_amount``; otherwise nothing is returned.
    """
    letter_levels = policy.letter_levels
    if not letter_levels:
        return []
    last_delay = letter_levels[-1].delay_days
    collection = policy.collection_level
    min_days = collection.delay_days if collection else last_delay
    ready = [
        item
        for item in items
        if item.dunnable
        and not item.stopped
        and item.amount_residual > 0
        and item.level_delay_days is not None
        and item.level_delay_days >= last_delay
        and item.dunning_date is not None
        and (run_date - item.dunning_date).days >= rule.delay_days
        and item.days_overdue(run_date) >= max(min_days, 1)
    ]
    total = sum((item.amount_residual for item in ready), Decimal(0))
    if not ready or total < rule.min_amount:
        return []
    return sorted(ready, key=lambda item: (item.date_maturity or date.max, item.id))
