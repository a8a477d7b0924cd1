"""Time one dunning run in a fresh process and print its figures as JSON.

Usage: python bench/measure.py DB ours|oca-setup|oca RUN_DATE [--check N]

ours:  a dunning.run for RUN_DATE, executed as the cron does (commit per
       batch); with --check N, the letters of N sample customers are compared
       with the engine's decisions computed beforehand from ORM reads, and a
       mismatch exits non-zero.
oca-setup: a comparable 3-level policy (7/21/35 days) in OCA's
       account_credit_control, made the company default.
oca:   OCA's credit.control.run for RUN_DATE (generate_credit_lines).
delivery: the delivery step on the letters a run left queued -- the letter
       PDFs of --letters N letters rendered in batches (as the delivery job
       does) and then one letter per wkhtmltopdf call (rolled back in
       between), and --full M letters delivered completely (PDF, the
       invoices' PDFs and e-mail) to give letters delivered per minute.
       Needs an Odoo server for the database at report.url (styles).
"""

import json
import resource
import sys
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal

from common import open_env

from odoo import sql_db
from odoo.tools import split_every


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def expected_letters(env, company, partner_ids, run_date):
    """The engine's decisions for these customers, from ORM reads (independent of the run's SQL)."""
    # importable once open_env() has set the addons path
    from odoo.addons.account_dunning_collect.engine import DunningItem, plan_letters

    lines = env["account.move.line"].search(
        [
            ("company_id", "=", company.id),
            ("partner_id.commercial_partner_id", "in", partner_ids),
            ("account_id.account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
            ("reconciled", "=", False),
        ]
    )
    items = [
        DunningItem(
            id=line.id,
            move_id=line.move_id.id,
            partner_id=line.partner_id.commercial_partner_id.id,
            currency_id=line.currency_id.id,
            date_maturity=line.date_maturity,
            amount_residual=Decimal(str(line.amount_residual)),
            amount_residual_currency=Decimal(str(line.amount_residual_currency)),
            dunnable=line.move_id.move_type in ("out_invoice", "out_receipt"),
            stopped=line.move_id.dunning_stopped
            or line.partner_id.commercial_partner_id.dunning_stopped,
            level_id=line.dunning_level_id.id or None,
            level_delay_days=line.dunning_level_id.delay_days if line.dunning_level_id else None,
            dunning_date=line.dunning_date or None,
        )
        for line in lines
        if line.amount_residual or line.amount_residual_currency
    ]
    held = {}
    for letter in env["dunning.letter"].search(
        [
            ("company_id", "=", company.id),
            ("partner_id", "in", partner_ids),
            ("state", "=", "sent"),
            ("delivered_date", "=", False),
            ("delivery_state", "!=", "withdrawn"),
        ]
    ):
        key = (letter.partner_id.id, letter.currency_id.id)
        held[key] = min(held.get(key, letter.date), letter.date)
    policy = company.dunning_policy_id._to_engine()
    plan = plan_letters(items, dict.fromkeys(partner_ids, policy), run_date, held=held)
    return {
        (letter.partner_id, letter.currency_id): (
            letter.level_id,
            sorted((line.item.id, line.level_id or 0) for line in letter.lines),
            round(float(letter.amount_total), 2),
        )
        for letter in plan.letters
    }


def run_ours(env, run_date, check):
    company = env.company
    # The letters of earlier runs went out on their date (e-mail sent, post
    # printed): a customer moves on to the next level only then. Their charge
    # invoices (posted at delivery) are not part of the run and not made here.
    env.cr.execute(
        """UPDATE dunning_letter SET delivered_date = date, delivery_state = 'done'
            WHERE company_id = %s AND state = 'sent' AND delivered_date IS NULL
              AND date < %s""",
        [company.id, run_date],
    )
    env.cr.commit()
    env.cr.execute("ANALYZE dunning_letter")  # as autovacuum would after such an update
    sample = []
    if check:
        env.cr.execute(
            """SELECT DISTINCT p.commercial_partner_id FROM account_move_line l
                 JOIN res_partner p ON p.id = l.partner_id
                WHERE l.company_id = %s ORDER BY 1""",
            [company.id],
        )
        partner_ids = [row[0] for row in env.cr.fetchall()]
        sample = partner_ids[:: max(len(partner_ids) // check, 1)][:check]
        expected = expected_letters(env, company, sample, run_date)
        env.invalidate_all()
    # Like for like with OCA, which allocates no payments: the BGB §367
    # allocation of the dataset's open credit notes is a one-off backlog
    # (see README), not part of the daily decision.
    company.dunning_policy_id.allocate_payments = False
    run = env["dunning.run"].create({"date": run_date, "company_id": company.id})
    env.cr.commit()
    memory_before = peak_mb()
    queries = sql_db.sql_counter
    started = time.perf_counter()
    run._execute(commit=True)
    seconds = time.perf_counter() - started
    queries = sql_db.sql_counter - queries
    figures = {
        "seconds": round(seconds, 2),
        "queries": queries,
        "peak_mb": round(peak_mb()),
        "peak_mb_before": round(memory_before),
        "items": run.item_count,
        "escalated": run.escalated_count,
        "letters": run.letter_count,
        "lines": env["dunning.letter.line"].search_count([("letter_id.run_id", "=", run.id)]),
        "errors": run.error_count,
    }
    if check:
        letters = env["dunning.letter"].search(
            [("run_id", "=", run.id), ("partner_id", "in", sample)]
        )
        actual = {
            (letter.partner_id.id, letter.currency_id.id): (
                letter.level_id.id,
                sorted((line.move_line_id.id, line.level_id.id or 0) for line in letter.line_ids),
                round(letter.amount_total, 2),
            )
            for letter in letters
        }
        mismatches = {
            k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
        }
        figures["checked_customers"] = len(sample)
        figures["checked_letters"] = len(expected)
        if mismatches:
            key = sorted(mismatches)[0]
            print(json.dumps(figures))
            sys.exit(
                f"MISMATCH for {len(mismatches)} customer(s), e.g. {key}: "
                f"engine {expected.get(key)} != run {actual.get(key)}"
            )
    return figures


def setup_oca(env):
    company = env.company
    receivable = env["account.account"].search(
        [("account_type", "=", "asset_receivable"), ("company_ids", "in", company.id)]
    )
    template = env.ref("account_credit_control.email_template_credit_control_base")
    levels = [
        (1, "Reminder", 7, "email"),
        (2, "1st dunning", 21, "email"),
        (3, "2nd dunning", 35, "letter"),
    ]
    policy = env["credit.control.policy"].create(
        {
            "name": "Bench 3 levels",
            "company_id": company.id,
            "account_ids": [(6, 0, receivable.ids)],
            "level_ids": [
                (
                    0,
                    0,
                    {
                        "name": name,
                        "level": level,
                        "delay_days": days,
                        "channel": channel,
                        "computation_mode": "net_days",
                        "custom_text": name,
                        "email_template_id": template.id,
                        "custom_mail_text": f"<p>{name}</p>",
                    },
                )
                for level, name, days, channel in levels
            ],
        }
    )
    company.credit_policy_id = policy
    env.cr.commit()
    return {"policy": policy.id}


def run_oca(env, run_date):
    policy = env.company.credit_policy_id
    run = env["credit.control.run"].create({"date": run_date, "policy_ids": [(6, 0, policy.ids)]})
    env.cr.commit()
    memory_before = peak_mb()
    queries = sql_db.sql_counter
    started = time.perf_counter()
    run.generate_credit_lines()
    env.cr.commit()
    seconds = time.perf_counter() - started
    queries = sql_db.sql_counter - queries
    by_level = defaultdict(int)
    for line in run.line_ids:
        by_level[line.state] += 1
    return {
        "seconds": round(seconds, 2),
        "queries": queries,
        "peak_mb": round(peak_mb()),
        "peak_mb_before": round(memory_before),
        "lines": len(run.line_ids),
        "lines_by_state": dict(by_level),
    }


def run_delivery(env, count, single, full):
    """Render ``count`` queued letters batched, ``single`` of them one by one; deliver ``full``.

    Prints the figures after each phase, so a late failure keeps the earlier ones.
    """
    from unittest.mock import patch

    from odoo.addons.account_dunning_collect.models import dunning_letter_delivery

    Report = type(env["ir.actions.report"])
    original = Report._run_wkhtmltopdf
    calls = []

    def counting(report_self, bodies, *args, **kwargs):
        calls.append(len(bodies))
        return original(report_self, bodies, *args, **kwargs)

    letters = env["dunning.letter"].search(
        [("delivery_state", "=", "pending"), ("document_id", "=", False)], order="id", limit=count
    )
    from odoo.addons.base.models.ir_actions_report import _wkhtml

    figures = {
        "letters": len(letters),
        "batch_size": dunning_letter_delivery.DELIVERY_BATCH_SIZE,
        "wkhtmltopdf": f"{_wkhtml().version}, "
        f"{'patched' if _wkhtml().is_patched_qt else 'unpatched'} Qt",
    }
    with patch.object(Report, "_run_wkhtmltopdf", counting):
        started = time.perf_counter()
        letters._render_documents()
        figures["batched_seconds"] = round(time.perf_counter() - started, 1)
        figures["batched_calls"] = len(calls)
        figures["pages"] = sum(
            env["dunning.letter"]._pdf_page_count(doc.raw) for doc in letters.document_id
        )
        env.cr.rollback()
        env.invalidate_all()
        print("RESULT " + json.dumps(figures), flush=True)
        calls.clear()
        started = time.perf_counter()
        for letter in letters[:single]:
            letter._render_documents()
        figures["single_letters"] = min(single, len(letters))
        figures["single_seconds"] = round(time.perf_counter() - started, 1)
        figures["single_calls"] = len(calls)
        env.cr.rollback()
        env.invalidate_all()
        print("RESULT " + json.dumps(figures), flush=True)
    sample = env["dunning.letter"].search(
        [("delivery_state", "=", "pending"), ("channel", "=", "email")], order="id", limit=full
    )
    started = time.perf_counter()
    for batch in split_every(dunning_letter_delivery.DELIVERY_BATCH_SIZE, sample.ids):
        env["dunning.letter"].browse(batch)._deliver_isolated()
        env.cr.commit()
    seconds = time.perf_counter() - started
    delivered = env["dunning.letter"].search_count(
        [("id", "in", sample.ids), ("delivery_state", "=", "done")]
    )
    figures.update(
        full_letters=len(sample),
        full_delivered=delivered,
        full_seconds=round(seconds, 1),
        full_per_minute=round(delivered / seconds * 60, 1) if seconds else 0,
        invoice_pdfs=env["ir.attachment"].search_count(
            [("res_model", "=", "account.move"), ("res_field", "=", "invoice_pdf_report_file")]
        ),
        mails=env["mail.mail"].search_count([("model", "=", "dunning.letter")]),
        peak_mb=round(peak_mb()),
    )
    return figures


if __name__ == "__main__":
    db_name, mode = sys.argv[1], sys.argv[2]
    run_date = (
        date.fromisoformat(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3][:1].isdigit() else None
    )
    check = int(sys.argv[sys.argv.index("--check") + 1]) if "--check" in sys.argv else 0
    registry, cr, env = open_env(db_name)
    try:
        if mode == "ours":
            result = run_ours(env, run_date, check)
        elif mode == "delivery":
            result = run_delivery(
                env,
                int(sys.argv[sys.argv.index("--letters") + 1]),
                int(sys.argv[sys.argv.index("--single") + 1]),
                int(sys.argv[sys.argv.index("--full") + 1]),
            )
        elif mode == "oca-setup":
            result = setup_oca(env)
        else:
            result = run_oca(env, run_date)
        cr.commit()
    finally:
        cr.close()
    print("RESULT " + json.dumps(result))
