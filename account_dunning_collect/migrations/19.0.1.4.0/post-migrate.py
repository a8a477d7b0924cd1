"""19.0.1.4.0: letter lines refer to their journal item without a foreign key.

The daily run writes a letter line per open item; PostgreSQL checked the
foreign key of each by locking the journal item. The lines of deleted
journal items are now deleted by the ORM. Odoo does not drop a foreign key
that a field no longer asks for, so it is dropped here.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        "ALTER TABLE dunning_letter_line DROP CONSTRAINT IF EXISTS "
        "dunning_letter_line_move_line_id_fkey"
    )
    cr.execute(
        "DELETE FROM ir_model_constraint WHERE name = 'dunning_letter_line_move_line_id_fkey'"
    )
