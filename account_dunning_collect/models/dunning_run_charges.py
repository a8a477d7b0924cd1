"""The run's charges: gathers each letter's charge terms and history and asks
the engine (``engine.charges``) for its fee, flat fees and default interest."""

from decimal import Decimal

from odoo import models
from odoo.tools.translate import LazyTranslate

from ..engine.charges import ChargeHistory, ChargeTerms, fee_due, letter_charges
from ..engine.default import DefaultTerms
from ..engine.interest import BUSINESS_MARGIN, CONSUMER_MARGIN, fixed_schedule, statutory_schedule

# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)

FLAT_FEE_EUR = 40.0  # BGB §288(5)


# one model in several files by concern (readme/DEVELOP.md), as Odoo splits account.move.line
class DunningRun(models.Model):
    _inherit = "dunning.run"  # pylint: disable=consider-merging-classes-inherited

    def _compute_charges(self, letter_plans, partners, rows):
        """{(partner id, currency id): LetterCharges} of the planned letters."""
        charges = {}
        if not letter_plans:
            return charges
        partner_by_id = {partner.id: partner for partner in partners}
        charge_items = frozenset(row["id"] for row in rows if row["is_dunning_charge"])
        policies = self.env["dunning.policy"].browse({plan.policy_id for plan in letter_plans})
        levels = self.env["dunning.level"].browse(
            {plan.fee_level_id or plan.level_id for plan in letter_plans}
        )
        history, base_rates = ChargeHistory(), []
        if any(policy.interest_mode != "none" or policy.flat_fee_b2b for policy in policies):
            overdue = [
                line.item
                for plan in letter_plans
                for line in plan.lines
                if line.kind.value == "overdue" and line.item.id not in charge_items
            ]
            history = self._charge_history(overdue)
            base_rates = self.env["dunning.base.rate"]._schedule_pairs()
        calendar_due = frozenset(row["id"] for row in rows if row["calendar_due"])
        consumer_notice = self.company_id.dunning_consumer_default_notice
        currencies = self.env["res.currency"].browse({plan.currency_id for plan in letter_plans})
        eur = self.env.ref("base.EUR")
        for plan in letter_plans:
            policy = policies.browse(plan.policy_id)
            currency = currencies.browse(plan.currency_id)
            partner = partner_by_id[plan.partner_id]
            business = partner.dunning_debtor_type == "business"
            fee_level = levels.browse(plan.fee_level_id or plan.level_id)
            terms = ChargeTerms(
                # read only when charged: a level without a price in this currency
                # fails only the letters that would charge it
                fee=Decimal(str(fee_level._fee_in_currency(currency)))
                if fee_due(plan, charge_items)
                else Decimal(0),
                flat_fee=Decimal(
                    str(eur._convert(FLAT_FEE_EUR, currency, self.company_id, self.date))
                )
                if policy.flat_fee_b2b and business
                else Decimal(0),
                schedule=self._interest_schedule(policy, partner, base_rates),
                quantum=Decimal(str(currency.rounding)),
                default_terms=DefaultTerms(
                    basis=policy.default_basis,
                    receipt_days=policy.receipt_days,
                    consumer=not business,
                    consumer_notice=consumer_notice,
                ),
                calendar_due_items=calendar_due,
                day_count=policy.interest_day_count,
            )
            charge = letter_charges(plan, terms, history, charge_items, self.date)
            if charge.uncovered_days:
                # on the letter and in the log, read in the reader's language
                warning = charge.warning = _lt(
                    "No base interest rate from %(date)s: interest for %(days)s days not "
                    "charged yet. Enter the rate under Configuration > Base Interest Rates.",
                    date=charge.uncovered_from,
                    days=charge.uncovered_days,
                )
                if not self._logged(warning):
                    self._append_log(warning)
            charges[(plan.partner_id, plan.currency_id)] = charge
        return charges

    def _interest_schedule(self, policy, partner, base_rates):
        """The rate periods of default interest for this customer, None: no interest."""
        if policy.interest_mode == "fixed":
            return fixed_schedule(Decimal(str(policy.interest_rate)))
        if policy.interest_mode == "statutory":
            margin = (
                BUSINESS_MARGIN if partner.dunning_debtor_type == "business" else CONSUMER_MARGIN
            )
            return statutory_schedule(base_rates, margin)
        return None
