"""A German company (EUR, SKR03, bank account with IBAN) for the demo and the benchmark."""

from odoo.fields import Command


def create_german_company(env, name, iban="DE89370400440532013000"):
    """Create ``name`` with the SKR03 chart, make it the admin's company and return (env, company).

    The returned environment has the new company as its only allowed company.
    """
    germany = env.ref("base.de")
    eur = env.ref("base.EUR")
    eur.active = True
    values = {
        "name": name,
        "street": "Friedrichstraße 123",
        "zip": "10117",
        "city": "Berlin",
        "country_id": germany.id,
        "currency_id": eur.id,
        "email": "buchhaltung@muster-handels.example",
        "phone": "+49 30 1234567",
        "vat": "DE123456788",
        "company_registry": "HRB 123456 B",
        "website": "https://www.muster-handels.example",
    }
    if "dunning_register_court" in env["res.company"]._fields:  # the letter's footer (§35a GmbHG)
        values["dunning_register_court"] = "Amtsgericht Berlin-Charlottenburg"
        values["dunning_managing_directors"] = "Erika Mustermann, Max Mustermann"
    if "iap_enrich_auto_done" in env["res.company"]._fields:
        values["iap_enrich_auto_done"] = True  # no look-up on the internet for a made-up company
    company = env["res.company"].create(values)
    admin = env.ref("base.user_admin")
    admin.write({"company_ids": [Command.link(company.id)], "company_id": company.id})
    env = env(context=dict(env.context, allowed_company_ids=[company.id]))
    env["account.chart.template"].try_loading("de_skr03", company=company, install_demo=False)
    company = env["res.company"].browse(company.id)
    bank_journal = env["account.journal"].search(
        [("company_id", "=", company.id), ("type", "=", "bank")], limit=1
    )
    bank = env["res.bank"].create({"name": "Commerzbank Berlin", "bic": "COBADEFFXXX"})
    bank_account = env["res.partner.bank"].create(
        {"acc_number": iban, "partner_id": company.partner_id.id, "bank_id": bank.id}
    )
    bank_journal.bank_account_id = bank_account
    # Odoo lets only a person in the group "Validate bank account" trust a bank account,
    # never the superuser the scripts run as (it silently leaves it untrusted, and the
    # charge invoices of a run in the browser then fail): the administrator does it.
    admin.write({"group_ids": [Command.link(env.ref("account.group_validate_bank_account").id)]})
    bank_account.with_user(admin).allow_out_payment = True
    if not bank_account.allow_out_payment:
        raise RuntimeError(f"The bank account {iban} of {name} could not be trusted.")
    return env, company


def payment_terms(env):
    """14 days net, 30 days net, and 50 % in 14 / 50 % in 44 days (installments)."""
    Term = env["account.payment.term"]

    def term(name, *lines):
        return Term.create(
            {
                "name": name,
                "line_ids": [
                    Command.create({"value": "percent", "value_amount": share, "nb_days": days})
                    for share, days in lines
                ],
            }
        )

    return (
        term("14 Tage netto", (100, 14)),
        term("30 Tage netto", (100, 30)),
        term("50 % in 14 Tagen, 50 % in 44 Tagen", (50, 14), (50, 44)),
    )
