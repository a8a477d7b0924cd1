"""19.0.1.1.0 brings the delivery of letters (PDF, e-mail, print batches).

Letters sent before it were recorded as sent without a document: mark them
delivered, so that the new delivery job does not send them a second time.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """UPDATE dunning_letter SET delivery_state = 'done'
            WHERE state = 'sent' AND delivery_state IS NULL"""
    )
