from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        """A dunning call marked done delivers its letter (phone channel)."""
        call = self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False)
        letter_ids = [
            activity.res_id
            for activity in self
            if activity.res_model == "dunning.letter"
            and (not call or activity.activity_type_id == call)
        ]
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        if letter_ids:
            letters = (
                self.env["dunning.letter"]
                .sudo()  # whoever made the call delivers the letter; nothing else is granted
                .browse(letter_ids)
                .exists()
                .filtered(lambda letter: letter.delivery_state == "to_call")
            )
            if letters:
                letters._mark_delivered(fields.Date.context_today(self), {"delivery_state": "done"})
                letters._log_sent()
        return result
