"""Build the benchmark's receivables book in a scratch database.

Usage: python bench/build_dataset.py DB INVOICES RUN_DATE

A German company, INVOICES/8 customers (80 % companies, 20 % consumers),
SEED invoices made and posted through the ORM (1-3 lines with VAT; 14-day,
30-day and installment terms; 3 % credit notes), then cloned in SQL up to
INVOICES invoices: each clone is a copy of a posted, balanced seed move with
its own number, customer and dates. Invoice dates are spread over the 150 days
before RUN_DATE; about 35 % of the invoices are then marked paid and 10 %
partially paid by setting their receivable items' open amounts (payments are
represented by residuals, not by payment entries: the dunning run and OCA's
credit control read residuals only).

The ORM would need about 60 ms per invoice (100 minutes for 100,000); the
SQL clone makes 100,000 in about a minute. bench.sh keeps the result as a
template database, so a rerun does not build it again.
"""

import random
import sys
import time
from datetime import date

from common import BENCH_COMPANY, open_env
from german_company import create_german_company, payment_terms

from odoo.fields import Command

SEED = 400


def build(env, invoices, run_date):
    rng = random.Random(19)
    started = time.perf_counter()
    env, company = create_german_company(env, BENCH_COMPANY)
    term_14, term_30, term_split = payment_terms(env)
    terms = [term_14] * 5 + [term_30] * 3 + [term_split] * 2
    germany = env.ref("base.de")

    partner_count = max(invoices // 8, 20)
    partners = env["res.partner"].create(
        [
            {
                "name": f"Kunde {number:06d} {'GmbH' if number % 5 else ''}".strip(),
                "is_company": bool(number % 5),
                "email": False if number % 50 == 7 else f"rechnung{number}@kunde.example",
                "street": f"Hauptstraße {number % 200 + 1}",
                "zip": f"{10000 + number % 89999:05d}",
                "city": "Berlin",
                "country_id": germany.id,
            }
            for number in range(partner_count)
        ]
    )
    print(f"  {partner_count} customers in {time.perf_counter() - started:.0f}s", flush=True)

    products = [
        ("Beratung", 120.0),
        ("Wartung", 89.0),
        ("Installation", 450.0),
        ("Schulung", 980.0),
        ("Ersatzteile", 64.5),
        ("Lizenz", 299.0),
    ]
    seed_vals = []
    for number in range(SEED):
        refund = number % 33 == 0
        seed_vals.append(
            {
                "move_type": "out_refund" if refund else "out_invoice",
                "partner_id": partners[number % partner_count].id,
                "invoice_date": run_date,
                "invoice_payment_term_id": False if refund else rng.choice(terms).id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": name, "quantity": rng.randint(1, 4), "price_unit": price}
                    )
                    for name, price in rng.sample(products, rng.randint(1, 3))
                ],
            }
        )
    seeds = env["account.move"].create(seed_vals)
    seeds.action_post()
    env.flush_all()
    print(
        f"  {SEED} seed invoices through the ORM in {time.perf_counter() - started:.0f}s",
        flush=True,
    )

    clone_sql(env, seeds, invoices - SEED, partners.ids)
    spread_dates_and_payments(env, company, run_date)
    env.cr.execute("ANALYZE")
    print(f"  dataset ready in {time.perf_counter() - started:.0f}s", flush=True)


def _columns(cr, table, skip):
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cr.fetchall() if name not in skip]


def clone_sql(env, seeds, count, partner_ids):
    """Insert ``count`` copies of the seed moves, each with a random customer."""
    cr = env.cr
    cr.execute(
        """
        CREATE TEMP TABLE clone_map AS
        SELECT nextval('account_move_id_seq') AS new_id, seed.id AS seed_id,
               (%(partners)s::int[])[1 + floor(random() * %(n)s)::int] AS partner_id
          FROM generate_series(1, %(count)s) AS g
          JOIN LATERAL (SELECT (%(seeds)s::int[])[1 + (g - 1) %% %(seed_count)s] AS id) seed ON true
        """,
        {
            "partners": partner_ids,
            "n": len(partner_ids),
            "count": count,
            "seeds": seeds.ids,
            "seed_count": len(seeds),
        },
    )
    move_columns = _columns(
        cr,
        "account_move",
        {
            "id",
            "name",
            "partner_id",
            "commercial_partner_id",
            "sequence_prefix",
            "sequence_number",
            "payment_reference",
        },
    )
    cols = ", ".join(f'"{c}"' for c in move_columns)
    src = ", ".join(f'm."{c}"' for c in move_columns)
    cr.execute(
        f"""
        INSERT INTO account_move (id, name, partner_id, commercial_partner_id, sequence_prefix,
                                  sequence_number, payment_reference, {cols})
        SELECT c.new_id, 'BENCH/' || c.new_id, c.partner_id, c.partner_id, 'BENCH/', c.new_id,
               'BENCH/' || c.new_id, {src}
          FROM clone_map c JOIN account_move m ON m.id = c.seed_id
        """
    )
    line_columns = _columns(cr, "account_move_line", {"id", "move_id", "partner_id", "move_name"})
    cols = ", ".join(f'"{c}"' for c in line_columns)
    src = ", ".join(f'l."{c}"' for c in line_columns)
    cr.execute(
        f"""
        INSERT INTO account_move_line (move_id, partner_id, move_name, {cols})
        SELECT c.new_id, c.partner_id, 'BENCH/' || c.new_id, {src}
          FROM clone_map c JOIN account_move_line l ON l.move_id = c.seed_id
        """
    )
    print(f"  {count} invoices cloned in SQL", flush=True)


def spread_dates_and_payments(env, company, run_date):
    """Spread invoice dates over 150 days; mark ~35 % paid and ~10 % partially paid."""
    cr = env.cr
    cr.execute(
        """
        CREATE TEMP TABLE move_draw AS
        SELECT id, floor(random() * 150)::int AS shift, random() AS draw, move_type
          FROM account_move
         WHERE company_id = %s AND move_type IN ('out_invoice', 'out_refund') AND state = 'posted'
        """,
        [company.id],
    )
    cr.execute(
        """
        UPDATE account_move m
           SET invoice_date = m.invoice_date - d.shift, date = m.date - d.shift,
               invoice_date_due = m.invoice_date_due - d.shift
          FROM move_draw d WHERE m.id = d.id
        """
    )
    cr.execute(
        """
        UPDATE account_move_line l
           SET date = l.date - d.shift, date_maturity = l.date_maturity - d.shift,
               invoice_date = l.invoice_date - d.shift
          FROM move_draw d WHERE l.move_id = d.id
        """
    )
    receivable = """
        FROM move_draw d, account_account a
       WHERE l.move_id = d.id AND a.id = l.account_id AND a.account_type = 'asset_receivable'
         AND d.move_type = 'out_invoice'
    """
    cr.execute(
        f"""UPDATE account_move_line l SET amount_residual = 0, amount_residual_currency = 0,
                   reconciled = true {receivable} AND d.draw < 0.35"""
    )
    cr.execute(
        f"""UPDATE account_move_line l SET amount_residual = round(l.balance / 2, 2),
                   amount_residual_currency = round(l.amount_currency / 2, 2)
            {receivable} AND d.draw >= 0.35 AND d.draw < 0.45"""
    )
    cr.execute(
        """
        UPDATE account_move m
           SET payment_state = CASE WHEN d.draw < 0.35 THEN 'paid' ELSE 'partial' END,
               amount_residual = CASE WHEN d.draw < 0.35 THEN 0
                                      ELSE round(m.amount_residual / 2, 2) END,
               amount_residual_signed = CASE WHEN d.draw < 0.35 THEN 0
                                             ELSE round(m.amount_residual_signed / 2, 2) END
          FROM move_draw d
         WHERE m.id = d.id AND d.move_type = 'out_invoice' AND d.draw < 0.45
        """
    )


if __name__ == "__main__":
    db_name, size, run_date = sys.argv[1], int(sys.argv[2]), date.fromisoformat(sys.argv[3])
    registry, cr, env = open_env(db_name)
    try:
        build(env, size, run_date)
        cr.commit()
    finally:
        cr.close()
