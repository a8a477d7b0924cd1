from unittest.mock import patch

from odoo import sql_db
from odoo.tests import tagged

from odoo.addons.mail.tools.discuss import Store

from .common import DunningCommon, load_german, run_dunning


@tagged("post_install", "-at_install")
class TestReaderLanguage(DunningCommon):
    """What the addon writes for people (run log, reasons, notes, state changes) is
    read in the reader's language, whatever the language of the one who wrote it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_german(cls.env)
        cls.german = cls._dunning_user("deutsch", "account_dunning_collect.group_dunning_manager")
        cls.german.lang = "de_DE"
        cls.english = cls._dunning_user("english", "account_dunning_collect.group_dunning_manager")
        cls.english.lang = "en_US"

    def _as(self, user, records):
        return records.with_user(user).with_context(lang=user.lang)

    def _body_for(self, user, message):
        """The body the chatter shows ``user`` (what the web client reads)."""
        message = self._as(user, message)
        data = Store().add(message).get_result()
        [entry] = [values for values in data["mail.message"] if values["id"] == message.id]
        return entry["body"][1]

    def test_run_log_reason_and_note_in_readers_language(self):
        self.policy.approval_required = True
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        german_env = self.env(user=self.german, context={"lang": "de_DE"})
        run_dunning(german_env, "2026-03-22", self.company)
        # a part payment changes what the waiting letter asks for
        self._pay(invoice, 400.0, "2026-03-30")
        run = run_dunning(german_env, "2026-04-05", self.company)
        letter = self._letters()
        self.assertEqual(letter.state, "to_approve")

        english_log = self._as(self.english, run).log
        german_log = self._as(self.german, run).log
        self.assertIn("Run started by Deutsch.", english_log)
        self.assertIn("Mahnlauf gestartet von Deutsch.", german_log)
        # dates in the reader's format
        self.assertIn(
            "Letters waiting for approval brought up to date (items, amounts, level, charges "
            f"as of 04/05/2026): {letter.name}.",
            english_log,
        )
        self.assertIn(
            "Zur Freigabe wartende Mahnschreiben aktualisiert (Posten, Beträge, Stufe, "
            f"Kosten zum 05.04.2026): {letter.name}.",
            german_log,
        )
        self.assertIn(
            "Run finished. Items examined: 1; escalated: 0; letters: 0 (sent: 0, to approve: 0); "
            "waiting letters brought up to date: 1",
            english_log,
        )
        self.assertIn("Mahnlauf beendet. Geprüfte Posten: 1; eskaliert: 0", german_log)
        self.assertNotIn("Mahnlauf", english_log)
        self.assertNotIn("Run finished", german_log)
        # the run writes its log once per batch, not once per entry
        self.assertEqual(len(run.log_entries), 3)

        # the letter's reason
        self.assertEqual(
            self._as(self.english, letter).approval_reason,
            "The policy or level asks for approval.",
        )
        self.assertEqual(
            self._as(self.german, letter).approval_reason,
            "Verfahren oder Stufe verlangen eine Freigabe.",
        )

        # the note the German run posted on the letter it brought up to date
        note = letter.message_ids.filtered(lambda message: message.dunning_text)
        self.assertEqual(len(note), 1)
        self.assertIn("Aktualisiert zum 05.04.2026", note.body)  # stored as written
        self.assertEqual(
            self._body_for(self.english, note),
            "Brought up to date as of 04/05/2026: items, amounts, level and charges.",
        )
        self.assertEqual(
            self._body_for(self.german, note),
            "Aktualisiert zum 05.04.2026: Posten, Beträge, Stufe und Kosten.",
        )

    def test_sent_note_and_state_change_in_readers_language(self):
        self.policy.approval_required = True
        self.reminder.with_context(lang="de_DE").name = "Zahlungserinnerung"
        invoice = self._invoice(self.customer, 1000.0, "2026-03-01")
        run_dunning(self.env, "2026-03-22", self.company)
        letter = self._letters()
        # a German manager approves: the state change is tracked in German
        # (the test classes switch tracking off: on here, as in the web client)
        self._as(self.german, letter).with_context(
            tracking_disable=False, mail_notrack=False
        ).action_approve()
        self.assertEqual(letter.state, "sent")
        self.env.flush_all()
        self.env.cr.precommit.run()  # the tracking is written at commit
        tracking = letter.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "state"
        )
        self.assertEqual(tracking.old_value_char, "Zur Freigabe")
        [english] = self._as(self.english, tracking)._tracking_value_format()
        self.assertEqual((english["oldValue"], english["newValue"]), ("To Approve", "Sent"))
        [german] = self._as(self.german, tracking)._tracking_value_format()
        self.assertEqual((german["oldValue"], german["newValue"]), ("Zur Freigabe", "Versandt"))

        # the "letter sent" notes (written in bulk) on the customer and the invoice
        self._as(self.german, letter)._log_sent()
        for record in (self.customer, invoice):
            note = record.message_ids[0]
            self.assertIn("Mahnung versandt: <a href='#' data-oe-model=", note.body)
            english_body = self._body_for(self.english, note)
            self.assertIn("Dunning letter sent:", english_body)
            self.assertIn(f">{letter.name}</a> (Payment reminder, E-mail)", english_body)
            german_body = self._body_for(self.german, note)
            self.assertIn(f">{letter.name}</a> (Zahlungserinnerung, E-Mail)", german_body)

    def test_delivery_error_in_readers_language_and_typed_reason_as_typed(self):
        self._invoice(self.customer, 1000.0, "2026-03-01")
        run_dunning(self.env, "2026-03-22", self.company, deliver=False)
        letter = self._letters()
        self.customer.street = False
        self._as(self.german, letter)._fail_without_postal_address()
        self.assertEqual(letter.delivery_state, "failed")
        self.assertEqual(
            self._as(self.english, letter).delivery_error,
            "Kunde GmbH has no complete postal address (street, ZIP, city): complete it, "
            "then retry the delivery.",
        )
        self.assertTrue(self._as(self.german, letter).delivery_error.startswith("Kunde GmbH "))
        self.assertNotIn("postal address", self._as(self.german, letter).delivery_error)
        # a reason a person typed stays as typed, for every reader
        letter._write_workflow({"waive_reason": "Kulanz nach Telefonat"})
        self.assertEqual(self._as(self.english, letter).waive_reason, "Kulanz nach Telefonat")
        self.assertEqual(letter.waive_reason_legacy, "Kulanz nach Telefonat")
        # retrying clears the error
        letter.action_retry_delivery()
        self.assertFalse(letter.delivery_error)
        self.assertFalse(letter.delivery_error_entries)

    def test_creation_note_in_readers_language(self):
        """Odoo wrote "Mahnlauf erstellt" for a run a German user made, to every reader."""
        german_env = self.env(user=self.german, context={"lang": "de_DE"})
        run = run_dunning(german_env, "2026-03-22", self.company)
        [created] = run.message_ids.filtered(lambda m: m.dunning_text)
        self.assertIn("Mahnlauf erstellt", str(created.body))
        self.assertIn("Dunning Run created", self._body_for(self.english, created))
        self.assertIn("Mahnlauf erstellt", self._body_for(self.german, created))
        # Odoo's other models are left as Odoo makes them
        partner = self.env["res.partner"].with_context(lang="de_DE").create({"name": "Neu"})
        self.assertFalse(partner.message_ids.filtered("dunning_text"))

    def test_log_is_written_once_per_batch(self):
        """Six log entries (started, skipped, held, no due date, finished, ...) cost
        one UPDATE of the run per batch and one at the end, not one each."""
        self._invoice(self.customer, 1000.0, "2026-03-01")
        small = self._create_customer("Klein KG")
        self._invoice(small, 1.0, "2026-03-01")
        self.policy.minimum_amount = 5.0
        statements = []
        execute = sql_db.Cursor.execute

        def spy(cr, query, params=None, log_exceptions=True):
            statements.append(str(getattr(query, "code", query)))
            return execute(cr, query, params, log_exceptions)

        with patch.object(sql_db.Cursor, "execute", spy):
            run = self._run("2026-03-22")
        self.assertIn("No letter (below the policy's minimum amount): Klein KG", run.log)
        self.assertGreaterEqual(len(run.log_entries), 3)
        log_writes = [
            statement
            for statement in statements
            if statement.startswith('UPDATE "dunning_run"') and '"log_entries"' in statement
        ]
        self.assertLessEqual(len(log_writes), 3, log_writes)

    def test_german_labels_do_not_collide(self):
        for model in ("dunning.letter", "collection.case"):
            fields = self.env[model].with_context(lang="de_DE").fields_get(["run_id"])
            self.assertEqual(fields["run_id"]["string"], "Mahnlauf", model)
