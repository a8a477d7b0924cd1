"""The claim of a collection case as the agency receives it: the export file and its message."""

from decimal import Decimal

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..engine import claim_format
from ..engine.interest import ACT_365


# one model in several files by concern (readme/DEVELOP.md), as Odoo splits account.move.line
class CollectionCase(models.Model):
    _inherit = "collection.case"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _party(self, partner, reference=""):
        partner = partner.sudo()
        commercial = partner.commercial_partner_id
        return claim_format.Party(
            name=commercial.name or "",
            street=partner.street or "",
            street2=partner.street2 or "",
            zip=partner.zip or "",
            city=partner.city or "",
            country_code=partner.country_id.code or "",
            email=partner.email or commercial.email or "",
            phone=partner.phone or commercial.phone or "",
            vat=commercial.vat or "",
            reference=reference,
            is_company=commercial.is_company,
        )

    def _claim(self, message_type, payments=None):
        """The engine's ``Claim`` of this case (``payments``: the ones to report)."""
        self.ensure_one()

        def money(value):
            return Decimal(str(value)).quantize(Decimal("0.01"))

        items = []
        lines = self.line_ids.sorted(lambda line: (line.due_date or line.invoice_date, line.id))
        for line in lines:
            items.append(
                claim_format.ClaimItem(
                    number=line.move_id.name,
                    invoice_date=line.invoice_date,
                    due_date=line.due_date,
                    description=line.description or line.move_id.name,
                    principal=money(line.principal),
                    fees=tuple(
                        claim_format.Fee(
                            date=fields.Date.to_date(fee["date"]),
                            description=fee["description"],
                            amount=money(fee["amount"]),
                            # None: a case built before fees said what they are
                            kind=fee.get("kind"),
                        )
                        for fee in line.fees_data or []
                    ),
                    interest=tuple(
                        claim_format.Interest(
                            principal=money(item["principal"]),
                            rate=item["rate"],
                            date_from=fields.Date.to_date(item["date_from"]),
                            date_to=fields.Date.to_date(item["date_to"]),
                            days=item["days"],
                            amount=money(item["amount"]),
                            # interest charged before the day count was recorded: by 365
                            day_count=item.get("day_count") or ACT_365,
                        )
                        for item in line.interest_data or []
                    ),
                    history=tuple(
                        claim_format.DunningEvent(
                            date=fields.Date.to_date(event["date"]),
                            level=event["level"],
                            channel=event["channel"],
                            letter=event["letter"],
                            delivered=fields.Date.to_date(event.get("delivered")),
                        )
                        for event in line.history_data or []
                    ),
                    default=claim_format.InvoiceDefault(
                        default_date=line.default_date or None,
                        default_reason=line.default_reason or None,
                        first_reminder_date=line.first_reminder_date or None,
                    ),
                )
            )
        payments = self.payment_ids if payments is None else payments
        return claim_format.Claim(
            reference=self.name,
            message_type=message_type,
            handover_date=self.handover_date or fields.Date.context_today(self),
            currency=self.currency_id.name,
            creditor=self._party(self.company_id.partner_id),
            debtor=self._party(
                self.partner_id, reference=self.partner_id.ref or str(self.partner_id.id)
            ),
            items=tuple(items),
            payments=tuple(
                claim_format.Payment(
                    date=payment.date,
                    amount=money(payment.amount),
                    reference=payment.reference or "",
                )
                for payment in payments.sorted("date")
            ),
        )

    def _export(self, message_type, date=None):
        """Build, validate and attach the export of ``date`` (today); return the attachment."""
        self.ensure_one()
        export_format = self.agency_id.export_format
        content, extension, mimetype = claim_format.export(self._claim(message_type), export_format)
        try:
            claim_format.validate(content, export_format)
        except ValueError as error:
            raise UserError(
                self.env._(
                    "The %(format)s export of collection case %(case)s does not match the "
                    "shipped schema: %(error)s",
                    format=export_format.upper(),
                    case=self.name,
                    error=error,
                )
            ) from error
        day = fields.Date.to_string(date or fields.Date.context_today(self))
        return self.env["ir.attachment"].create(
            {
                "name": f"{self.name.replace('/', '-')}-{message_type}-{day}.{extension}",
                "raw": content,
                "mimetype": mimetype,
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    def _queue_message(self, message_type, attachment):
        self.ensure_one()
        message = self.env["collection.case.message"].create(
            {
                "case_id": self.id,
                "message_type": message_type,
                "attachment_id": attachment.id,
                "export_format": self.agency_id.export_format,
                "delivery": self.agency_id.delivery,
            }
        )
        message._on_queued()
        return message
