from . import engine
from . import tools
from . import models
from . import wizards


def post_init_hook(env):
    """Give every existing company the default dunning policy, and those with a chart
    of accounts the tax on dunning charges (others get it with their chart)."""
    companies = env["res.company"].search([])
    companies._dunning_ensure_default_policy()
    companies.filtered("chart_template")._dunning_ensure_charge_tax()
