"""Demo data for account_dunning_collect, run inside `odoo-bin shell` by tools/demo.sh.

Builds a German company (EUR, SKR03, a trusted bank account with IBAN), 30
customers (companies and consumers, some without e-mail, one without address)
and lives the 120 days before DEMO_DATE (today, or the environment variable
DEMO_DATE=YYYY-MM-DD) day by day: each day's invoices, credit notes and
payments are created and posted on their day, and once a week the dunning runs
(as the daily cron would) and its letters go out. A customer agrees a payment
plan (a stop), another disputes an invoice, the accountant hands claims over to
a collection agency, which pays out part of one. Statutory interest is on; the
base rates the addon does not ship yet are entered as an administrator would,
marked as demo values. The same DEMO_DATE gives the same demo (fixed seed,
dates relative to it). At the end it prints a summary and checks that every
feature the README promises is there (it fails loudly when one is missing).

`env` is provided by odoo-bin shell.
"""

import os
import random
import sys
from collections import Counter, defaultdict
from datetime import date, timedelta

from odoo.fields import Command

sys.path.insert(0, os.path.join(os.environ["DUNNING_ROOT"], "tools"))
from german_company import create_german_company, payment_terms  # noqa: E402

if os.environ.get("DEMO_DATE"):
    try:
        DEMO_DATE = date.fromisoformat(os.environ["DEMO_DATE"])
    except ValueError:
        sys.exit(f"DEMO_DATE={os.environ['DEMO_DATE']!r} is not a date: write it as YYYY-MM-DD.")
else:
    DEMO_DATE = date.today()
if DEMO_DATE > date.today():
    sys.exit(f"DEMO_DATE={DEMO_DATE} lies in the future: the dunning runs up to today at the latest.")
rng = random.Random(2026)
env = env  # noqa: F821, PLW0127 - provided by odoo-bin shell

# --- company and payment terms ------------------------------------------------------
env, company = create_german_company(env, "Muster Handels GmbH")
admin = env.ref("base.user_admin")
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
admin.lang = "en_US"  # the back office in English; customers get letters in their language
# Made-up VAT numbers: Odoo's job that asks the EU's VIES service (through Odoo's IAP) about
# them is switched off, so that a demo served without internet logs no error every day.
vies_job = env.ref("base_vat.vies_iap_check_update", raise_if_not_found=False)
if vies_job:
    vies_job.active = False
# The people who work with it: an accountant who reads German (runs the dunning, sends
# letters, works on cases) and a dunning manager who reads English (approves letters,
# sets stops, configures the policy). The administrator (admin) has everything.
DEMO_USERS = [
    ("buchhaltung", "Bernd Buchhalter", "de_DE", "account_dunning_collect.group_dunning_user"),
    ("manager", "Maria Manager", "en_US", "account_dunning_collect.group_dunning_manager"),
]
demo_users = {}
for login, user_name, lang, group in DEMO_USERS:
    demo_users[login] = env["res.users"].with_context(no_reset_password=True).create(
        {
            "login": login,
            "password": login,
            "name": user_name,
            "lang": lang,
            "tz": "Europe/Berlin",
            "email": f"{login}@muster-handels.example",
            "company_id": company.id,
            "company_ids": [Command.set(company.ids)],
            "group_ids": [Command.link(env.ref("base.group_user").id), Command.link(env.ref(group).id)],
        }
    )
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
        "user_id": demo_users["buchhaltung"].id,  # the letters name the salesperson as contact
    }
    if name == "Reisebüro Klein":
        values.update(street=False, zip=False, city=False, email=False)  # no way to reach them
    customers |= env["res.partner"].create(values)

# --- what happens on which day ------------------------------------------------------
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
documents_by_day = defaultdict(list)  # date -> invoice and credit note values, created on that day
for number in range(150):
    invoice_date = DEMO_DATE - timedelta(days=rng.randint(5, 120))
    lines = [
        Command.create({"product_id": product.id, "quantity": rng.randint(1, 5), "price_unit": price})
        for product, price in rng.sample(products, rng.randint(1, 3))
    ]
    documents_by_day[invoice_date].append(
        {
            "move_type": "out_invoice",
            "partner_id": customers[number % len(customers)].id,
            "invoice_date": invoice_date,
            "invoice_payment_term_id": rng.choice(TERMS).id,
            "invoice_line_ids": lines,
        }
    )
for index in range(8):
    refund_date = DEMO_DATE - timedelta(days=rng.randint(10, 60))
    documents_by_day[refund_date].append(
        {
            "move_type": "out_refund",
            "partner_id": customers[index * 3].id,
            "invoice_date": refund_date,
            "invoice_line_ids": [Command.create({"name": "Gutschrift Reklamation", "price_unit": rng.choice([50.0, 120.0, 200.0])})],
        }
    )
run_dates = [DEMO_DATE - timedelta(weeks=weeks) for weeks in range(10, -1, -1)]
STOP_DAY = run_dates[-4]  # three weeks before the demo date
DISPUTE_DAY = run_dates[-6]

# --- configuration, as the administrator does it --------------------------------------
policy = company.dunning_policy_id
# Statutory default interest (BGB §288) and, for businesses, the §288(5) flat fee of
# 40 EUR; the 2.50 fee of the 2nd dunning is shipped.
policy.write({"interest_mode": "statutory", "flat_fee_b2b": True})

# The addon ships the Bundesbank's base rates up to its release; it never invents one.
# The demo's dates may lie later: as an administrator, it enters the missing half-years
# with the last published rate, marked as demo values to be checked.
BaseRate = env["dunning.base.rate"].with_user(admin)
last_rate = BaseRate.search([], order="date_from desc", limit=1)
demo_rates = BaseRate.browse()
half_year = last_rate.date_from
while True:
    half_year = date(half_year.year + (half_year.month == 7), 1 if half_year.month == 7 else 7, 1)
    if half_year > DEMO_DATE:
        break
    demo_rates |= BaseRate.create(
        {
            "date_from": half_year,
            "rate": last_rate.rate,
            "note": "Demo value (the rate of %s repeated): check it against the Deutsche "
            "Bundesbank's publication before charging interest." % last_rate.date_from,
        }
    )

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
policy.collection_agency_id = agency

# Two key accounts: their letters wait for the dunning manager's approval (a waiting
# letter is brought up to date by each run until the manager approves it).
key_accounts = policy.copy({"name": "Key accounts (letters approved)", "approval_required": True})
customers.filtered(
    lambda p: p.name in ("Kanzlei Becker & Partner", "Praxis Dr. Richter")
).dunning_policy_id = key_accounts
env.cr.commit()

# --- living the days -------------------------------------------------------------------
# Each day: its invoices and credit notes are posted, the payments of the day come in;
# on a run day the dunning runs after them and its letters go out. So no letter lists a
# document from its future, and no run sees a payment made after it.
pay_rng = random.Random(2027)
payments_by_day = defaultdict(list)  # date -> (invoice, amount)
invoices = credit_notes = env["account.move"]
runs = env["dunning.run"]
handed = env["collection.case"]
remittance = None
paid = partial = 0


def remit(case, day):
    """The agency pays out half of what is open on ``case`` (its commission deducted)."""
    env["collection.remittance"].with_context(default_case_id=case.id).create(
        {"amount": round(case.amount_open / 2, 2), "date": day,
         "journal_id": bank_journal.id, "reference": f"Abrechnung {day:%m/%Y}"}
    ).action_confirm()
    return case


day = min(min(documents_by_day), run_dates[0])
while day <= DEMO_DATE:
    if documents_by_day.get(day):
        moves = env["account.move"].create(documents_by_day[day])
        moves.action_post()
        for invoice in moves.filtered(lambda move: move.move_type == "out_invoice"):
            # About 35 % paid in full, 10 % partially, around the due date.
            invoices |= invoice
            draw = pay_rng.random()
            if draw >= 0.45:
                continue
            shift = timedelta(days=pay_rng.randint(-10, 20))
            pay_date = max(min(invoice.invoice_date_due + shift, DEMO_DATE), invoice.invoice_date)
            amount = invoice.amount_total if draw < 0.35 else round(invoice.amount_total * 0.4, 2)
            payments_by_day[pay_date].append((invoice, amount))
            paid += draw < 0.35
            partial += draw >= 0.35
        credit_notes |= moves.filtered(lambda move: move.move_type == "out_refund")
    for invoice, amount in payments_by_day.pop(day, []):
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"amount": amount, "payment_date": day, "journal_id": bank_journal.id})._create_payments()
    if day == STOP_DAY:
        # A customer agrees a payment plan: no letters until a month after the demo date.
        customers.filtered(lambda p: p.name == "Hotel Zur Post GmbH").write(
            {"dunning_stop_reason_id": env.ref("account_dunning_collect.stop_reason_payment_plan").id,
             "dunning_stop_until": DEMO_DATE + timedelta(days=30)}
        )
    if day == DISPUTE_DAY:
        # A customer disputes an invoice that was already dunned (and is not paid later).
        paid_later = {invoice.id for payments in payments_by_day.values() for invoice, __ in payments}
        candidates = invoices.filtered(
            lambda m: m.payment_state == "not_paid" and m.id not in paid_later
            and m.partner_id.name not in ("Hotel Zur Post GmbH", "Reisebüro Klein")
        ).sorted("invoice_date")
        disputed = candidates.filtered("dunning_level_id")[:1] or candidates[:1]
        disputed.dunning_stop_reason_id = env.ref("account_dunning_collect.stop_reason_dispute")
    if day in run_dates:
        run = env["dunning.run"].create({"date": day, "company_id": company.id})
        run.action_run()
        runs |= run
        if day < DEMO_DATE:
            # The letters went out (a customer gets the next level only after its last
            # letter was delivered): e-mails the same day, the post was printed two days
            # later; their PDFs are made when someone opens or prints them. The last
            # run's letters stay queued for the delivery job of the demo server.
            sent = run.letter_ids.filtered(lambda letter: letter.state == "sent")
            by_mail = sent.filtered(lambda letter: letter.channel in ("email", "email_letter", "phone"))
            by_mail._mark_delivered(day, {"delivery_state": "done"})
            printed = day + timedelta(days=2)
            (sent - by_mail)._mark_delivered(
                printed, {"delivery_state": "done", "printed_date": printed}
            )
            sent._log_sent()  # the note on the customer's and the invoices' chatter
        # The accountant hands the oldest proposed case over after each run, two in all;
        # a week after the first handover the agency pays out part of it.
        if handed and not remittance and day > handed[0].handover_date:
            remittance = remit(handed[0], day)
        proposed = env["collection.case"].search(
            [("company_id", "=", company.id), ("state", "=", "draft")], order="id", limit=1
        )
        if proposed and len(handed) < 2:
            proposed._handover(day)
            handed |= proposed
    env.cr.commit()
    day += timedelta(days=1)
if handed and not remittance:
    remittance = remit(handed[0], DEMO_DATE)  # the first handover was on the demo date
env.cr.commit()

# --- summary -------------------------------------------------------------------------
letters = env["dunning.letter"].search([("company_id", "=", company.id)])
cases = env["collection.case"].search([("company_id", "=", company.id)], order="id")
bank_account = bank_journal.bank_account_id
print()
print(f"Demo date: {DEMO_DATE} (DEMO_DATE=YYYY-MM-DD builds the same demo again)")
print(f"Demo company: {company.name} ({company.currency_id.name}, chart de_skr03), bank account "
      f"{bank_account.acc_number}: {'trusted' if bank_account.allow_out_payment else 'NOT trusted'}")
print(f"Customers: {len(customers)}; invoices: {len(invoices)} ({paid} paid, {partial} partially paid), "
      f"credit notes: {len(credit_notes)}")
print(f"Dunning runs: {len(runs)} (weekly, {runs[0].date} to {DEMO_DATE})")
if demo_rates:
    print(f"Base rates entered by the demo (demo values, the rate of {last_rate.date_from} repeated; "
          "check them against the Deutsche Bundesbank's publication): "
          + ", ".join(f"{rate.date_from}: {rate.rate:.2f} %" for rate in demo_rates))
print()
print(f"{'Level':<22}{'Letters':>8}{'Sent':>7}{'To approve':>12}{'Total to pay':>16}")
for level in policy.level_ids.filtered(lambda lv: lv.level_type == "letter").sorted("delay_days"):
    # the key accounts' policy has levels of the same names
    level_letters = letters.filtered(lambda letter, lv=level: letter.level_id.name == lv.name)
    print(
        f"{level.name:<22}{len(level_letters):>8}"
        f"{len(level_letters.filtered(lambda l: l.state == 'sent')):>7}"
        f"{len(level_letters.filtered(lambda l: l.state == 'to_approve')):>12}"
        f"{sum(level_letters.mapped('amount_total')):>16,.2f}"
    )
charged = letters.filtered(lambda l: l.state == "sent")
charges = letters.fee_move_id
print(f"Charges on sent letters: fees {sum(charged.mapped('amount_fee')):,.2f}, §288(5) flat fees "
      f"{sum(charged.mapped('amount_flat_fee')):,.2f}, statutory interest "
      f"{sum(charged.mapped('amount_interest')):,.2f} EUR; charge invoices: {len(charges)}, "
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
      + ", ".join(f"{count} {dict(cases._fields['state']._description_selection(env(context={'lang': 'en_US'})))[state]}"
                  for state, count in sorted(Counter(cases.mapped("state")).items()))
      + f"; claims {sum(cases.mapped('amount_total')):,.2f} EUR, collected "
      f"{sum(cases.mapped('amount_collected')):,.2f} EUR")
print(f"Open invoices: {len(open_items)}, overdue: {len(overdue)} "
      f"({sum(overdue.mapped('amount_residual')):,.2f} EUR), in dunning: "
      f"{len(open_items.filtered('dunning_level_id'))}")

# --- what the README promises, checked --------------------------------------------------
stopped = env["res.partner"].search(
    [("dunning_stop_reason_id", "!=", False), ("dunning_stop_until", ">=", DEMO_DATE)]
)
disputed = env["account.move"].search(
    [("company_id", "=", company.id),
     ("dunning_stop_reason_id", "=", env.ref("account_dunning_collect.stop_reason_dispute").id)]
)
to_print = letters.filtered(
    lambda l: l.state == "sent" and l.channel in ("letter", "email_letter")
    and l.delivery_state in ("pending", "to_print")
)
FEATURES = [
    ("trusted company bank account", bank_account.allow_out_payment and 1 or 0),
    ("statutory interest (letters charging it)", len(letters.filtered("amount_interest"))),
    ("§288(5) flat fee (letters charging it)", len(letters.filtered("amount_flat_fee"))),
    ("customer with a dunning stop", len(stopped)),
    ("disputed invoice (stop reason dispute)", len(disputed)),
    ("letters to approve (with an address to send them to)",
     len(letters.filtered(lambda l: l.state == "to_approve" and l.partner_id.street))),
    ("letters to print (by post, once delivered)", len(to_print)),
    ("letters queued for the delivery job", len(queued)),
    ("claims handed over to the agency", len(cases.filtered(lambda c: c.handover_date))),
    ("agency remittances", len(cases.payment_ids.filtered(lambda p: p.kind == "agency"))),
]
print()
print("Log in as: admin / admin (administrator, English), "
      + ", ".join(f"{login} / {login} ({user_name}, {lang[:2]})" for login, user_name, lang, _g in DEMO_USERS))
print()
print("Features in the demo:")
for label, count in FEATURES:
    print(f"  {'ok' if count else 'MISSING':<8}{label}: {count}")
missing = [label for label, count in FEATURES if not count]
if missing:
    sys.exit("ERROR: the demo lacks " + "; ".join(missing))
