"""19.0.1.7.0: the run's log and the letters' reasons are stored language-neutral.

The texts written before (in the language of whoever wrote them) are kept as
they are and shown before the new entries: ``dunning_run.log`` becomes
``log_legacy``, ``dunning_letter.approval_reason`` becomes
``approval_reason_legacy``, and so its interest warning, waiver reason and
delivery error (the names are computed fields now).
"""

from odoo.tools import SQL

RENAMES = (
    ("dunning_run", "log", "log_legacy"),
    ("dunning_letter", "approval_reason", "approval_reason_legacy"),
    ("dunning_letter", "interest_warning", "interest_warning_legacy"),
    ("dunning_letter", "waive_reason", "waive_reason_legacy"),
    ("dunning_letter", "delivery_error", "delivery_error_legacy"),
)


def migrate(cr, version):
    if not version:
        return
    for table, old, new in RENAMES:
        cr.execute(
            """SELECT 1 FROM information_schema.columns
                WHERE table_name = %s AND column_name = %s""",
            (table, old),
        )
        if cr.fetchone():
            cr.execute(
                SQL(
                    "ALTER TABLE %s RENAME COLUMN %s TO %s",
                    SQL.identifier(table),
                    SQL.identifier(old),
                    SQL.identifier(new),
                )
            )
