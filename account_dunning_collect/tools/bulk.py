"""Set-based writes for the daily run."""

from odoo import fields
from odoo.tools import SQL


def bulk_insert(env, table, columns, rows, log_access=True):
    """Insert ``rows`` into ``table`` with one statement and return the new ids in order.

    ``columns`` maps each column name to its PostgreSQL type; each row is a
    tuple in that order. With ``log_access`` the create/write user and date
    columns are filled as the ORM would. The caller invalidates the ORM cache
    of what it inserted.
    """
    if not rows:
        return []
    names = list(columns)
    arrays = [[row[index] for row in rows] for index in range(len(names))]
    types = [columns[name] for name in names]
    if log_access:
        now = fields.Datetime.now()
        names += ["create_uid", "write_uid", "create_date", "write_date"]
        arrays += [[env.uid] * len(rows)] * 2 + [[now] * len(rows)] * 2
        types += ["int4", "int4", "timestamp", "timestamp"]
    query = SQL(
        "INSERT INTO %s (%s) SELECT * FROM unnest(%s) RETURNING id",
        SQL.identifier(table),
        SQL(", ").join(SQL.identifier(name) for name in names),
        SQL(", ").join(
            SQL(f"%s::{pg_type}[]", array) for pg_type, array in zip(types, arrays, strict=True)
        ),
    )
    return [row[0] for row in env.execute_query(query)]
