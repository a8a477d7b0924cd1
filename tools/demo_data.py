"""Demo data for account_dunning_collect, run inside `odoo-bin shell` by tools/demo.sh.

Builds a German company (EUR, SKR03, bank account with IBAN), 30 customers
(companies and consumers, some without e-mail, one without address) and about
150 invoices over the 120 days before DEMO_DATE: some paid, some partially
paid, some with installments, some credit notes. Then it runs the dunning
once a week up to DEMO_DATE, as the daily cron would have done, and prints a
summary. Everything is deterministic (fixed seed, fixed dates).

`env` is provided by odoo-bin shell.
"""

import os
import random
import sys
from collections import Counter
from datetime import date, timedelta

from odoo.fields import Command

sys.path.insert(0, os.path.join(os.environ["DUNNING_ROOT"], "tools"))
from german_company import create_german_company, payment_terms  # noqa: E402

DEMO_DATE = date(2026, 11, 16)
rng = random.Random(2026)
env = env  # noqa: F821, PLW0127 - provided by odoo-bin shell

# --- company and payment terms ------------------------------------------------------
env, company = create_german_company(env, "Muster Handels GmbH")
bank_journal = env["account.journal"].search(
    [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
)
germany = env.ref("base.de")
term_14, term_30, term_split = payment_terms(env)
TERMS = [term_14] * 6 + [term_30] * 3 + [term_split]

# --- customers -------------------------------------------------------------------
# German is loaded at installation (demo.sh); English stays active beside it for
# the back office and for the customers who read English.
env["res.lang"]._activate_lang("en_US")
admin = env.ref("base.user_admin")
admin.lang = "en_US"  # the back office in English; customers get letters in their language
COMPANIES = [
    "Bäckerei Schmidt GmbH", "Autohaus Weber KG", "Elektro Fischer GmbH", "Gartenbau Meyer",
    "Hotel Zur Post GmbH", "IT-Service Wagner UG", "Kanzlei Becker & Partner", "Landhandel Schulz eG",
    "Malerbetrieb Hoffmann", "Metallbau Schäfer GmbH", "Optik Koch", "Praxis Dr. Richter",
    "Reisebüro Klein", "Sanitär Wolf GmbH", "Tischlerei Neumann", "Verlag Schwarz GmbH",
    "Weinhandel Zimmermann", "Zahnarztpraxis Braun", "Druckerei Krüger GmbH", "Brauerei Hartmann",
]
CONSUMERS = [
    "Anna Lange", "Jonas Werner", "Lea Krause", "Paul Lehmann", "Marie Köhler",
    "Felix Herrmann", "Sophie König", "Lukas Walter", "Emma Mayer", "Noah Huber",
]
CITIES = [("10115", "Berlin"), ("20095", "Hamburg"), ("80331", "München"), ("50667", "Köln"),
          ("60311", "Frankfurt am Main"), ("70173", "Stuttgart"), ("04109", "Leipzig")]
customers = env["res.partner"]
for index, name in enumerate(COMPANIES + CONSUMERS):
    is_company = name in COMPANIES
    zip_code, city = CITIES[index % len(CITIES)]
    slug = name.lower().split()[0].replace("ä", "ae").replace("ö", "oe").replace("ü", "ue").strip(".&-")
    values = {
        "name": name,
        "is_company": is_company,
        "country_id": germany.id,
        "street": f"{['Hauptstraße', 'Bahnhofstraße', 'Lindenweg', 'Gartenstraße'][index % 4]} {index + 3}",
        "zip": zip_code,
        "city": city,
        "email": False if index % 6 == 5 else f"rechnung@{slug}.example",
        "lang": "de_DE" if index % 5 else "en_US",
        "user_id": admin.id,  # the salesperson signs the letters
    }
    if name == "Reisebüro Klein":
        values.update(street=False, zip=False, city=False, email=False)  # no way to reach them
    customers |= env["res.partner"].create(values)

# --- invoices ----------------------------------------------------------------------
# Products with the company's 19 % VAT: Factur-X/ZUGFeRD needs an item name and VAT.
products = [
    (env["product.product"].create(
        {"name": name, "type": "service", "list_price": price, "company_id": company.id,
         "taxes_id": [Command.set(company.account_sale_tax_id.ids)]}), price)
    for name, price in [
        ("Beratung (Stunde)", 120.0), ("Wartungsvertrag Monat", 89.0), ("Installation", 450.0),
        ("Schulung (Tag)", 980.0), ("Ersatzteile", 64.5), ("Softwarelizenz", 299.0),
    ]
]
invoice_vals = []
for number in range(150):
    partner = customers[number % len(customers)]
    invoice_date = DEMO_DATE - timedelta(days=rng.randint(5, 120))
    lines = [
        Command.create({"product_id": product.id, "quantity": rng.randint(1, 5), "price_unit": price})
        for product, price in rng.sample(products, rng.randint(1, 3))
    ]
    invoice_vals.append(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_payment_term_id": rng.choice(TERMS).id,
            "invoice_line_ids": lines,
        }
    )
invoices = env["account.move"].create(invoice_vals)
invoices.action_post()

credit_notes = env["account.move"].create(
    [
        {
            "move_type": "out_refund",
            "partner_id": customers[index * 3].id,
            "invoice_date": DEMO_DATE - timedelta(days=rng.randint(10, 60)),
            "invoice_line_ids": [Command.create({"name": "Gutschrift Reklamation", "price_unit": rng.choice([50.0, 120.0, 200.0])})],
        }
        for index in range(8)
    ]
)
credit_notes.action_post()

# About 35 % paid in full, 10 % partially (payments before the demo date).
paid = partial = 0
for invoice in invoices:
    draw = rng.random()
    if draw >= 0.45:
        continue
    pay_date = min(invoice.invoice_date_due + timedelta(days=rng.randint(-10, 20)), DEMO_DATE)
    pay_date = max(pay_date, invoice.invoice_date)
    amount = invoice.amount_total if draw < 0.35 else round(invoice.amount_total * 0.4, 2)
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=invoice.ids
    ).create({"amount": amount, "payment_date": pay_date, "journal_id": bank_journal.id})._create_payments()
    paid += draw < 0.35
    partial += draw >= 0.35

# A dunning stop on one customer (payment plan) and one disputed invoice.
customers.filtered(lambda p: p.name == "Hotel Zur Post GmbH").write(
    {"dunning_stop_reason_id": env.ref("account_dunning_collect.stop_reason_payment_plan").id,
     "dunning_stop_until": DEMO_DATE + timedelta(days=30)}
)
disputed = invoices.filtered(lambda m: m.payment_state == "not_paid")[:1]
disputed.dunning_stop_reason_id = env.ref("account_dunning_collect.stop_reason_dispute")

# Charges: the 2.50 fee of the 2nd dunning is shipped; add the BGB §288(5) flat
# fee for businesses. Statutory interest stays off: the demo's dates lie after
# 2026-07-01, whose base rate is not known here (the product never invents one).
company.dunning_policy_id.flat_fee_b2b = True

# Collection: an active agency takes the claims 14 days after the 2nd dunning
# (49 days after due); the run proposes the cases, an accountant hands them over.
Account = env["account.account"].with_company(company)
agency = env["collection.agency"].create(
    {
        "partner_id": env["res.partner"].create(
            {"name": "Inkasso Nord GmbH", "is_company": True, "email": "auftrag@inkasso-nord.example",
             "street": "Am Sandtorkai 3", "zip": "20457", "city": "Hamburg", "country_id": germany.id}
        ).id,
        "company_id": company.id,
        "min_amount": 100.0,
        "delay_days": 14,
        "commission_percent": 15.0,
        "expense_account_id": Account.search([("code", "=", "4950")], limit=1).id,
        "write_off_account_id": Account.search([("code", "=", "2400")], limit=1).id,
        "export_format": "json",
        "delivery": "download",
    }
)
agency.action_confirm()
company.dunning_policy_id.collection_agency_id = agency

# --- dunning: once a week, as the cron would have done, up to the demo date ------------
runs = env["dunning.run"]
run_date = DEMO_DATE - timedelta(weeks=10)
while run_date <= DEMO_DATE:
    run = env["dunning.run"].create({"date": run_date, "company_id": company.id})
    run.action_run()
    runs |= run
    if run_date < DEMO_DATE:
        # The weeks before the demo date: the letters went out (a customer gets
        # the next level only after its last letter was delivered). E-mails
        # left the same day, the post was printed two days later; their PDFs
        # are made when someone opens or prints them. The last run's letters
        # stay queued for the delivery job of the demo server.
        sent = run.letter_ids.filtered(lambda letter: letter.state == "sent")
        by_mail = sent.filtered(lambda letter: letter.channel in ("email", "email_letter", "phone"))
        by_mail._mark_delivered(run_date, {"delivery_state": "done"})
        printed = run_date + timedelta(days=2)
        (sent - by_mail)._mark_delivered(
            printed, {"delivery_state": "done", "printed_date": printed}
        )
        sent._log_sent()  # the note on the customer's and the invoices' chatter
    run_date += timedelta(weeks=1)

# The accountant hands the two oldest proposals over on the demo date; the agency
# has already paid out part of the first one.
cases = env["collection.case"].search([("company_id", "=", company.id)], order="id")
handed = cases[:2]
handed._handover(DEMO_DATE)
if handed:
    first_case = handed[0]
    env["collection.remittance"].with_context(default_case_id=first_case.id).create(
        {"amount": round(first_case.amount_open / 2, 2), "date": DEMO_DATE,
         "journal_id": bank_journal.id, "reference": "Abrechnung 11/2026"}
    ).action_confirm()
env.cr.commit()

# --- summary ---------------------------------------------------------------------------
letters = env["dunning.letter"].search([("company_id", "=", company.id)])
print()
print(f"Demo company: {company.name} ({company.currency_id.name}, chart de_skr03)")
print(f"Customers: {len(customers)}; invoices: {len(invoices)} ({paid} paid, {partial} partially paid), "
      f"credit notes: {len(credit_notes)}")
print(f"Dunning runs: {len(runs)} (weekly, last on {DEMO_DATE})")
print()
print(f"{'Level':<22}{'Letters':>8}{'Sent':>7}{'To approve':>12}{'Total to pay':>16}")
by_level = Counter()
for level in company.dunning_policy_id.level_ids.filtered(lambda lv: lv.level_type == "letter").sorted("delay_days"):
    level_letters = letters.filtered(lambda letter, lv=level: letter.level_id == lv)
    print(
        f"{level.name:<22}{len(level_letters):>8}"
        f"{len(level_letters.filtered(lambda l: l.state == 'sent')):>7}"
        f"{len(level_letters.filtered(lambda l: l.state == 'to_approve')):>12}"
        f"{sum(level_letters.mapped('amount_total')):>16,.2f}"
    )
charges = letters.fee_move_id
print(f"Charge invoices (fees, flat fees): {len(charges)}, "
      f"{sum(charges.mapped('amount_total')):,.2f} EUR")
last = runs[-1]
print()
print(f"Last run ({last.date}): {last.item_count} items examined, {last.escalated_count} escalated, "
      f"{last.letter_count} letters ({last.sent_count} sent, {last.to_approve_count} to approve)")
open_items = env["account.move"].search(
    [("company_id", "=", company.id), ("move_type", "=", "out_invoice"),
     ("is_dunning_charge", "=", False), ("payment_state", "in", ("not_paid", "partial"))]
)
overdue = open_items.filtered(lambda m: m.invoice_date_due < DEMO_DATE)
queued = letters.filtered(lambda l: l.delivery_state == "pending")
print(f"Letters queued for delivery (PDF, e-mail): {len(queued)} -- the delivery job makes them "
      "once Odoo runs (make demo SERVE=1); letters by post then wait under 'Print Letters'.")
print(f"Collection ({agency.name}): {len(cases)} cases, "
      + ", ".join(f"{count} {dict(cases._fields['state']._description_selection(env))[state]}"
                  for state, count in sorted(Counter(cases.mapped("state")).items()))
      + f"; claims {sum(cases.mapped('amount_total')):,.2f} EUR, collected "
      f"{sum(cases.mapped('amount_collected')):,.2f} EUR")
print(f"Open invoices: {len(open_items)}, overdue: {len(overdue)} "
      f"({sum(overdue.mapped('amount_residual')):,.2f} EUR), in dunning: "
      f"{len(open_items.filtered('dunning_level_id'))}")
