from . import dunning_letter_waive
from . import collection_remittance
from . import collection_case_close
