from odoo import fields, models

from ..tools.reader_text import render_html


class MailMessage(models.Model):
    _inherit = "mail.message"

    # The text of a note this addon posted, language-neutral (source text and
    # arguments, see tools.reader_text): the chatter shows it in the reader's language.
    # The body keeps the text in the language of the one who posted it.
    dunning_text = fields.Json("Dunning Note Text", readonly=True, copy=False)

    def _to_store(self, store, fields, **kwargs):
        """The chatter reads messages from here: a note of this addon shows its text
        in the reader's language instead of the one it was written in."""
        result = super()._to_store(store, fields, **kwargs)
        for message in self:
            if message.dunning_text:
                store.add_model_values(
                    "mail.message",
                    {"id": message.id, "body": render_html(self.env, message.dunning_text)},
                )
        return result

    def write(self, vals):
        # an edited body is the editor's text: no longer this addon's note
        if "body" in vals and "dunning_text" not in vals:
            vals = {**vals, "dunning_text": False}
        return super().write(vals)
