"""The run's writes: letters and their lines in one COPY each, the invoices'
levels in one UPDATE.

Each table's row is built by one ``_prepare_*_vals`` method returning a dict
of column values, so that another addon can add a column or change a decision
by ``_inherit`` (see readme/DEVELOP.md).
"""

import json
from datetime import timedelta
from decimal import Decimal

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..engine.interest import DAYS_PER_YEAR, InterestResult
from ..engine.routing import REASON_APPROVAL, REASON_NO_ADDRESS, REASON_NO_EMAIL, route_letter
from ..tools import bulk_insert
from ..tools.reader_text import freeze, post_note

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)


def reason_entries(reason):
    """The stored entries of a letter's reason: ``reason`` is a list of texts of
    ``_lt`` (or, from an override, one plain text)."""
    return [freeze(text) for text in (reason if isinstance(reason, list) else [reason])]


def interest_rates_text(result: InterestResult) -> str:
    rates = []
    for period in result.periods:
        text = f"{period.rate:.2f} %"
        if text not in rates:
            rates.append(text)
    return " / ".join(rates)


def interest_detail_text(result: InterestResult) -> str:
    return "\n".join(
        f"{p.date_from} - {p.date_to}: {p.days} days at {p.rate:.2f} % on {p.principal:.2f}"
        + (f" / {p.year_days} days" if p.year_days != DAYS_PER_YEAR else "")
        for p in result.periods
    )


# one model in several files by concern (readme/DEVELOP.md), as Odoo splits account.move.line
class DunningRun(models.Model):
    _inherit = "dunning.run"  # pylint: disable=consider-merging-classes-inherited

    def _letter_route(self, level, partner, contact):
        """Return (channel, state, reason) of a letter of ``level`` to ``partner``.

        The engine decides (``engine.routing``); ``state`` is ``to_approve`` or
        ``draft`` (no approval needed: written as sent), ``reason`` says why: a
        list of texts of ``_lt``, kept language-neutral on the letter (a plain
        text is kept as it is).
        """
        policy = level.policy_id
        route = route_letter(
            level.channel,
            has_email=bool(contact.email or partner.email),
            has_address=self._has_postal_address(partner, contact),
            approval_required=bool(
                policy.approval_required
                or level.approval_required
                or self.company_id.dunning_approval_required
            ),
        )
        texts = {
            REASON_NO_EMAIL: _lt("The customer has no e-mail address: sent by post instead."),
            REASON_NO_ADDRESS: _lt(
                "The customer has no complete postal address (street, ZIP, city): "
                "complete it before sending."
            ),
            REASON_APPROVAL: _lt("The policy or level asks for approval."),
        }
        state = "to_approve" if route.needs_approval else "draft"
        return route.channel, state, [texts[reason] for reason in route.reasons]

    def _prepare_letter_vals(self, letter_plan, partner, contact, level, charge):
        """Column values of one letter (without name and run): one place per table,
        so that another addon can add a column or change a decision by ``_inherit``."""
        channel, state, reason = self._letter_route(level, partner, contact)
        # a letter that needs no approval is written as sent (see _send)
        sent = state == "draft"
        return {
            "partner_id": partner.id,
            "company_id": self.company_id.id,
            "currency_id": letter_plan.currency_id,
            "policy_id": letter_plan.policy_id,
            "level_id": level.id,
            "user_id": (partner.user_id or self.user_id or self.env.user).id,
            "date": self.date,
            "deadline_date": self.date + timedelta(days=level.deadline_days),
            "channel": channel,
            "state": "sent" if sent else state,
            "sent_date": self.date if sent else None,
            "delivery_state": "pending" if sent else None,
            "delivery_attempts": 0,
            # JSON text (the row goes to COPY as it is)
            "approval_reason_entries": json.dumps(reason_entries(reason)) if reason else None,
            "amount_overdue": letter_plan.amount_overdue,
            "amount_credit": letter_plan.amount_credit,
            "amount_not_due": letter_plan.amount_not_due,
            "amount_total": letter_plan.amount_total + charge.total,
            "amount_fee": charge.fee,
            "amount_flat_fee": charge.flat_fee_total,
            "amount_interest": charge.interest_total,
            "interest_warning_entries": json.dumps(reason_entries(charge.warning))
            if charge.warning
            else None,
            "interest_day_count": self.env["dunning.policy"]
            .browse(letter_plan.policy_id)
            .interest_day_count,
        }

    def _prepare_letter_line_vals(self, letter_id, line, charge, original_by_item):
        """Column values of one letter line (see ``_prepare_letter_vals``)."""
        item = line.item
        interest = charge.interest.get(item.id)
        default = charge.defaults.get(item.id)
        return {
            "letter_id": letter_id,
            "move_line_id": item.id,
            "move_id": item.move_id,
            "kind": line.kind.value,
            "date_maturity": item.date_maturity,
            "days_overdue": line.days_overdue,
            "amount_original": original_by_item.get(item.id, 0.0),
            "amount_residual": float(item.amount_residual_currency),
            "level_id": line.level_id,
            "is_charge": item.id in charge.charge_items,
            "interest_date_from": interest and interest.periods[0].date_from,
            "interest_date_to": interest and interest.charged_until,
            "interest_days": interest and sum(p.days for p in interest.periods),
            "interest_rate": interest and interest_rates_text(interest),
            "interest_detail": interest and interest_detail_text(interest),
            "amount_interest": interest.amount if interest else None,
            "amount_flat_fee": charge.flat_fees.get(item.id),
            "default_date": default and default.date,
            "default_reason": default and default.reason,
        }

    def _write_letters(
        self, new_plans, refreshed, partners, original_by_item, move_levels, charges,
        keep_state=False,
    ):  # fmt: skip
        """Create the planned letters, bring waiting ones up to date, write all lines.

        ``refreshed``: (letter waiting for approval, plan) pairs -- the letter
        keeps its number and is rewritten as of the run's date. Letters and
        lines are inserted with one COPY each: the values come from records
        the run has just read and checked, and the ORM's per-record create
        (company checks, mail.thread set-up) would dominate a run with
        thousands of letters. New letters get no followers and no "created"
        note; their chatter starts with the sending. Returns all letters written.
        """
        # the run's own note on each letter replaces field tracking, which would
        # post one message per letter when the run marks them sent
        Letter = self.env["dunning.letter"].with_context(tracking_disable=True, mail_notrack=True)
        if not new_plans and not refreshed:
            return Letter
        contacts = self._delivery_contacts(partners)
        partner_by_id = {partner.id: partner for partner in partners}
        all_plans = [*new_plans, *(plan for __, plan in refreshed)]
        levels = self.env["dunning.level"].browse({p.level_id for p in all_plans})
        level_by_id = {level.id: level for level in levels}

        def letter_vals(letter_plan):
            partner = partner_by_id[letter_plan.partner_id]
            return self._prepare_letter_vals(
                letter_plan,
                partner,
                contacts[partner.id],
                level_by_id[letter_plan.level_id],
                charges[(letter_plan.partner_id, letter_plan.currency_id)],
            )

        letters = Letter
        if new_plans:
            names = Letter._reserve_names(self.company_id, len(new_plans))
            rows = [
                {"name": name, "run_id": self.id, **letter_vals(letter_plan)}
                for name, letter_plan in zip(names, new_plans, strict=True)
            ]
            Letter.flush_model()
            columns = list(rows[0])
            letters = Letter.browse(
                bulk_insert(
                    self.env,
                    "dunning_letter",
                    columns,
                    [tuple(row[column] for column in columns) for row in rows],
                )
            )
            self.invalidate_recordset(["letter_ids"])
        if refreshed:
            old = Letter.union(*(letter for letter, __ in refreshed))
            before = {letter.id: letter._content_signature() for letter in old}
            # the waiting letters' lines are replaced (they were never sent)
            self.env["dunning.letter.line"].flush_model()
            self.env.cr.execute(
                SQL("DELETE FROM dunning_letter_line WHERE letter_id = ANY(%s)", old.ids)
            )
            for letter, letter_plan in refreshed:
                vals = letter_vals(letter_plan)
                if keep_state:
                    for key in ("state", "sent_date", "delivery_state", "approval_reason_entries"):
                        vals.pop(key)
                else:
                    vals["approval_reason_legacy"] = None
                # the JSON text of the COPY row as the ORM writes it
                for key in ("approval_reason_entries", "interest_warning_entries"):
                    if vals.get(key):
                        vals[key] = json.loads(vals[key])
                vals["interest_warning_legacy"] = None
                vals = {
                    key: float(value) if isinstance(value, Decimal) else value or False
                    for key, value in vals.items()
                }
                letter.sudo().write(vals)  # the run's own rewrite of a letter not sent yet
            letters |= old
        line_rows = []
        escalations = []
        all_pairs = [*zip(letters[: len(new_plans)], new_plans, strict=True), *refreshed]
        for letter, letter_plan in all_pairs:
            charge = charges[(letter_plan.partner_id, letter_plan.currency_id)]
            for line in letter_plan.lines:
                line_rows.append(
                    self._prepare_letter_line_vals(letter.id, line, charge, original_by_item)
                )
                if line.level_id and letter.state == "sent":
                    escalations.append((line.item.id, line.level_id, line.item.move_id))
        # Lines are plain rows of this module: one COPY instead of the ORM's
        # per-record create, which would dominate a run with 10,000s of items.
        self.env["dunning.letter.line"].flush_model()
        columns = list(line_rows[0])
        bulk_insert(
            self.env,
            "dunning_letter_line",
            columns,
            [tuple(row[column] for column in columns) for row in line_rows],
            log_access=False,
            returning=False,
        )
        self.env["dunning.letter.line"].invalidate_model()
        self.env["account.move.line"].invalidate_model(["dunning_level_id", "dunning_date"])
        letters.invalidate_recordset(["line_ids"])
        for letter, __ in refreshed:
            # a note when what it asks for changed, not for every day it waits
            if before[letter.id] != letter._content_signature():
                post_note(
                    letter,
                    _lt(
                        "Brought up to date as of %(date)s: items, amounts, level and charges.",
                        date=self.date,
                    ),
                )
        if move_levels is not None:
            self._write_item_levels(escalations, move_levels)
        return letters

    def _write_item_levels(self, escalations, move_levels):
        """Store the invoices' new levels in one query (the items' come from the lines).

        Levels only rise in a run, so an invoice's new level is the higher of
        its current one and the levels its items reach now.
        """
        if not escalations:
            return
        delay_by_level = {
            level.id: level.delay_days
            for level in self.env["dunning.level"].browse({level for __, level, __ in escalations})
        }
        best = dict(move_levels)  # move_id -> (delay, level_id)
        for __, level_id, move_id in escalations:
            candidate = (delay_by_level[level_id], level_id)
            if move_id not in best or candidate > best[move_id]:
                best[move_id] = candidate
        moved = sorted({move_id for __, __, move_id in escalations})
        self.env["account.move"].flush_model(["dunning_level_id", "dunning_date"])
        self.env.cr.execute(
            SQL(
                """
                UPDATE account_move move
                   SET dunning_level_id = v.level_id, dunning_date = %s
                  FROM (SELECT unnest(%s::int[]) AS id, unnest(%s::int[]) AS level_id) v
                 WHERE move.id = v.id
                """,
                self.date,
                moved,
                [best[move_id][1] for move_id in moved],
            )
        )
        self.env["account.move"].invalidate_model(
            ["dunning_level_id", "dunning_date", "dunning_last_letter_id"]
        )

    @api.model
    def _update_move_levels(self, move_ids):
        """Recompute invoices' level and last dunning date from their letter lines."""
        if not move_ids:
            return
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                WITH item AS (
                    SELECT line.move_id, line.level_id, letter.date, level.delay_days
                      FROM dunning_letter_line line
                      JOIN dunning_letter letter ON letter.id = line.letter_id
                      JOIN dunning_level level ON level.id = line.level_id
                     WHERE line.move_id = ANY(%s) AND letter.state = 'sent'
                ), best AS (
                    SELECT DISTINCT ON (move_id) move_id, level_id,
                           max(date) OVER (PARTITION BY move_id) AS dunning_date
                      FROM item
                  ORDER BY move_id, delay_days DESC
                )
                UPDATE account_move move
                   SET dunning_level_id = best.level_id, dunning_date = best.dunning_date
                  FROM unnest(%s::int[]) AS moved(id)
             LEFT JOIN best ON best.move_id = moved.id
                 WHERE move.id = moved.id
                """,
                move_ids,
                move_ids,
            )
        )
        self.env["account.move"].invalidate_model(
            ["dunning_level_id", "dunning_date", "dunning_last_letter_id"]
        )
