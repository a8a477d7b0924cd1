from datetime import datetime

from odoo.tests import TransactionCase, tagged

from ..tools import bulk_insert


@tagged("post_install", "-at_install")
class TestBulkInsert(TransactionCase):
    def test_values_arrive_as_given(self):
        """COPY in CSV: separators, quotes, line breaks, NULL, booleans, dates, ids in order."""
        partner = self.env["res.partner"].create({"name": "Kunde GmbH"})
        bodies = ['<p>a, "b";\ttab\nline\\slash</p>', "<p>ä ö ü ß €</p>", None]
        stamp = datetime(2026, 3, 22, 6, 30, 15)
        before = len(partner.message_ids)
        self.env.flush_all()
        ids = bulk_insert(
            self.env,
            "mail_message",
            ("model", "res_id", "body", "message_type", "email_add_signature", "date"),
            [
                ("res.partner", partner.id, body, "comment", index == 0, stamp)
                for index, body in enumerate(bodies)
            ],
        )
        self.assertEqual(len(ids), 3)
        self.assertEqual(ids, sorted(ids))
        messages = self.env["mail.message"].browse(ids)
        self.assertEqual(
            [str(body) if body else False for body in messages.mapped("body")],
            ['<p>a, "b";\ttab\nline\\slash</p>', "<p>ä ö ü ß €</p>", False],
        )
        self.assertEqual(messages.mapped("email_add_signature"), [True, False, False])
        self.assertEqual(messages.mapped("date"), [stamp] * 3)
        self.assertEqual(messages.mapped("create_uid"), self.env.user)
        partner.invalidate_recordset(["message_ids"])  # the caller invalidates what it inserted
        self.assertEqual(partner.message_ids & messages, messages)
        # without returning: no ids, the rows are there all the same
        self.assertEqual(
            bulk_insert(
                self.env,
                "mail_message",
                ("model", "res_id", "body", "message_type"),
                [("res.partner", partner.id, "<p>x</p>", "comment")],
                returning=False,
            ),
            [],
        )
        self.env.invalidate_all()
        self.assertEqual(len(partner.message_ids), before + 4)
        self.assertEqual(bulk_insert(self.env, "mail_message", ("model",), []), [])
