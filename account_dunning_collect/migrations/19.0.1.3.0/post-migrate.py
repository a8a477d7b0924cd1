"""19.0.1.3.0: fewer writes in the daily run.

* The invoice's dunning level is no longer indexed: the daily run rewrites
  ``account_move.dunning_level_id`` on every invoice that escalates, and
  without an index on it PostgreSQL can update those rows in place (HOT)
  instead of rewriting them in every index of ``account_move``.
* A letter line no longer stores its invoice (``move_id`` is now the journal
  item's invoice): the column's foreign key locked every invoice during the
  run's bulk INSERT.

Odoo keeps an index whose field lost ``index=`` and the column of a field
that is no longer stored, so both are dropped here.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS account_move__dunning_level_id_index")
    cr.execute("ALTER TABLE dunning_letter_line DROP COLUMN IF EXISTS move_id")
