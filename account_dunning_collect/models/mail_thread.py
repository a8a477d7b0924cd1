from odoo import models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _get_message_create_valid_field_names(self):
        # the language-neutral text of this addon's notes (see tools.reader_text.post_note)
        return super()._get_message_create_valid_field_names() | {"dunning_text"}
