"""19.0.1.3.0: the invoice's dunning level is no longer indexed.

The daily run rewrites ``account_move.dunning_level_id`` on every invoice that
escalates; without an index on it PostgreSQL can update those rows in place
(HOT) instead of rewriting them in every index of ``account_move``. Odoo does
not drop an index whose field lost ``index=``, so it is dropped here.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute("DROP INDEX IF EXISTS account_move__dunning_level_id_index")
