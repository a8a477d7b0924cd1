import logging
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal

from psycopg2 import errors

from odoo import api, fields, models
from odoo.exceptions import ConcurrencyError, UserError
from odoo.tools import SQL, mute_logger, split_every
from odoo.tools.translate import LazyTranslate

from ..engine import DunningItem, HandoverRule, handover_items, plan_letters
from ..engine.allocation import settlement_key
from ..engine.escalation import SKIP_BELOW_MINIMUM, SKIP_COVERED, SKIP_NO_POLICY
from ..tools import CronBudget
from ..tools.reader_text import RecordName, freeze, render

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)

_logger = logging.getLogger(__name__)

# First key of the PostgreSQL advisory lock that guards a company's run;
# the second key is the company id.
RUN_LOCK_NAMESPACE = 0x44554E  # "DUN"
PARTNER_BATCH_SIZE = 1000
# How long before the run read the receivables a reconciliation may have been
# made (in a transaction still open then) and not be in what it read.
RECONCILED_MARGIN = timedelta(minutes=10)
DUNNABLE_MOVE_TYPES = ("out_invoice", "out_receipt")
# What the run reads of each open receivable item: (name, SQL expression)
# over the joins of DunningRun._item_query.
ITEM_COLUMNS = (
    ("id", "aml.id"),
    ("move_id", "aml.move_id"),
    ("partner_id", "partner.commercial_partner_id"),
    ("currency_id", "aml.currency_id"),
    ("date_maturity", "aml.date_maturity"),
    ("amount_residual", "aml.amount_residual"),
    ("amount_residual_currency", "aml.amount_residual_currency"),
    ("amount_currency", "aml.amount_currency"),
    ("move_type", "move.move_type"),
    ("move_name", "move.name"),
    ("is_dunning_charge", "move.is_dunning_charge"),
    ("move_level_id", "move.dunning_level_id"),
    ("move_level_delay", "move_level.delay_days"),
    ("move_stop_reason", "move.dunning_stop_reason_id"),
    ("move_stop_until", "move.dunning_stop_until"),
    ("in_collection", "cases.in_collection"),
    ("calendar_due", "term.dunning_calendar_due"),
    ("was_recalled", "cases.was_recalled"),
)
ITEM_FIELDS = tuple(name for name, __ in ITEM_COLUMNS)
ITEM_PARTNER = ITEM_FIELDS.index("partner_id")
ITEM_CURRENCY = ITEM_FIELDS.index("currency_id")
# What the run reads of a customer and its invoice contact (delivery checks).
PARTNER_FIELDS = [
    "dunning_policy_id",
    "dunning_stop_reason_id",
    "dunning_stop_until",
    "dunning_debtor_type",
    "user_id",
    "email",
    "street",
    "zip",
    "city",
]


def group_by_partner(rows, by_partner, reset=()):
    """Add item rows (``ITEM_COLUMNS`` order) to ``by_partner`` under their
    partner, after emptying the lists of the partners in ``reset``."""
    for partner_id in reset:
        by_partner[partner_id] = []
    for row in rows:
        by_partner.setdefault(row[ITEM_PARTNER], []).append(row)
    return by_partner


RUN_STATES = [
    ("draft", "Draft"),
    ("running", "Running"),
    ("done", "Done"),
    ("partial", "Done with Errors"),
    ("failed", "Failed"),
]
FINISHED_STATES = ("done", "partial")


class DunningRun(models.Model):
    _name = "dunning.run"
    _inherit = ["mail.thread"]
    _description = "Dunning Run"
    _order = "date desc, id desc"
    _check_company_auto = True

    date = fields.Date(
        required=True,
        default=fields.Date.context_today,
        help="Days overdue are counted up to this date; letters carry it.",
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    user_id = fields.Many2one("res.users", default=lambda s: s.env.user, readonly=True)
    state = fields.Selection(RUN_STATES, default="draft", required=True, readonly=True, copy=False)
    letter_ids = fields.One2many("dunning.letter", "run_id", readonly=True)
    started_at = fields.Datetime(readonly=True, copy=False)
    finished_at = fields.Datetime(readonly=True, copy=False)
    item_count = fields.Integer("Items Examined", readonly=True, copy=False)
    escalated_count = fields.Integer("Items Escalated", readonly=True, copy=False)
    letter_count = fields.Integer("Letters", readonly=True, copy=False)
    sent_count = fields.Integer("Letters Sent", readonly=True, copy=False)
    to_approve_count = fields.Integer("Letters to Approve", readonly=True, copy=False)
    skipped_count = fields.Integer(
        "Customers Skipped",
        readonly=True,
        copy=False,
        help="Customers with an escalation but no letter (no policy, covered, below minimum).",
    )
    error_count = fields.Integer("Errors", readonly=True, copy=False)
    held_count = fields.Integer(
        "Customers Held Back",
        readonly=True,
        copy=False,
        help="Customers with an item due for the next level whose last letter was not "
        "delivered yet (e-mail not sent, not printed, call not made): no new letter until it is.",
    )
    refreshed_count = fields.Integer(
        "Letters Brought Up to Date",
        readonly=True,
        copy=False,
        help="Letters waiting for approval that this run rewrote as of its date.",
    )
    case_count = fields.Integer(
        "Collection Cases",
        readonly=True,
        copy=False,
        help="Collection cases this run proposed or handed over.",
    )
    # the log in the reader's language, from its language-neutral entries: time (UTC)
    # and text (source and arguments, see tools.reader_text)
    log = fields.Text(compute="_compute_log")
    log_entries = fields.Json(readonly=True, copy=False)
    # the free-text log of runs made before the log was stored language-neutral
    log_legacy = fields.Text("Log of Older Runs", readonly=True, copy=False)
    to_print_count = fields.Integer(
        "Letters to Print", compute="_compute_delivery_counts", help="Letters waiting for printing."
    )
    pending_delivery_count = fields.Integer(
        "Letters Queued",
        compute="_compute_delivery_counts",
        help="Sent letters whose document or e-mail the delivery job has not made yet.",
    )
    failed_delivery_count = fields.Integer("Deliveries Failed", compute="_compute_delivery_counts")

    @api.depends("letter_ids.delivery_state")
    def _compute_delivery_counts(self):
        counts = defaultdict(int)
        for run, delivery_state, count in self.env["dunning.letter"]._read_group(
            [("run_id", "in", self.ids), ("state", "=", "sent")],
            ["run_id", "delivery_state"],
            ["__count"],
        ):
            counts[(run.id, delivery_state)] = count
        for run in self:
            run.to_print_count = counts[(run.id, "to_print")]
            run.pending_delivery_count = counts[(run.id, "pending")]
            run.failed_delivery_count = counts[(run.id, "failed")]

    @api.depends("log_entries", "log_legacy")
    @api.depends_context("lang", "tz")
    def _compute_log(self):
        for run in self:
            lines = [
                "[{}] {}".format(
                    fields.Datetime.context_timestamp(
                        run, fields.Datetime.to_datetime(entry["at"])
                    ).strftime("%H:%M:%S"),
                    render(self.env, entry["text"]),
                )
                for entry in run.log_entries or []
            ]
            run.log = (run.log_legacy or "") + "".join(f"{line}\n" for line in lines) or False

    @api.depends("date", "company_id")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._(
                "Dunning run %(date)s (%(company)s)",
                date=run.date and fields.Date.to_string(run.date),
                company=run.company_id.name,
            )

    @api.constrains("date")
    def _check_date(self):
        today = fields.Date.context_today(self)
        for run in self:
            if run.date > today:
                raise UserError(
                    self.env._(
                        "The dunning run of %(date)s lies in the future; "
                        "runs can only be made up to today (%(today)s).",
                        date=run.date,
                        today=today,
                    )
                )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_with_letters(self):
        if self.letter_ids.filtered(lambda letter: letter.state == "sent"):
            raise UserError(self.env._("A run that sent letters is dunning history: keep it."))

    # ------------------------------------------------------------------
    # PUBLIC ACTIONS
    # ------------------------------------------------------------------

    def action_run_now(self):
        """Run the dunning of the current company for today and open the run.

        The list's button for a person: the run is created when it starts, so
        no empty run is left behind (a form opened with *New* is saved by the
        web client as soon as the page is hidden or left). Runs selected in the
        list, which the button receives, play no part.
        """
        run = self.create(
            {"date": fields.Date.context_today(self), "company_id": self.env.company.id}
        )
        run.action_run()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": run.id,
            "views": [(False, "form")],
        }

    def action_run(self):
        """Run the dunning for the run's date in one transaction."""
        for run in self:
            if run.state in FINISHED_STATES:
                raise UserError(
                    self.env._(
                        "%s is already done. Use Run Dunning Now to dun again.", run.display_name
                    )
                )
            run.with_company(run.company_id)._execute(commit=False)
        return True

    def action_view_letters(self):
        """Open the letters of this run."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_dunning_collect.action_dunning_letter"
        )
        action["domain"] = [("run_id", "=", self.id)]
        if self.env.context.get("delivery_state"):
            action["domain"].append(("delivery_state", "=", self.env.context["delivery_state"]))
        return action

    def action_print_letters(self):
        """One PDF of the run's letters waiting for printing; they are marked posted."""
        letters = self.letter_ids.filtered(lambda letter: letter.delivery_state == "to_print")
        if not letters:
            raise UserError(
                self.env._("%s has no letters waiting for printing.", self[:1].display_name)
            )
        return letters.action_print_letters()

    # ------------------------------------------------------------------
    # CRON
    # ------------------------------------------------------------------

    @api.model
    def _cron_daily_run(self):
        """Entry point of the daily cron: one run per company with a policy.

        A run already done today is left alone; one interrupted (time limit,
        crash) is resumed. Work is committed per batch of partners.
        """
        # The cron acts for every company, and its user need not be a member
        # of each: the run only reads receivables and writes dunning records.
        cron_self = self.sudo()
        budget = CronBudget(self.env)
        companies = cron_self.env["dunning.policy"].search([("active", "=", True)]).company_id
        for index, company in enumerate(companies):
            run_self = cron_self.with_company(company)
            today = fields.Date.context_today(run_self)
            run = run_self.search(
                [("company_id", "=", company.id), ("date", "=", today)], order="id desc", limit=1
            )
            if run.state in FINISHED_STATES:
                continue
            if not budget.allows_batch():
                # the wake-up's time is spent: the next wake-up, at once, goes on
                self.env["ir.cron"]._commit_progress(remaining=len(companies) - index)
                return
            if not run:
                run = run_self.create({"date": today, "company_id": company.id})
                self.env["ir.cron"]._commit_progress()
            try:
                finished = run._execute(commit=True, budget=budget)
            except UserError as error:  # another worker holds this company's run
                _logger.info("Dunning run skipped: %s", error)
                continue
            if not finished:
                return  # out of time: the cron is rescheduled and resumes the run

    # ------------------------------------------------------------------
    # BUSINESS
    # ------------------------------------------------------------------

    def _execute(self, commit, budget=None):
        """Run the dunning; return False when the cron's time ran out.

        ``commit`` is the cron path: work is committed per batch of partners
        and the run is guarded by a session-level lock that survives those
        commits. Without it everything happens in the caller's transaction,
        guarded by a transaction-level lock. ``budget`` (a ``CronBudget``)
        says whether another batch fits into the cron's wake-up.
        """
        self.ensure_one()
        self._acquire_lock(session=commit)
        try:
            if not self._claim_snapshot(commit):
                return True  # another worker finished this very run meanwhile
            return self._execute_locked(commit, budget or CronBudget(self.env))
        except Exception as error:
            if not commit:
                raise
            self.env.cr.rollback()
            self._append_log(_lt("Run failed: %s", error))
            self.write({"state": "failed", "finished_at": fields.Datetime.now()})
            self.env["ir.cron"]._commit_progress()
            raise
        finally:
            if commit:
                self.env.cr.execute(
                    SQL("SELECT pg_advisory_unlock(%s, %s)", RUN_LOCK_NAMESPACE, self.company_id.id)
                )

    def _claim_snapshot(self, commit):
        """Make sure the run sees what runs finished before it took the lock.

        The transaction's snapshot may be older than the lock (REPEATABLE
        READ): a run that committed in between would be invisible, and every
        customer would fail on "could not serialize access". Each run bumps a
        counter on its company right after taking the lock; on a stale
        snapshot that update fails at once. The cron path starts a new
        transaction (its session lock survives) and goes on; a run started
        by a person raises ``ConcurrencyError``, on which Odoo retries the
        request in a fresh transaction (and a direct caller gets a clear
        message). Returns False when this very run was finished meanwhile.
        """
        bump = SQL(
            "UPDATE res_company SET dunning_run_serial = COALESCE(dunning_run_serial, 0) + 1"
            " WHERE id = %s",
            self.company_id.id,
        )
        message = self.env._(
            "A dunning run for %(company)s finished while %(run)s was starting; it was "
            "started again to see that run's letters. If this message stays, start it again.",
            company=self.company_id.name,
            run=self.display_name,
        )
        try:
            # the failure is expected and answered here, not a "bad query" to log
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint(flush=False):
                self.env.cr.execute(bump)
            return True
        except (errors.SerializationFailure, errors.LockNotAvailable) as error:
            if not commit:
                raise ConcurrencyError(message) from error
        self.env.cr.rollback()  # a new snapshot; the session lock is kept
        self.env.invalidate_all()
        self.env.cr.execute(bump)
        return self.state not in FINISHED_STATES

    def _acquire_lock(self, session):
        lock_fn = "pg_try_advisory_lock" if session else "pg_try_advisory_xact_lock"
        [(locked,)] = self.env.execute_query(
            SQL("SELECT %s(%s, %s)", SQL(lock_fn), RUN_LOCK_NAMESPACE, self.company_id.id)
        )
        if not locked:
            raise UserError(
                self.env._(
                    "A dunning run for %(company)s is already in progress. Wait until it has "
                    "finished (see Dunning Runs) before starting %(run)s.",
                    company=self.company_id.name,
                    run=self.display_name,
                )
            )
        # Holding the lock, any other run left "running" was interrupted.
        stale = self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "running"),
                ("id", "!=", self.id),
            ]
        )
        for run in stale:
            run._append_log(_lt("Interrupted; later runs continue where it stopped."))
        stale.write({"state": "failed"})

    def _execute_locked(self, commit, budget):
        if self.state != "running":
            self.write({"state": "running", "started_at": fields.Datetime.now()})
            self._append_log(_lt("Run started by %s.", self.env.user.name))
        self._lift_expired_stops()
        read_at = self.env.cr.now()
        items_by_partner = self._candidate_items()
        remaining = len(items_by_partner)
        if commit:
            self.env["ir.cron"]._commit_progress(remaining=remaining)
        for batch in split_every(PARTNER_BATCH_SIZE, items_by_partner, list):
            if commit and not budget.allows_batch():
                self._append_log(_lt("Time limit reached; the run resumes shortly."))
                self.env["ir.cron"]._commit_progress()
                return False
            with budget.batch():
                self._reread_reconciled(batch, items_by_partner, read_at)
                self._process_batch(batch, items_by_partner)
            remaining -= len(batch)
            if commit:
                self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining)
        self._append_log(
            _lt(
                "Run finished. Items examined: %(items)s; escalated: %(escalated)s; letters: "
                "%(letters)s (sent: %(sent)s, to approve: %(to_approve)s); waiting letters "
                "brought up to date: %(refreshed)s; customers held back by undelivered letters: "
                "%(held)s; customers skipped: %(skipped)s; collection cases proposed or "
                "extended: %(cases)s; errors: %(errors)s.",
                items=self.item_count,
                refreshed=self.refreshed_count,
                held=self.held_count,
                cases=self.case_count,
                escalated=self.escalated_count,
                letters=self.letter_count,
                sent=self.sent_count,
                to_approve=self.to_approve_count,
                skipped=self.skipped_count,
                errors=self.error_count,
            )
        )
        self.write(
            {
                "state": "partial" if self.error_count else "done",
                "finished_at": fields.Datetime.now(),
            }
        )
        if commit:
            self.env["ir.cron"]._commit_progress()
        return True

    def _append_log(self, message):
        """Add ``message`` (a text of ``_lt``) to the log, stored language-neutral:
        each reader reads it in their language (see ``tools.reader_text``)."""
        entry = {"at": fields.Datetime.to_string(fields.Datetime.now()), "text": freeze(message)}
        # a new list: the cached one must not change in place
        self.log_entries = [*(self.log_entries or []), entry]

    def _logged(self, message):
        """Whether ``message`` (a text of ``_lt``) is in the log already."""
        text = freeze(message)
        return any(entry["text"] == text for entry in self.log_entries or [])

    def _lift_expired_stops(self):
        """Lift stops whose end date lies before the run date."""
        domain = [
            ("dunning_stop_reason_id", "!=", False),
            ("dunning_stop_until", "!=", False),
            ("dunning_stop_until", "<", self.date),
        ]
        # The stop ends by the date its manager gave it, not by the run's user.
        partners = self.env["res.partner"].sudo().search(domain)
        moves = (
            self.env["account.move"]
            .sudo()
            .search([*domain, ("company_id", "=", self.company_id.id)])
        )
        for records in (partners, moves):
            if records:
                records.write({"dunning_stop_reason_id": False, "dunning_stop_until": False})
                self._append_log(
                    _lt(
                        "Expired dunning stops lifted: %s.",
                        ", ".join(records[:20].mapped("display_name")),
                    )
                )

    def _is_stopped(self, reason_id, until):
        return bool(reason_id) and (not until or until >= self.date)

    def _process_batch(self, partner_ids, items_by_partner):
        """Process a batch of partners; on error, retry them one by one.

        ``items_by_partner`` holds the partners' item rows (``_candidate_items``).
        A customer failing alone is retried per currency, so that one bad
        letter (say, a fee without a price in that currency) does not take
        the customer's letters in other currencies with it.
        """
        rows = [row for pid in partner_ids for row in items_by_partner[pid]]
        try:
            with self.env.cr.savepoint():
                self._process_partners(partner_ids, rows)
        except (errors.SerializationFailure, errors.LockNotAvailable, ConcurrencyError):
            raise  # the snapshot is stale: the whole run is retried, see _execute
        except Exception as error:
            self.env.invalidate_all()
            if len(partner_ids) > 1:
                for partner_id in partner_ids:
                    self._process_batch([partner_id], items_by_partner)
                return
            currencies = sorted({row[ITEM_CURRENCY] for row in rows})
            if len(currencies) > 1:
                for currency_id in currencies:
                    self._process_currency(partner_ids, rows, currency_id)
                return
            self._record_error(partner_ids, rows, error)

    def _process_currency(self, partner_ids, rows, currency_id):
        """Process one customer's items in one currency (after the customer failed)."""
        rows = [row for row in rows if row[ITEM_CURRENCY] == currency_id]
        try:
            with self.env.cr.savepoint():
                self._process_partners(partner_ids, rows, currency_ids={currency_id})
        except (errors.SerializationFailure, errors.LockNotAvailable, ConcurrencyError):
            raise
        except Exception as error:
            self.env.invalidate_all()
            currency = self.env["res.currency"].browse(currency_id)
            self._record_error(partner_ids, rows, error, currency)

    def _record_error(self, partner_ids, rows, error, currency=None):
        partner = self.env["res.partner"].browse(partner_ids)
        _logger.exception("Dunning run %s failed for partner %s", self.id, partner_ids)
        self.item_count += len(rows)  # examined, though no letter came of them
        self.error_count += 1
        self._append_log(
            _lt(
                "Error for %(partner)s%(currency)s (no letter): %(error)s",
                partner=partner.display_name,
                currency=f" ({currency.name})" if currency else "",
                error=error.args[0] if error.args else error,
            )
        )

    def _process_partners(self, partner_ids, item_rows, currency_ids=None, refresh=None):
        """Decide, create the letters and move the items of some partners.

        ``item_rows``: the partners' open items, tuples in ``ITEM_COLUMNS`` order.
        ``currency_ids``: only these currencies' letters (a retry after an error).
        ``refresh``: letters waiting for approval to bring up to date as of the
        run's date (approval of a letter): nothing else is written.
        """
        rows = self._item_rows(item_rows)
        partners = self.env["res.partner"].browse(partner_ids).with_company(self.company_id)
        # only what the run reads (the first access would load every column)
        partners.fetch(PARTNER_FIELDS)
        default_policy = self.company_id.dunning_policy_id
        if refresh is None and self._allocate_payments(rows, partners, default_policy):
            rows = self._item_rows(self._fetch_items(partner_ids))
            if currency_ids:
                rows = [row for row in rows if row["currency_id"] in currency_ids]
        engine_by_policy = {}
        policy_by_partner = dict.fromkeys(partner_ids)
        partner_stopped = {}
        for partner in partners:
            policy = partner.dunning_policy_id or default_policy
            if policy and policy.company_id != self.company_id:
                policy = default_policy
            if policy and policy.active and policy.level_ids:
                if policy.id not in engine_by_policy:
                    engine_by_policy[policy.id] = policy._to_engine()
                policy_by_partner[partner.id] = engine_by_policy[policy.id]
            partner_stopped[partner.id] = self._is_stopped(
                partner.dunning_stop_reason_id.id, partner.dunning_stop_until
            )

        items = []
        no_due_date = []
        for row in rows:
            # charge invoices are listed, never escalated on their own
            dunnable = row["move_type"] in DUNNABLE_MOVE_TYPES and not row["is_dunning_charge"]
            if dunnable and not row["date_maturity"] and row["amount_residual"] > 0:
                no_due_date.append(row["move_name"])
            items.append(
                DunningItem(
                    id=row["id"],
                    move_id=row["move_id"],
                    partner_id=row["partner_id"],
                    currency_id=row["currency_id"],
                    date_maturity=row["date_maturity"],
                    amount_residual=Decimal(str(row["amount_residual"])),
                    amount_residual_currency=Decimal(str(row["amount_residual_currency"])),
                    dunnable=dunnable,
                    stopped=partner_stopped.get(row["partner_id"], False)
                    or bool(row["in_collection"])
                    or self._is_stopped(row["move_stop_reason"], row["move_stop_until"]),
                    level_id=row["dunning_level_id"],
                    level_delay_days=row["level_delay"],
                    dunning_date=row["dunning_date"],
                )
            )
        if no_due_date and refresh is None:
            self._append_log(
                _lt(
                    "Items without due date were not dunned (set a due date on: %s).",
                    ", ".join(sorted(set(no_due_date))[:20]),
                )
            )
        original_by_item = {row["id"]: row["amount_currency"] for row in rows}
        move_levels = {
            row["move_id"]: (row["move_level_delay"], row["move_level_id"])
            for row in rows
            if row["move_level_id"]
        }

        held = self._held_groups(partner_ids)
        plan = plan_letters(items, policy_by_partner, self.date, held=held)
        if refresh is not None:
            self._refresh_for_approval(refresh, plan, partners, rows, original_by_item)
            return
        waiting = self._waiting_letters(partner_ids)
        if currency_ids:
            waiting = {key: letter for key, letter in waiting.items() if key[1] in currency_ids}
        skipped = Counter(plan.skipped.values())
        if plan.skipped:
            self._log_skipped(plan.skipped)
        if plan.held:
            self._log_held(plan.held)
        charges = self._compute_charges(plan.letters, partners, rows)
        new_plans = [p for p in plan.letters if (p.partner_id, p.currency_id) not in waiting]
        refreshed = [
            (waiting.pop((p.partner_id, p.currency_id)), p)
            for p in plan.letters
            if (p.partner_id, p.currency_id) in waiting
        ]
        # letters waiting for approval with nothing left to dun (paid, stopped,
        # credited): cancelled, their customer dunned anew by later runs; one of
        # a customer held by an undelivered letter waits on
        obsolete = self.env["dunning.letter"].union(
            *(letter for key, letter in waiting.items() if key not in held)
        )
        if obsolete:
            obsolete._cancel_internal(
                _lt(
                    "Cancelled by %s: nothing of it is left to dun (paid, credited or stopped).",
                    RecordName(self),
                )
            )
            self._append_log(
                _lt(
                    "Letters waiting for approval cancelled, nothing left to dun: %s.",
                    ", ".join(obsolete.mapped("name")),
                )
            )
        letters = self._write_letters(
            new_plans, refreshed, partners, original_by_item, move_levels, charges
        )
        new_letters = letters.filtered(lambda letter: letter.run_id == self)
        escalated = sum(len(letter_plan.escalated_lines) for letter_plan in new_plans)
        to_send = letters.filtered(lambda letter: letter.state == "sent")
        to_send._send(sent_date=self.date, deliver=False, marked=True)
        cases = self._hand_over(items, rows, partners, policy_by_partner, held)
        sent_new = len(to_send & new_letters)
        self.write(
            {
                "case_count": self.case_count + len(cases),
                "item_count": self.item_count + plan.examined,
                "escalated_count": self.escalated_count + escalated,
                "letter_count": self.letter_count + len(new_letters),
                "sent_count": self.sent_count + sent_new,
                "to_approve_count": self.to_approve_count + len(new_letters) - sent_new,
                "skipped_count": self.skipped_count + sum(skipped.values()),
                "held_count": self.held_count + len(plan.held),
                "refreshed_count": self.refreshed_count + len(refreshed),
            }
        )
        if refreshed:
            names = [letter.name for letter, __ in refreshed]
            sent_now = [letter.name for letter, __ in refreshed if letter.state == "sent"]
            self._append_log(
                _lt(
                    "Letters waiting for approval brought up to date (items, amounts, level, "
                    "charges as of %(date)s): %(letters)s.",
                    date=self.date,
                    letters=", ".join(names[:20]),
                )
            )
            if sent_now:
                self._append_log(
                    _lt("Sent now, no approval needed any more: %s.", ", ".join(sent_now[:20]))
                )

    def _refresh_for_approval(self, letters, plan, partners, rows, original_by_item):
        """Bring letters being approved up to date as of the run's date (today).

        Refuses, naming the letter, when nothing of it is left to dun.
        """
        plans = {(p.partner_id, p.currency_id): p for p in plan.letters}
        pairs = []
        for letter in letters:
            key = (letter.partner_id.id, letter.currency_id.id)
            if key not in plans:
                raise UserError(
                    self.env._(
                        "Letter %(letter)s (%(partner)s) asks for nothing any more: its items "
                        "were paid, credited, cancelled or stopped, or the customer waits for "
                        "an earlier letter's delivery. Cancel it.",
                        letter=letter.display_name,
                        partner=letter.partner_id.display_name,
                    )
                )
            pairs.append((letter, plans[key]))
        charges = self._compute_charges([p for __, p in pairs], partners, rows)
        self._write_letters([], pairs, partners, original_by_item, {}, charges, keep_state=True)

    def _log_held(self, held):
        partners = self.env["res.partner"].browse({pid for pid, __ in held})
        names = dict(zip(partners.ids, partners.mapped("display_name"), strict=True))
        entries = sorted(held.items(), key=lambda entry: (entry[1], names[entry[0][0]]))
        self._append_log(
            _lt(
                "Held back until their last letter is delivered (e-mail sent, printed, call "
                "made): %(count)s customers, waiting since %(since)s: %(partners)s",
                count=len(held),
                since=entries[0][1],
                partners=[
                    _lt("%(partner)s (%(since)s)", partner=names[partner_id], since=since)
                    for (partner_id, __), since in entries[:20]
                ],
            )
        )

    def _log_skipped(self, skipped):
        reasons = {
            SKIP_NO_POLICY: _lt("no dunning policy"),
            SKIP_COVERED: _lt("credits cover the overdue amount"),
            SKIP_BELOW_MINIMUM: _lt("below the policy's minimum amount"),
        }
        partners = self.env["res.partner"].browse({pid for pid, __ in skipped})
        names = dict(zip(partners.ids, partners.mapped("display_name"), strict=True))
        by_reason = {}
        for (partner_id, __), reason in skipped.items():
            by_reason.setdefault(reason, []).append(names[partner_id])
        for reason, partner_names in by_reason.items():
            self._append_log(
                _lt(
                    "No letter (%(reason)s): %(partners)s",
                    reason=reasons[reason],
                    partners=", ".join(sorted(set(partner_names))[:20]),
                )
            )

    def _hand_over(self, items, rows, partners, policy_by_partner, held=None):
        """Propose (or hand over) the claims past the last level to the policy's agency.

        Per debtor and currency, the items the engine finds ready (last letter
        level reached, the agency's days after it passed, the collection level's
        days overdue reached, the agency's minimum amount met) go into one case.
        Invoices that were recalled from collection before are left to the
        accountant (they can be handed over again by hand).
        """
        recalled = {row["id"] for row in rows if row["was_recalled"]}
        agencies = {}
        for partner in partners:
            policy = policy_by_partner.get(partner.id)
            record = self.env["dunning.policy"].browse(policy.id) if policy else None
            agency = record.collection_agency_id if record else None
            if agency and agency.state == "active" and agency.company_id == self.company_id:
                agencies[partner.id] = (agency, policy)
        if not agencies:
            return self.env["collection.case"]
        held = held or {}
        by_group = defaultdict(list)
        for item in items:
            # a customer whose last letter was not delivered yet is not handed over:
            # the claim's history must be of letters that reached the debtor
            if (item.partner_id, item.currency_id) in held:
                continue
            if item.partner_id in agencies and item.id not in recalled:
                by_group[(item.partner_id, item.currency_id)].append(item)
        Case = self.env["collection.case"].with_company(self.company_id)
        cases = Case
        for (partner_id, currency_id), group in sorted(by_group.items()):
            agency, policy = agencies[partner_id]
            rule = HandoverRule(
                min_amount=Decimal(str(agency.min_amount)), delay_days=agency.delay_days
            )
            ready = handover_items(policy, group, self.date, rule)
            if not ready:
                continue
            invoices = self.env["account.move"].browse(dict.fromkeys(i.move_id for i in ready))
            case = Case._propose(
                agency,
                self.env["res.partner"].browse(partner_id),
                self.env["res.currency"].browse(currency_id),
                invoices,
                run=self,
            )
            cases |= case
        auto = cases.filtered(lambda case: case.agency_id.auto_handover and case.state == "draft")
        auto._try_auto_handover(self.date)
        if cases:
            handed = cases.filtered(lambda case: case.state != "draft")
            self._append_log(
                _lt(
                    "Collection cases proposed or extended: %(proposed)s; handed over: "
                    "%(handed)s (%(names)s).",
                    proposed=len(cases - handed),
                    handed=len(handed),
                    names=", ".join(cases[:20].mapped("display_name")),
                )
            )
            for case in cases - handed:
                problem = case._handover_problem()
                if problem:
                    self._append_log(problem)
        return cases

    def _allocate_payments(self, rows, partners, default_policy):
        """Apply unapplied credits in the order of BGB §367; return whether any was.

        For each customer whose policy allocates payments and who has both
        open credits (payments, credit notes) and overdue items, the credits
        (oldest first) are reconciled with open dunning charges first (fees and
        interest, oldest first), then with the overdue invoices by maturity
        date. Only open amounts are matched; existing reconciliations stay.
        """
        by_partner = defaultdict(lambda: ([], []))
        for row in rows:
            credits, debits = by_partner[row["partner_id"]]
            if row["amount_residual"] < 0:
                credits.append(row)
            elif row["date_maturity"] and row["date_maturity"] < self.date:
                debits.append(row)
        todo = []
        for partner in partners:
            credits, debits = by_partner.get(partner.id, ([], []))
            if not (credits and debits):
                continue  # nothing to allocate: the policy need not be read
            policy = partner.dunning_policy_id or default_policy
            if policy.allocate_payments:
                todo.append((partner, credits, debits))
        if not todo:
            return False
        # One ordered plan for all customers of the batch, reconciled in one call:
        # per customer, its credits with each debit in turn (charges first, then
        # the overdue invoices by maturity date).
        Line = self.env["account.move.line"]
        plan = []
        for __, credits, debits in todo:
            debits.sort(
                key=lambda r: settlement_key(r["is_dunning_charge"], r["date_maturity"], r["id"])
            )
            credit_lines = Line.browse([r["id"] for r in credits])
            plan.append([credit_lines | Line.browse(debit["id"]) for debit in debits])
        Line._reconcile_plan(plan)
        self._append_log(
            _lt(
                "Unapplied payments and credit notes allocated to charges, then the oldest "
                "items (BGB §367): %s.",
                ", ".join(partner.display_name for partner, __, __ in todo[:20]),
            )
        )
        return True
