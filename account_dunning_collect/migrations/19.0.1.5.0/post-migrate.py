"""19.0.1.5.0: letters count once delivered; lines keep their invoice.

* ``dunning.letter.delivered_date``: a letter delivered before this version
  (delivery state Delivered) was delivered when it was printed, else when
  it was sent.
* ``dunning.letter.line.move_id`` is stored (without a foreign key): filled
  from the journal items.
"""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE dunning_letter
           SET delivered_date = COALESCE(printed_date, sent_date, date)
         WHERE state = 'sent' AND delivery_state = 'done' AND delivered_date IS NULL
        """
    )
    cr.execute(
        """
        UPDATE dunning_letter_line line
           SET move_id = aml.move_id
          FROM account_move_line aml
         WHERE aml.id = line.move_line_id AND line.move_id IS NULL
        """
    )
