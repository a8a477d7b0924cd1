"""The run's reads: the open receivables in one scan, each item's level from its
delivered letters, the customers held back or with letters waiting, and what
earlier letters charged.

Plain SQL: the run reads tens of thousands of rows and needs only a few columns.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import api, models
from odoo.tools import SQL
from odoo.tools.translate import LazyTranslate

from ..engine.charges import ChargeHistory
from ..engine.default import DefaultStart
from ..engine.routing import has_postal_address
from ..tools.reader_text import RecordName
from .account_move_line import ITEM_STATE_QUERY
from .collection_case import OPEN_STATES as OPEN_CASE_STATES
from .dunning_run import (
    DUNNABLE_MOVE_TYPES,
    ITEM_COLUMNS,
    ITEM_FIELDS,
    PARTNER_FIELDS,
    RECONCILED_MARGIN,
    group_by_partner,
)

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)


# one model in several files by concern (readme/DEVELOP.md), as Odoo splits account.move.line
class DunningRun(models.Model):
    _inherit = "dunning.run"  # pylint: disable=consider-merging-classes-inherited

    def _first_due_delay(self):
        policies = self.env["dunning.policy"].search([("company_id", "=", self.company_id.id)])
        delays = [
            max(min(policy.level_ids.mapped("delay_days")), policy.grace_days + 1)
            for policy in policies
            if policy.level_ids
        ]
        return min(delays) if delays else 1

    def _item_query(self, condition, *extra_columns):
        """The open receivable items of the run's company meeting ``condition``.

        Selects ``ITEM_COLUMNS`` in their order, then ``extra_columns``.
        """
        columns = [SQL(f"{expression} AS {alias}") for alias, expression in ITEM_COLUMNS]
        return SQL(
            """
            SELECT %(select)s
              FROM account_move_line aml
              JOIN account_account account ON account.id = aml.account_id
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_partner partner ON partner.id = aml.partner_id
         LEFT JOIN dunning_level move_level ON move_level.id = move.dunning_level_id
         LEFT JOIN account_payment_term term ON term.id = move.invoice_payment_term_id
         LEFT JOIN LATERAL (
                   SELECT bool_or(c.state IN %(open_states)s) AS in_collection,
                          bool_or(c.state = 'recalled') AS was_recalled
                     FROM collection_case_move_rel rel
                     JOIN collection_case c ON c.id = rel.case_id
                    WHERE rel.move_id = move.id) cases ON TRUE
             WHERE aml.company_id = %(company)s
               AND aml.parent_state = 'posted'
               AND account.account_type = 'asset_receivable'
               AND aml.reconciled IS NOT TRUE
               AND (aml.amount_residual != 0 OR aml.amount_residual_currency != 0)
               -- a run never considers documents dated after its date
               AND aml.date <= %(date)s
               AND (move.invoice_date IS NULL OR move.invoice_date <= %(date)s)
               AND %(condition)s
            """,
            select=SQL(", ").join([*columns, *extra_columns]),
            condition=condition,
            date=self.date,
            company=self.company_id.id,
            open_states=OPEN_CASE_STATES,
        )

    def _candidate_items(self):
        """The open items of every partner with at least one item that may escalate today.

        Returns {commercial partner id: [row tuple in ``ITEM_COLUMNS`` order]},
        in partner order. One scan of the receivables for the whole run: the
        batches take their partners' items from it (a query per batch scanned
        the journal items again each time, the run's largest read at 100k).
        """
        self.env.flush_all()
        # customers with a letter waiting for approval are brought up to date
        # every day, even when nothing of theirs is open any more
        waiting = [
            partner_id
            for (partner_id,) in self.env.execute_query(
                SQL(
                    """SELECT DISTINCT partner_id FROM dunning_letter
                        WHERE company_id = %s AND state IN ('draft', 'to_approve') AND date < %s""",
                    self.company_id.id,
                    self.date,
                )
            )
        ]
        candidate = SQL(
            """aml.amount_residual > 0
               AND move.move_type IN %(types)s
               AND move.is_dunning_charge IS NOT TRUE
               AND (aml.date_maturity IS NULL OR aml.date_maturity <= %(latest_due)s)
               AND cases.in_collection IS NOT TRUE
               AND NOT EXISTS (
                   SELECT 1
                     FROM dunning_letter_line line
                     JOIN dunning_letter letter ON letter.id = line.letter_id
                    WHERE line.move_line_id = aml.id AND line.level_id IS NOT NULL
                      AND letter.date >= %(date)s AND letter.state != 'cancelled')""",
            types=DUNNABLE_MOVE_TYPES,
            latest_due=self.date - timedelta(days=self._first_due_delay()),
            date=self.date,
        )
        aliases = SQL(", ").join(SQL(alias) for alias in ITEM_FIELDS)
        rows = self.env.execute_query(
            SQL(
                """
                WITH item AS MATERIALIZED (%(items)s)
                SELECT %(aliases)s
                  FROM item
                 WHERE partner_id IN (SELECT partner_id FROM item WHERE candidate)
                       %(or_waiting)s
              ORDER BY partner_id, id
                """,
                items=self._item_query(SQL("TRUE"), SQL("%s AS candidate", candidate)),
                aliases=aliases,
                # only when there are any: the OR keeps PostgreSQL from hashing the IN
                or_waiting=SQL("OR partner_id = ANY(%s)", waiting) if waiting else SQL(),
            )
        )
        by_partner = group_by_partner(rows, {})
        for partner_id in waiting:
            by_partner.setdefault(partner_id, [])
        return dict(sorted(by_partner.items()))

    def _reread_reconciled(self, partner_ids, items_by_partner, read_at):
        """Read again the items of customers with a payment matched since ``read_at``.

        The run reads the receivables once; a payment or credit note
        reconciled while it runs (bank statement import, a colleague) must
        still keep the paid invoices out of the letter. Reconciliations
        created from a little before the read on are taken, as a transaction
        that began earlier may have committed after it; reading a customer
        again costs one query.
        """
        since = read_at - RECONCILED_MARGIN
        changed = [
            partner_id
            for (partner_id,) in self.env.execute_query(
                SQL(
                    """
                    SELECT DISTINCT partner.commercial_partner_id
                      FROM account_partial_reconcile apr
                      JOIN account_move_line aml
                        ON aml.id IN (apr.debit_move_id, apr.credit_move_id)
                      JOIN res_partner partner ON partner.id = aml.partner_id
                     WHERE apr.create_date >= %s
                       AND partner.commercial_partner_id = ANY(%s)
                    """,
                    since,
                    partner_ids,
                )
            )
        ]
        if not changed:
            return
        group_by_partner(self._fetch_items(changed), items_by_partner, reset=changed)

    def _fetch_items(self, partner_ids):
        """All open receivable items of these partners (after the run changed them)."""
        self.env.flush_all()
        return self.env.execute_query(
            self._item_query(SQL("partner.commercial_partner_id = ANY(%s)", list(partner_ids)))
        )

    def _item_rows(self, rows):
        """Row dicts of the items with their current level and last dunning date."""
        rows = [dict(zip(ITEM_FIELDS, row, strict=True)) for row in rows]
        item_state = (
            {
                line_id: (level_id, dunning_date)
                for line_id, level_id, dunning_date in self.env.execute_query(
                    SQL(ITEM_STATE_QUERY, [row["id"] for row in rows])
                )
            }
            if rows
            else {}
        )
        delays = (
            dict(
                self.env.execute_query(
                    SQL(
                        "SELECT id, delay_days FROM dunning_level WHERE id = ANY(%s)",
                        list({level_id for level_id, __ in item_state.values()}),
                    )
                )
            )
            if item_state
            else {}
        )
        for row in rows:
            level_id, dunning_date = item_state.get(row["id"], (None, None))
            row.update(
                dunning_level_id=level_id,
                dunning_date=dunning_date,
                level_delay=delays.get(level_id),
            )
        return rows

    def _held_groups(self, partner_ids):
        """{(partner, currency): date of the oldest sent letter not delivered yet}."""
        self.env["dunning.letter"].flush_model(
            ["partner_id", "currency_id", "state", "delivered_date", "delivery_state", "date"]
        )
        return {
            (partner_id, currency_id): since
            for partner_id, currency_id, since in self.env.execute_query(
                SQL(
                    """
                    SELECT partner_id, currency_id, min(date)
                      FROM dunning_letter
                     WHERE company_id = %s AND partner_id = ANY(%s)
                       AND state = 'sent' AND delivered_date IS NULL
                       AND delivery_state IS DISTINCT FROM 'withdrawn'
                  GROUP BY partner_id, currency_id
                    """,
                    self.company_id.id,
                    list(partner_ids),
                )
            )
        }

    def _waiting_letters(self, partner_ids):
        """{(partner, currency): letter} of the letters waiting for approval."""
        letters = self.env["dunning.letter"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("partner_id", "in", list(partner_ids)),
                ("state", "in", ("draft", "to_approve")),
            ],
            order="date desc, id desc",
        )
        waiting = {}
        duplicates = letters.browse()
        for letter in letters:
            key = (letter.partner_id.id, letter.currency_id.id)
            if key in waiting:
                duplicates |= letter  # older letters of earlier versions: one is kept
            else:
                waiting[key] = letter
        if duplicates:
            duplicates._cancel_internal(_lt("Replaced by a newer letter of %s.", RecordName(self)))
        return waiting

    def _charge_history(self, items):
        """What earlier sent letters said and charged of ``items``, and their payments:
        a ``ChargeHistory`` (last interest day charged, first reminder's delivery, first
        day of default stated, invoices charged the flat fee, payments)."""
        if not items:
            return ChargeHistory()
        item_ids = [item.id for item in items]
        self.env.flush_all()
        charged_until, reminder_delivered, known_defaults = {}, {}, {}
        for item_id, until, delivered, default_date, reason in self.env.execute_query(
            SQL(
                """
                SELECT line.move_line_id,
                       max(line.interest_date_to),
                       min(letter.delivered_date) FILTER (WHERE line.kind = 'overdue'),
                       (array_agg(line.default_date ORDER BY letter.date, letter.id)
                            FILTER (WHERE line.default_date IS NOT NULL))[1],
                       (array_agg(line.default_reason ORDER BY letter.date, letter.id)
                            FILTER (WHERE line.default_date IS NOT NULL))[1]
                  FROM dunning_letter_line line
                  JOIN dunning_letter letter ON letter.id = line.letter_id
                 WHERE line.move_line_id = ANY(%s)
                   AND letter.state = 'sent'
                   AND letter.delivery_state IS DISTINCT FROM 'withdrawn'
              GROUP BY line.move_line_id
                """,
                item_ids,
            )
        ):
            if until:
                charged_until[item_id] = until
            if delivered:
                reminder_delivered[item_id] = delivered
            if default_date:
                known_defaults[item_id] = DefaultStart(default_date, reason)
        flat_fee_moves = {
            move_id
            for (move_id,) in self.env.execute_query(
                SQL(
                    """
                    SELECT DISTINCT line.move_id
                      FROM dunning_letter_line line
                      JOIN dunning_letter letter ON letter.id = line.letter_id
                     WHERE line.move_id = ANY(%s) AND line.amount_flat_fee > 0
                       AND letter.state = 'sent'
                       AND letter.delivery_state IS DISTINCT FROM 'withdrawn'
                    """,
                    list({item.move_id for item in items}),
                )
            )
        }
        payments = defaultdict(list)
        for item_id, paid_on, amount in self.env.execute_query(
            SQL(
                """
                SELECT debit_move_id, max_date, debit_amount_currency
                  FROM account_partial_reconcile
                 WHERE debit_move_id = ANY(%s)
                """,
                item_ids,
            )
        ):
            payments[item_id].append((paid_on, Decimal(str(amount))))
        return ChargeHistory(
            charged_until=charged_until,
            flat_fee_moves=frozenset(flat_fee_moves),
            payments=payments,
            reminder_delivered=reminder_delivered,
            known_defaults=known_defaults,
        )

    def _delivery_contacts(self, partners):
        """Return {partner_id: contact} with each partner's invoice contact (or itself)."""
        contacts = {partner.id: partner for partner in partners}
        invoice_contacts = self.env["res.partner"].search_fetch(
            [("parent_id", "in", partners.ids), ("type", "=", "invoice")],
            ["parent_id", *PARTNER_FIELDS],
            order="id desc",
        )
        for contact in invoice_contacts:
            contacts[contact.parent_id.id] = contact
        return contacts

    @api.model
    def _has_postal_address(self, partner, contact):
        """Street, ZIP and city, from the delivery contact or else the customer."""
        return has_postal_address(
            (contact.street, contact.zip, contact.city),
            (partner.street, partner.zip, partner.city),
        )
