from . import dunning_letter_waive
