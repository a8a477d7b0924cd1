"""The level decision, without a database."""

from datetime import date
from decimal import Decimal
from unittest import TestCase

from ..engine import (
    DunningItem,
    DunningLevel,
    DunningPolicy,
    HandoverRule,
    ItemKind,
    handover_items,
    next_level,
    plan_letters,
)
from ..engine.escalation import SKIP_BELOW_MINIMUM, SKIP_COVERED, SKIP_NO_POLICY

REMINDER = DunningLevel(id=1, delay_days=7)
FIRST = DunningLevel(id=2, delay_days=21)
SECOND = DunningLevel(id=3, delay_days=35)
POLICY = DunningPolicy(id=10, levels=(REMINDER, FIRST, SECOND))
DUE = date(2026, 3, 15)


def item(item_id=1, amount="1000.00", due=DUE, level=None, dunned=None, **kwargs):
    amount = Decimal(amount)
    return DunningItem(
        id=item_id,
        partner_id=kwargs.pop("partner_id", 100),
        currency_id=kwargs.pop("currency_id", 1),
        date_maturity=due,
        amount_residual=amount,
        amount_residual_currency=Decimal(kwargs.pop("amount_currency", amount)),
        level_id=level.id if level else None,
        level_delay_days=level.delay_days if level else None,
        dunning_date=dunned,
        **kwargs,
    )


class TestNextLevel(TestCase):
    def test_seed_timeline(self):
        self.assertIsNone(next_level(POLICY, item(), date(2026, 3, 21)))  # 6 days
        self.assertEqual(next_level(POLICY, item(), date(2026, 3, 22)), REMINDER)  # 7 days
        reminded = item(level=REMINDER, dunned=date(2026, 3, 22))
        self.assertIsNone(next_level(POLICY, reminded, date(2026, 3, 22)))  # same day again
        self.assertIsNone(next_level(POLICY, reminded, date(2026, 4, 4)))  # 20 days
        self.assertEqual(next_level(POLICY, reminded, date(2026, 4, 5)), FIRST)  # 21 days
        first = item(level=FIRST, dunned=date(2026, 4, 5))
        self.assertEqual(next_level(POLICY, first, date(2026, 4, 19)), SECOND)  # 35 days
        second = item(level=SECOND, dunned=date(2026, 4, 19))
        self.assertIsNone(next_level(POLICY, second, date(2026, 12, 31)))  # no level left

    def test_one_level_per_run_keeps_policy_spacing(self):
        # First dunned 40 days late: reminder now, next level only 14 days later.
        self.assertEqual(next_level(POLICY, item(), date(2026, 4, 24)), REMINDER)
        late = item(level=REMINDER, dunned=date(2026, 4, 24))
        self.assertIsNone(next_level(POLICY, late, date(2026, 5, 7)))
        self.assertEqual(next_level(POLICY, late, date(2026, 5, 8)), FIRST)

    def test_jump_to_highest_level(self):
        jumping = DunningPolicy(id=11, levels=POLICY.levels, jump_to_highest_level=True)
        self.assertEqual(next_level(jumping, item(), date(2026, 4, 24)), SECOND)
        self.assertEqual(next_level(jumping, item(), date(2026, 4, 5)), FIRST)

    def test_grace_days(self):
        graceful = DunningPolicy(id=12, levels=POLICY.levels, grace_days=10)
        self.assertIsNone(next_level(graceful, item(), date(2026, 3, 25)))  # 10 days
        self.assertEqual(next_level(graceful, item(), date(2026, 3, 26)), REMINDER)

    def test_left_alone(self):
        run = date(2026, 4, 5)
        self.assertIsNone(next_level(POLICY, item(stopped=True), run))
        self.assertIsNone(next_level(POLICY, item(dunnable=False), run))
        self.assertIsNone(next_level(POLICY, item(due=None), run))
        self.assertIsNone(next_level(POLICY, item(amount="-50.00"), run))

    def test_level_of_another_policy(self):
        other = DunningLevel(id=99, delay_days=25)
        moved = item(level=other, dunned=date(2026, 4, 9))
        # 21 is below the old level's 25 days, so the next one is 35.
        self.assertEqual(next_level(POLICY, moved, date(2026, 4, 19)), SECOND)

    def test_levels_must_increase(self):
        with self.assertRaises(ValueError):
            DunningPolicy(id=13, levels=(FIRST, REMINDER))


class TestPlanLetters(TestCase):
    run_date = date(2026, 4, 5)

    def test_one_letter_per_partner_and_currency(self):
        items = [
            item(1, "100.00", due=date(2026, 3, 1)),
            item(2, "200.00", due=date(2026, 3, 14)),
            item(3, "300.00", currency_id=2, amount_currency="600.00"),
            item(4, "50.00", partner_id=200),
        ]
        plan = plan_letters(items, {100: POLICY, 200: POLICY}, self.run_date)
        keys = [(letter.partner_id, letter.currency_id) for letter in plan.letters]
        self.assertEqual(keys, [(100, 1), (100, 2), (200, 1)])
        eur = plan.letters[0]
        self.assertEqual(eur.level_id, REMINDER.id)
        self.assertEqual(eur.amount_overdue, Decimal("300.00"))
        self.assertEqual(plan.letters[1].amount_overdue, Decimal("600.00"))
        self.assertEqual(plan.examined, 4)

    def test_letter_at_highest_level_lists_everything(self):
        items = [
            item(1, "100.00", due=date(2026, 2, 20), level=REMINDER, dunned=date(2026, 3, 1)),
            item(2, "200.00", due=date(2026, 3, 20)),
            item(3, "400.00", due=date(2026, 4, 20)),
            item(4, "-150.00", due=date(2026, 3, 1), dunnable=False),
        ]
        [letter] = plan_letters(items, {100: POLICY}, self.run_date).letters
        self.assertEqual(letter.level_id, FIRST.id)
        kinds = {line.item.id: (line.kind, line.level_id) for line in letter.lines}
        self.assertEqual(
            kinds,
            {
                1: (ItemKind.OVERDUE, FIRST.id),
                2: (ItemKind.OVERDUE, REMINDER.id),
                3: (ItemKind.NOT_DUE, None),
                4: (ItemKind.CREDIT, None),
            },
        )
        self.assertEqual(letter.amount_overdue, Decimal("300.00"))
        self.assertEqual(letter.amount_credit, Decimal("-150.00"))
        self.assertEqual(letter.amount_not_due, Decimal("400.00"))
        self.assertEqual(letter.amount_total, Decimal("150.00"))

    def test_no_letter_reasons(self):
        minimum = DunningPolicy(id=14, levels=POLICY.levels, minimum_amount=Decimal("50"))
        items = [
            item(1, "40.00", partner_id=1),
            item(2, "100.00", partner_id=2),
            item(3, "-100.00", partner_id=2, dunnable=False),
            item(4, "100.00", partner_id=3),
            item(5, "100.00", partner_id=4, stopped=True),
        ]
        plan = plan_letters(items, {1: minimum, 2: POLICY, 3: None, 4: POLICY}, self.run_date)
        self.assertEqual(plan.letters, [])
        self.assertEqual(
            plan.skipped,
            {(1, 1): SKIP_BELOW_MINIMUM, (2, 1): SKIP_COVERED, (3, 1): SKIP_NO_POLICY},
        )

    def test_nothing_escalated_no_letter(self):
        items = [item(1, level=REMINDER, dunned=date(2026, 4, 1))]
        self.assertEqual(plan_letters(items, {100: POLICY}, self.run_date).letters, [])


COLLECTION = DunningLevel(id=4, delay_days=49, collection=True)
WITH_COLLECTION = DunningPolicy(id=12, levels=(REMINDER, FIRST, SECOND, COLLECTION))


class TestHandoverItems(TestCase):
    RULE = HandoverRule(min_amount=Decimal("100.00"), delay_days=14)

    def test_collection_level_never_gives_a_letter(self):
        second = item(level=SECOND, dunned=date(2026, 4, 19))
        self.assertIsNone(next_level(WITH_COLLECTION, second, date(2026, 6, 30)))
        self.assertEqual(WITH_COLLECTION.letter_levels, (REMINDER, FIRST, SECOND))
        plan = plan_letters([second], {100: WITH_COLLECTION}, date(2026, 6, 30))
        self.assertFalse(plan.letters)

    def test_seed_timeline_49_days(self):
        second = item(level=SECOND, dunned=date(2026, 4, 19))
        rule = self.RULE
        self.assertEqual(handover_items(WITH_COLLECTION, [second], date(2026, 5, 2), rule), [])
        self.assertEqual(
            handover_items(WITH_COLLECTION, [second], date(2026, 5, 3), rule), [second]
        )  # 49 days after due, 14 days after the 2nd dunning

    def test_days_after_last_letter(self):
        late = item(level=SECOND, dunned=date(2026, 5, 1))  # 2nd dunning sent late
        self.assertEqual(handover_items(WITH_COLLECTION, [late], date(2026, 5, 14), self.RULE), [])
        self.assertEqual(
            handover_items(WITH_COLLECTION, [late], date(2026, 5, 15), self.RULE), [late]
        )

    def test_only_items_at_the_last_letter_level(self):
        first = item(item_id=2, level=FIRST, dunned=date(2026, 4, 5))
        second = item(level=SECOND, dunned=date(2026, 4, 19))
        ready = handover_items(WITH_COLLECTION, [first, second], date(2026, 6, 1), self.RULE)
        self.assertEqual(ready, [second])

    def test_minimum_amount_over_the_debtors_items(self):
        small = [
            item(item_id=i, amount="60.00", level=SECOND, dunned=date(2026, 4, 19)) for i in (1, 2)
        ]
        self.assertEqual(
            handover_items(WITH_COLLECTION, small[:1], date(2026, 6, 1), self.RULE), []
        )
        self.assertEqual(handover_items(WITH_COLLECTION, small, date(2026, 6, 1), self.RULE), small)

    def test_stopped_paid_and_foreign_items_stay(self):
        kwargs = {"level": SECOND, "dunned": date(2026, 4, 19)}
        items = [
            item(item_id=1, stopped=True, **kwargs),
            item(item_id=2, amount="0.00", **kwargs),
            item(item_id=3, dunnable=False, **kwargs),
        ]
        self.assertEqual(handover_items(WITH_COLLECTION, items, date(2026, 6, 1), self.RULE), [])

    def test_without_collection_level_after_last_letter_and_delay(self):
        second = item(level=SECOND, dunned=date(2026, 4, 19))
        self.assertEqual(handover_items(POLICY, [second], date(2026, 5, 2), self.RULE), [])
        self.assertEqual(handover_items(POLICY, [second], date(2026, 5, 3), self.RULE), [second])


class TestLetterTitleAndHold(TestCase):
    """A letter never steps down; a customer waits for the delivery of its last letter."""

    run_date = date(2026, 12, 1)

    def test_title_is_the_highest_level_held_not_reached(self):
        # item 1 got the 2nd dunning on 16 Nov; item 2 reaches its reminder on 1 Dec
        items = [
            item(1, "5000.00", due=date(2026, 10, 1), level=SECOND, dunned=date(2026, 11, 16)),
            item(2, "21.60", due=date(2026, 11, 24)),
        ]
        [letter] = plan_letters(items, {100: POLICY}, self.run_date).letters
        self.assertEqual(letter.level_id, SECOND.id)  # not the reminder (the defect)
        self.assertEqual(letter.fee_level_id, REMINDER.id)  # the 2nd dunning's fee not again
        lines = {line.item.id: (line.level_id, line.holds_level_id) for line in letter.lines}
        self.assertEqual(lines, {1: (None, SECOND.id), 2: (REMINDER.id, REMINDER.id)})
        self.assertEqual(letter.amount_total, Decimal("5021.60"))

    def test_fee_of_the_title_level_when_an_item_newly_reaches_it(self):
        items = [
            item(1, "100.00", due=date(2026, 10, 1), level=SECOND, dunned=date(2026, 11, 1)),
            item(2, "200.00", due=date(2026, 10, 20), level=FIRST, dunned=date(2026, 11, 10)),
        ]
        [letter] = plan_letters(items, {100: POLICY}, self.run_date).letters
        self.assertEqual((letter.level_id, letter.fee_level_id), (SECOND.id, SECOND.id))

    def test_level_of_another_policy_on_this_scale(self):
        other = DunningLevel(id=99, delay_days=30)  # between FIRST (21) and SECOND (35)
        items = [
            item(1, "100.00", due=date(2026, 10, 1), level=other, dunned=date(2026, 11, 28)),
            item(2, "50.00", due=date(2026, 11, 20)),
        ]
        [letter] = plan_letters(items, {100: POLICY}, self.run_date).letters
        self.assertEqual(letter.level_id, FIRST.id)

    def test_held_customer_gets_no_letter_and_is_reported(self):
        items = [item(1, due=date(2026, 10, 1), level=REMINDER, dunned=date(2026, 10, 8))]
        held = {(100, 1): date(2026, 11, 2)}
        plan = plan_letters(items, {100: POLICY}, self.run_date, held=held)
        self.assertEqual(plan.letters, [])
        self.assertEqual(plan.held, {(100, 1): date(2026, 11, 2)})
        # another currency of the same customer is not held
        other = [item(2, due=date(2026, 10, 1), currency_id=2)]
        plan = plan_letters(other, {100: POLICY}, self.run_date, held=held)
        self.assertEqual([(p.partner_id, p.currency_id) for p in plan.letters], [(100, 2)])
        self.assertEqual(plan.held, {})

    def test_held_without_escalation_is_not_reported(self):
        items = [item(1, due=date(2026, 11, 28))]  # 3 days overdue: nothing due
        plan = plan_letters(items, {100: POLICY}, self.run_date, held={(100, 1): date(2026, 11, 2)})
        self.assertEqual((plan.letters, plan.held), ([], {}))

    def test_spacing_counts_from_the_delivery(self):
        # reminder dated 22.01., printed 20.02.; levels at 7 and 21 days: the next
        # level not before 06.03. (the caller passes the later of the two dates)
        reminded = item(due=date(2026, 1, 15), level=REMINDER, dunned=date(2026, 2, 20))
        self.assertIsNone(next_level(POLICY, reminded, date(2026, 3, 5)))
        self.assertEqual(next_level(POLICY, reminded, date(2026, 3, 6)), FIRST)
