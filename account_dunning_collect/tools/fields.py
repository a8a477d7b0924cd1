"""Field types of the addon."""

from odoo import fields


class Many2oneWithoutForeignKey(fields.Many2one):
    """A many2one whose column has no foreign key in the database.

    For rows written by the thousand that refer to a busy table: PostgreSQL
    checks a foreign key row by row and locks each referenced row to do it,
    which writes to that row's page. ``ondelete='cascade'`` is then carried
    out by the ORM (the referenced model's ``unlink``), as Odoo does for the
    records its chatter and attachments point to by id.
    """

    def update_db_foreign_key(self, model, column):
        return
