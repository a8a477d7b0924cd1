from . import dunning_letter_waive
from . import collection_remittance
