import logging
from datetime import timedelta

import requests
from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.translate import LazyTranslate

from ..engine import claim_format
from ..tools import CronBudget
from ..tools.reader_text import Label, post_note
from .collection_agency import DELIVERY_METHODS, EXPORT_FORMATS

_logger = logging.getLogger(__name__)
# Texts kept for people to read later are lazy on purpose (stored language-neutral,
# translated for each reader: tools/reader_text.py), not self.env._ of the writer.
# pylint: disable=prefer-env-translation
_lt = LazyTranslate(__name__)

MAX_ATTEMPTS = 6  # then the message is failed and waits for "Retry"
RETRY_MINUTES = 5  # back-off: 5, 10, 20, 40, 80 minutes
WEBHOOK_TIMEOUT = 15
MESSAGE_BATCH_SIZE = 50


class WebhookError(Exception):
    """The agency's server did not accept a message."""

    def __init__(self, message, response=None):
        super().__init__(message)
        self.response_text = response


class CollectionCaseMessage(models.Model):
    """A handover, update or recall sent to the agency: its file and delivery log."""

    _name = "collection.case.message"
    _description = "Collection Case Message"
    _order = "id desc"

    case_id = fields.Many2one("collection.case", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="case_id.company_id", store=True)
    agency_id = fields.Many2one(related="case_id.agency_id", store=True)
    message_type = fields.Selection(
        [("handover", "Handover"), ("update", "Update (payment)"), ("recall", "Recall")],
        required=True,
    )
    export_format = fields.Selection(EXPORT_FORMATS, required=True)
    delivery = fields.Selection(DELIVERY_METHODS, required=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", required=True)
    file = fields.Binary(related="attachment_id.datas", string="Download")
    filename = fields.Char(related="attachment_id.name", string="File Name")
    state = fields.Selection(
        [("pending", "Pending"), ("done", "Delivered"), ("failed", "Failed")],
        required=True,
        default="pending",
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    next_attempt = fields.Datetime(readonly=True, index=True)
    sent_at = fields.Datetime(readonly=True)
    error = fields.Text(readonly=True)
    response = fields.Char(readonly=True, help="Status the agency's server answered.")

    def _on_queued(self):
        """Downloads are done at once; e-mails and webhooks go out with the job."""
        downloads = self.filtered(lambda message: message.delivery == "download")
        downloads.write({"state": "done", "sent_at": fields.Datetime.now()})
        if self - downloads:
            (self - downloads).next_attempt = fields.Datetime.now()
            self.env.ref("account_dunning_collect.ir_cron_collection_sync")._trigger()

    def action_retry(self):
        self.filtered(lambda message: message.state == "failed").write(
            {"state": "pending", "attempts": 0, "next_attempt": fields.Datetime.now()}
        )
        self.env.ref("account_dunning_collect.ir_cron_collection_sync")._trigger()
        return True

    @api.model
    def _deliver_pending(self, budget=None):
        """Send due messages, each in its own transaction when run by the cron.

        ``budget`` (a ``CronBudget``) stops the sending when the cron's
        wake-up has no time left for another message.
        """
        budget = budget or CronBudget(self.env)
        Cron = self.env["ir.cron"]
        domain = [("state", "=", "pending"), ("next_attempt", "<=", fields.Datetime.now())]
        messages = self.sudo().search(domain, order="id", limit=MESSAGE_BATCH_SIZE)
        remaining = self.sudo().search_count(domain)
        Cron._commit_progress(remaining=remaining)
        while messages:
            for message in messages:
                if not budget.allows_batch():
                    return
                with budget.batch():
                    message._deliver_one()
                remaining -= 1
                Cron._commit_progress(1, remaining=remaining)
            messages = self.sudo().search(domain, order="id", limit=MESSAGE_BATCH_SIZE)

    def _deliver_one(self):
        self.ensure_one()
        try:
            with self.env.cr.savepoint():
                if self.delivery == "webhook":
                    self._send_webhook()
                else:
                    self._send_email()
        except Exception as error:  # every failure is logged and retried
            self._record_failure(error)
            return False
        self.write({"state": "done", "sent_at": fields.Datetime.now(), "error": False})
        return True

    def _payload(self):
        return self.attachment_id.raw

    def _send_webhook(self):
        agency = self.agency_id.sudo()
        payload = self._payload()
        headers = {
            "Content-Type": self.attachment_id.mimetype,
            claim_format.SIGNATURE_HEADER: claim_format.sign(payload, agency.webhook_secret or ""),
            "X-Dunning-Event": self.message_type,
            "X-Dunning-Case": self.case_id.name,
        }
        response = requests.post(
            agency.webhook_url, data=payload, headers=headers, timeout=WEBHOOK_TIMEOUT
        )
        status = f"{response.status_code} {response.reason or ''}".strip()
        if response.status_code >= 300:
            raise WebhookError(
                self.env._("the agency's server answered %s", status), response=status
            )
        self.response = status

    def _send_email(self):
        case = self.case_id
        agency = self.agency_id
        subjects = {
            "handover": self.env._("New collection case %(case)s: %(debtor)s"),
            "update": self.env._("Collection case %(case)s: payment received"),
            "recall": self.env._("Collection case %(case)s: recalled"),
        }
        subject = subjects[self.message_type] % {
            "case": case.name,
            "debtor": case.partner_id.name,
        }
        # the HTML is ours, the names are data (a debtor may be called "<b>…"): Markup's %
        # escapes them
        body = Markup(
            self.env._(
                "<p>Please find attached the data of collection case %(case)s (%(debtor)s) in "
                "%(format)s format.</p><p>%(company)s</p>"
            )
        ) % {
            "case": case.name,
            "debtor": case.partner_id.name,
            "format": self.export_format.upper(),
            "company": case.company_id.name,
        }
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "subject": subject,
                    "body_html": body,
                    "email_to": agency._delivery_address(),
                    "email_from": case.company_id.email_formatted or self.env.user.email_formatted,
                    "attachment_ids": [fields.Command.link(self.attachment_id.id)],
                    "model": case._name,
                    "res_id": case.id,
                    "auto_delete": False,
                }
            )
        )
        post_note(
            case,
            _lt(
                "%(subject)s: e-mailed to %(address)s.",
                subject=subject,
                address=agency._delivery_address(),
            ),
            attachment_ids=self.attachment_id.ids,
        )
        self.response = self.env._("queued as e-mail %s", mail.id)

    def _record_failure(self, error):
        self.response = getattr(error, "response_text", False)
        self.attempts += 1
        message = str(error) or error.__class__.__name__
        _logger.warning(
            "Collection message %s (%s) for case %s failed (attempt %s): %s",
            self.id,
            self.delivery,
            self.case_id.name,
            self.attempts,
            message,
        )
        if self.attempts >= MAX_ATTEMPTS:
            self.write({"state": "failed", "error": message, "next_attempt": False})
            post_note(
                self.case_id,
                _lt(
                    "The %(type)s message could not be delivered to %(agency)s after %(attempts)s "
                    "attempts: %(error)s. Use 'Retry' on the message once the problem is solved.",
                    type=Label(self._name, "message_type", self.message_type),
                    agency=self.agency_id.name,
                    attempts=self.attempts,
                    error=message,
                ),
            )
        else:
            delay = timedelta(minutes=RETRY_MINUTES * 2 ** (self.attempts - 1))
            self.write({"error": message, "next_attempt": fields.Datetime.now() + delay})
