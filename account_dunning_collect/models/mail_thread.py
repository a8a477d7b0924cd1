from odoo import api, models

from ..tools.reader_text import RecordName, freeze, render_html

ADDON = "account_dunning_collect"


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    def _get_message_create_valid_field_names(self):
        # the language-neutral text of this addon's notes (see tools.reader_text.post_note)
        return super()._get_message_create_valid_field_names() | {"dunning_text"}

    @api.model_create_multi
    def create(self, vals_list):
        """The "<Document> created" note of this addon's records in the reader's language.

        Odoo writes it in the language of whoever creates the record (a run made by
        the cron reads "Mahnlauf erstellt" to an English accountant); it is logged
        here with its text kept language-neutral (Odoo's own wording, from mail).
        """
        if (
            self._original_module != ADDON
            or self.env.context.get("mail_create_nolog")
            or self._creation_subtype()
        ):
            return super().create(vals_list)
        records = (
            super(MailThread, self.with_context(mail_create_nolog=True))
            .create(vals_list)
            .with_env(self.env)
        )
        text = {
            "msg": "%s created",
            "module": "mail",  # Odoo's own text and its translations
            "args": [freeze(RecordName(self.env["ir.model"]._get(self._name)))],
        }
        body = render_html(self.env, text)
        records._message_log_batch(bodies=dict.fromkeys(records.ids, body)).write(
            {"dunning_text": text}
        )
        return records
