"""The dunning process lived day by day, as customers and accountants live it.

A seeded generator makes customers and invoices, then lives six months: the
daily run, the delivery job (some days late), payments (full, partial, late),
credit notes, cancelled invoices, stops set and expiring, approvals by a
manager (some days late, some letters cancelled), printing of post letters
(some late, some customers' never) and handovers to a collection agency.
After every day it checks what a debtor relies on (PRODUCT.md, "What a
debtor can rely on").

Seeds: two fixed ones, one test each; ``DUNNING_SIM_SEEDS`` (comma-separated) adds a
replay of other seeds. A failure names its seed and day.
"""

import logging
import os
import random
import re
from datetime import date, timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged

from .common import CollectionCommon

_logger = logging.getLogger(__name__)
# two lives per test run, within CI's 20 minutes (a life takes 1 to 3.5 minutes by
# machine since it charges interest); DUNNING_SIM_SEEDS=20261202 make test lives others too
DEFAULT_SEEDS = (7, 1234)
START = date(2026, 1, 5)
DAYS = 183


@tagged("post_install", "-at_install")
class TestProcessSimulation(CollectionCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._dunning_user(
            "sim_manager",
            "account.group_account_invoice",
            "account_dunning_collect.group_dunning_manager",
        )
        # the post letter of the 2nd dunning waits for a manager; invoices not attached
        # (their PDFs would only slow the simulation down)
        cls.dunning2.approval_required = True
        cls.policy.level_ids.write({"attach_invoices": False})
        cls.agency.write({"auto_handover": True, "min_amount": 50.0})
        # charges from default on (BGB §286, §288): statutory interest and the flat fee
        cls.policy.write({"interest_mode": "statutory", "flat_fee_b2b": True})

    # one test per seed: each lives in its own transaction (the run is company-wide,
    # a second life in the same one would meet the first one's letters)
    def test_six_months_seed_7(self):
        Simulation(self, DEFAULT_SEEDS[0]).live()

    def test_six_months_seed_1234(self):
        Simulation(self, DEFAULT_SEEDS[1]).live()

    def test_six_months_replay(self):
        """The seeds of ``DUNNING_SIM_SEEDS`` (comma-separated), if set."""
        seeds = os.environ.get("DUNNING_SIM_SEEDS")
        for seed in [int(seed) for seed in seeds.split(",")] if seeds else []:
            with self.subTest(seed=seed), self.env.cr.savepoint() as savepoint:
                Simulation(self, seed).live()
                savepoint.rollback()
            self.env.invalidate_all()


class Simulation:
    """One seeded life of a small book of receivables."""

    def __init__(self, case, seed):
        self.case = case
        self.env = case.env
        self.seed = seed
        self.rng = random.Random(seed)
        self.sent_snapshots = {}  # letter id -> (total, lines) when first seen sent
        self.default_dates = {}  # item id -> (first day of default, letter) as first stated
        self.flat_fee_invoices = {}  # invoice id -> letter that charged its flat fee
        self.charges_checked = set()  # sent letters whose charges were checked
        self.day = START
        company = case.company
        self.customers = [
            case._create_customer(f"Sim {seed} Kunde {n}", email=f"k{n}.{seed}@example.com")
            for n in range(4)
        ]
        # no e-mail: its letters go by post
        self.customers.append(case._create_customer(f"Sim {seed} Ohne Mail"))
        # a consumer without a street: its post letters wait for approval
        self.customers.append(
            case._create_customer(f"Sim {seed} Privat", is_company=False, address=False)
        )
        # letters to this customer are never printed
        self.never_printed = self.customers[4]
        self.terms = [
            case.term_14,
            case._installments(14, 30),
        ]
        self.company = company
        self.letters_before = set(case.env["dunning.letter"].search([]).ids)

    def fail(self, message):
        self.case.fail(f"seed {self.seed}, day {self.day}: {message}")

    # ------------------------------------------------------------------
    # the days
    # ------------------------------------------------------------------

    def live(self):
        for offset in range(DAYS):
            self.day = START + timedelta(days=offset)
            with freeze_time(f"{self.day} 08:00:00"):
                self.business_day()
            self.env.invalidate_all()
            self.check()
        self.check_coverage()

    def check_coverage(self):
        """The life met what it is meant to test (else the checks prove little)."""
        letters = self.env["dunning.letter"].search([("id", "not in", list(self.letters_before))])
        runs = self.env["dunning.run"].search([("company_id", "=", self.company.id)])
        cases = self.env["collection.case"].search(
            [("partner_id", "in", [p.id for p in self.customers]), ("state", "!=", "draft")]
        )
        figures = {
            "letters sent": len(letters.filtered(lambda x: x.state == "sent")),
            "printed late": len(
                letters.filtered(lambda x: x.printed_date and x.printed_date > x.date)
            ),
            "never delivered": len(
                letters.filtered(
                    lambda x: (
                        x.state == "sent"
                        and not x.delivered_date
                        and x.delivery_state != "withdrawn"
                    )
                )
            ),
            "approved": len(letters.filtered(lambda x: x.state == "sent" and x.approval_reason)),
            "cancelled": len(letters.filtered(lambda x: x.state == "cancelled")),
            "withdrawn": len(letters.filtered(lambda x: x.delivery_state == "withdrawn")),
            "customer-days held": sum(runs.mapped("held_count")),
            "waiting letters brought up to date": sum(runs.mapped("refreshed_count")),
            "2nd dunnings": len(letters.filtered(lambda x: x.level_id == self.case.dunning2)),
            "cases handed over": len(cases),
            "charge invoices": len(letters.fee_move_id),
            "flat fees": len(letters.line_ids.filtered("amount_flat_fee")),
            "lines with interest": len(letters.line_ids.filtered("amount_interest")),
        }
        _logger.info("simulation seed %s: %s", self.seed, figures)
        for name in ("letters sent", "printed late", "never delivered", "approved",
                     "customer-days held", "waiting letters brought up to date",
                     "2nd dunnings", "cases handed over", "charge invoices", "flat fees",
                     "lines with interest"):  # fmt: skip
            if not figures[name]:
                self.fail(f"the simulation never met: {name} ({figures})")

    def business_day(self):
        rng = self.rng
        case = self.case
        if rng.random() < 0.45:
            partner = rng.choice(self.customers)
            case._invoice(
                partner,
                rng.choice([80.0, 250.0, 990.0, 1500.0, 4200.0]),
                fields.Date.to_string(self.day),
                term=rng.choice(self.terms),
            )
        open_invoices = (
            self.env["account.move"]
            .search(
                [
                    ("partner_id", "in", [p.id for p in self.customers]),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", ("not_paid", "partial")),
                ]
            )
            .filtered(lambda move: not move.collection_case_id)
        )
        for invoice in open_invoices:
            roll = rng.random()
            overdue = invoice.invoice_date_due and invoice.invoice_date_due < self.day
            if roll < (0.03 if overdue else 0.01):
                case._pay(invoice, invoice.amount_residual, self.day)
            elif roll < 0.045 and invoice.amount_residual > 20:
                case._pay(invoice, round(invoice.amount_residual / 3, 2), self.day)
            elif roll < 0.05 and not invoice.is_dunning_charge:
                case._invoice(
                    invoice.partner_id,
                    round(invoice.amount_total / 4, 2),
                    fields.Date.to_string(self.day),
                    move_type="out_refund",
                )
            elif roll < 0.054 and invoice.payment_state == "not_paid":
                invoice.button_draft()
                invoice.button_cancel()
            elif roll < 0.06 and not invoice.dunning_stop_reason_id:
                invoice.write(
                    {
                        "dunning_stop_reason_id": case.stop_dispute.id,
                        "dunning_stop_until": self.day + timedelta(days=rng.choice([5, 20])),
                    }
                )
        # the daily cron
        run = self.env["dunning.run"].create({"date": self.day, "company_id": self.company.id})
        run.action_run()
        self.check_run(run)
        Letter = self.env["dunning.letter"]
        # the delivery job, some days late
        pending = Letter.search([("state", "=", "sent"), ("delivery_state", "=", "pending")])
        if pending and rng.random() < 0.8:
            pending._deliver()
        # the accountant prints some post letters, late; one customer's never
        to_print = Letter.search([("delivery_state", "=", "to_print")]).filtered(
            lambda letter: letter.partner_id != self.never_printed and rng.random() < 0.35
        )
        if to_print:
            to_print._print_batch()
        # the manager approves or cancels letters waiting, some days late
        waiting = Letter.search([("state", "=", "to_approve")])
        for letter in waiting:
            roll = rng.random()
            if roll < 0.05:
                letter.with_user(case.manager).action_cancel()
            elif roll < 0.4:
                try:
                    letter.with_user(case.manager).action_approve()
                except Exception as error:  # a refusal the manager reads, then cancels
                    refusals = ("paid", "nothing any more", "complete postal address")
                    if not any(refusal in str(error) for refusal in refusals):
                        raise
                    letter.with_user(case.manager).action_cancel()

    # ------------------------------------------------------------------
    # what a debtor relies on
    # ------------------------------------------------------------------

    def check_run(self, run):
        """A run's counters equal its log and the records it made."""
        letters = self.env["dunning.letter"].search([("run_id", "=", run.id)])
        if run.letter_count != len(letters):
            self.fail(f"{run.display_name}: letter_count {run.letter_count} != {len(letters)}")
        if run.state != "done":
            self.fail(f"{run.display_name} ended {run.state}:\n{run.log}")
        match = re.search(
            r"Run finished\. Items examined: (\d+); escalated: (\d+); letters: (\d+) "
            r"\(sent: (\d+), to approve: (\d+)\); waiting letters brought up to date: (\d+); "
            r"customers held back by undelivered letters: (\d+)",
            run.log or "",
        )
        if not match:
            self.fail(f"{run.display_name}: no closing line in the log:\n{run.log}")
        logged = tuple(int(value) for value in match.groups())
        counters = (
            run.item_count,
            run.escalated_count,
            run.letter_count,
            run.sent_count,
            run.to_approve_count,
            run.refreshed_count,
            run.held_count,
        )
        if logged != counters:
            self.fail(f"{run.display_name}: log {logged} != counters {counters}")
        if run.sent_count + run.to_approve_count != run.letter_count:
            self.fail(f"{run.display_name}: sent + to approve != letters")
        escalated = sum(len(letter.line_ids.filtered("level_id")) for letter in letters)
        if escalated != run.escalated_count:
            self.fail(
                f"{run.display_name}: {escalated} lines escalated, counter {run.escalated_count}"
            )

    def describe(self, item):
        """The letters that list ``item``, for a failure message."""
        lines = self.env["dunning.letter.line"].search([("move_line_id", "=", item.id)])
        return "; ".join(
            f"{line.letter_id.name} {line.letter_id.state}/{line.letter_id.delivery_state} "
            f"dated {line.letter_id.date} delivered {line.letter_id.delivered_date} "
            f"level {line.level_id.name} title {line.letter_id.level_id.name}"
            for line in lines
        )

    def check(self):
        letters = self.env["dunning.letter"].search(
            [("id", "not in", list(self.letters_before))], order="date, id"
        )
        sent = letters.filtered(lambda letter: letter.state == "sent")
        # 1. dated the day it went out, deadline after it, nothing dated after it
        for letter in letters.filtered(lambda letter: letter.state != "cancelled"):
            if letter.state == "sent" and letter.sent_date != letter.date:
                self.fail(f"{letter.name} dated {letter.date}, sent {letter.sent_date}")
            if letter.deadline_date <= letter.date:
                self.fail(f"{letter.name}: deadline {letter.deadline_date} not after its date")
            for line in letter.line_ids:
                document_date = line.move_id.invoice_date or line.move_id.date
                if document_date > letter.date:
                    self.fail(
                        f"{letter.name} of {letter.date} lists {line.move_id.name} "
                        f"of {document_date}"
                    )
        # 2. sent letters never change; their totals add up
        for letter in sent:
            lines = tuple(
                sorted(
                    (line.move_id.id, line.kind, line.amount_residual, line.level_id.id)
                    for line in letter.line_ids
                )
            )
            snapshot = (letter.amount_total, letter.date, letter.level_id.id, lines)
            before = self.sent_snapshots.setdefault(letter.id, snapshot)
            if before != snapshot:
                self.fail(f"sent letter {letter.name} changed: {before} -> {snapshot}")
            lines = letter.line_ids
            overdue = sum(lines.filtered(lambda x: x.kind == "overdue").mapped("amount_residual"))
            credit = sum(lines.filtered(lambda x: x.kind == "credit").mapped("amount_residual"))
            currency = letter.currency_id
            charges = letter.amount_fee + letter.amount_flat_fee + letter.amount_interest
            total = letter.amount_overdue + letter.amount_credit + charges
            interest = sum(lines.mapped("amount_interest"))
            for label, expected, actual in (
                ("overdue", overdue, letter.amount_overdue),
                ("credit", credit, letter.amount_credit),
                ("total", total, letter.amount_total),
                ("interest", interest, letter.amount_interest),
            ):
                if currency.compare_amounts(expected, actual):
                    self.fail(f"{letter.name}: {label} {actual} but its lines say {expected}")
        # 3. no item in two letters waiting for approval or delivery
        waiting = letters.filtered(
            lambda letter: (
                letter.state in ("draft", "to_approve")
                or (
                    letter.state == "sent"
                    and not letter.delivered_date
                    and letter.delivery_state != "withdrawn"
                )
            )
        )
        seen = {}
        for letter in waiting:
            for item in letter.line_ids.move_line_id:
                if item.id in seen:
                    self.fail(f"item {item.id} in {seen[item.id]} and {letter.name}, both waiting")
                seen[item.id] = letter.name
        # 4. title never below an earlier level of its items; escalation only after
        #    delivery, spaced from it, one level per run
        letter_levels = self.case.policy.level_ids.filtered(
            lambda level: level.level_type == "letter"
        ).sorted("delay_days")
        history = {}  # item id -> [(letter, level)] of sent letters in order
        for letter in sent.sorted(lambda letter: (letter.date, letter.id)):
            held_delays = []
            for line in letter.line_ids.filtered(lambda line: line.kind == "overdue"):
                earlier = history.get(line.move_line_id.id, [])
                if earlier:
                    held_delays.append(max(level.delay_days for __, level in earlier))
                if not line.level_id:
                    continue
                if earlier:
                    previous, previous_level = earlier[-1]
                    if not previous.delivered_date or previous.delivered_date > letter.date:
                        self.fail(
                            f"{letter.name} ({letter.date}) escalated item {line.move_line_id.id} "
                            f"before {previous.name} was delivered ({previous.delivered_date})"
                        )
                    base = max(previous.date, previous.delivered_date or previous.date)
                    spacing = line.level_id.delay_days - previous_level.delay_days
                    if (letter.date - base).days < spacing:
                        self.fail(
                            f"{letter.name} ({letter.date}): {line.level_id.name} only "
                            f"{(letter.date - base).days} days after {previous.name} "
                            f"was delivered ({base})"
                        )
                    expected = letter_levels.filtered(
                        lambda level, d=previous_level.delay_days: level.delay_days > d
                    )[:1]
                    if line.level_id != expected:
                        self.fail(
                            f"{letter.name}: {previous_level.name} -> {line.level_id.name}, "
                            "more than one level in a run"
                        )
                elif line.level_id != letter_levels[:1]:
                    self.fail(
                        f"{letter.name}: first letter of item {line.move_line_id.id} at "
                        f"{line.level_id.name}; {self.describe(line.move_line_id)}"
                    )
            for line in letter.line_ids.filtered("level_id"):
                history.setdefault(line.move_line_id.id, []).append((letter, line.level_id))
            if held_delays and letter.level_id.delay_days < max(held_delays):
                self.fail(
                    f"{letter.name} titled {letter.level_id.name} below a level its items hold"
                )
        # 5. charges only of delivered letters
        for letter in letters.filtered("fee_move_id"):
            if not letter.delivered_date:
                self.fail(
                    f"{letter.name}: charges {letter.fee_move_id.name} of an undelivered letter"
                )
        # 6. collection cases report only delivered letters
        cases = self.env["collection.case"].search(
            [("partner_id", "in", [p.id for p in self.customers]), ("state", "!=", "draft")]
        )
        for case in cases:
            dunned = self.env["dunning.letter.line"].search(
                [
                    ("move_id", "in", case.move_ids.ids),
                    ("level_id", "!=", False),
                    ("letter_id.state", "=", "sent"),
                    ("letter_id.date", "<=", case.handover_date),
                ]
            )
            for line in dunned:
                delivered = line.letter_id.delivered_date
                if not delivered or delivered > case.handover_date:
                    self.fail(
                        f"{case.name} handed over on {case.handover_date} with "
                        f"{line.letter_id.name}, not delivered by then"
                    )
        # 7. interest and the flat fee only from default on; the flat fee once per
        #    invoice; the first day of default a letter stated never changes
        #    (sent letters never change, see 2: each is checked once delivered -- a letter
        #    withdrawn before delivery charges nothing -- in date order)
        counted = sent.filtered(
            lambda letter: letter.delivered_date and letter.id not in self.charges_checked
        )
        flat_fee_invoices = self.flat_fee_invoices
        for letter in counted.sorted(lambda letter: (letter.date, letter.id)):
            self.charges_checked.add(letter.id)
            for line in letter.line_ids:
                if line.amount_interest or line.amount_flat_fee:
                    if not line.default_date or line.default_date > letter.date:
                        self.fail(
                            f"{letter.name} ({letter.date}) charges {line.move_id.name} "
                            f"not in default (default date {line.default_date})"
                        )
                if line.amount_interest and line.interest_date_from < line.default_date:
                    self.fail(
                        f"{letter.name}: interest on {line.move_id.name} from "
                        f"{line.interest_date_from}, before default on {line.default_date}"
                    )
                if line.amount_flat_fee:
                    earlier = flat_fee_invoices.setdefault(line.move_id.id, letter.name)
                    if earlier != letter.name:
                        self.fail(f"flat fee on {line.move_id.name} in {earlier} and {letter.name}")
                if line.default_date:
                    stated = self.default_dates.setdefault(
                        line.move_line_id.id, (line.default_date, letter.name)
                    )
                    if stated[0] != line.default_date:
                        self.fail(
                            f"{letter.name} says {line.move_id.name} is in default since "
                            f"{line.default_date}, {stated[1]} said {stated[0]}"
                        )
