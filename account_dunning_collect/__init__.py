from . import engine
from . import tools
from . import models
from . import wizards


def post_init_hook(env):
    """Give every existing company the default dunning policy."""
    env["res.company"].search([])._dunning_ensure_default_policy()
