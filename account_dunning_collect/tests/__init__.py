from . import test_engine_escalation
from . import test_engine_interest
from . import test_dunning_run
from . import test_dunning_letter
from . import test_dunning_config
from . import test_dunning_base_rate
from . import test_dunning_charges
from . import test_dunning_allocation
