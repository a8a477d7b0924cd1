"""Odoo as a library for the benchmark scripts (run with Odoo's python)."""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))

import odoo  # noqa: E402
from odoo import api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402
from odoo.tools import config  # noqa: E402

BENCH_COMPANY = "Bench Mahnwesen GmbH"


def open_env(db_name):
    """Return (registry, cursor, env) for ``db_name`` as the superuser."""
    config.parse_config(
        [
            "--db_host",
            os.environ.get("PGHOST", "127.0.0.1"),
            "--db_port",
            os.environ.get("PGPORT", "5432"),
            "--db_user",
            os.environ.get("PGUSER", "root"),
            "--addons-path",
            os.environ["ADDONS_PATH"],
            "--log-level",
            "warn",
        ],
        setup_logging=True,
    )
    registry = Registry(db_name)
    cr = registry.cursor()
    env = api.Environment(cr, odoo.SUPERUSER_ID, {})
    company = env["res.company"].search([("name", "=", BENCH_COMPANY)], limit=1)
    if company:
        env = env(context={"allowed_company_ids": [company.id]})
    return registry, cr, env
