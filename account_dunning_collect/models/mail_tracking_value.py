from odoo import models
from odoo.tools import SQL

# the models whose tracked selection fields are shown in the reader's language
READER_LANGUAGE_MODELS = ("dunning.", "collection.")


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    def _tracking_value_format_model(self, model):
        """Show the state changes of this addon's records in the reader's language.

        A tracking value keeps the selection's label in the language of the
        one who changed the record ("Versendet"), not the value: the label is
        mapped back to its value through the labels of every language, then
        shown with the reader's label.
        """
        formatted = super()._tracking_value_format_model(model)
        if not model or not model.startswith(READER_LANGUAGE_MODELS):
            return formatted
        trackings = self.filtered(lambda tracking: tracking.field_id.ttype == "selection")
        if not trackings:
            return formatted
        values_by_label = {}
        for field_id, value, names in self.env.execute_query(
            SQL(
                "SELECT field_id, value, name FROM ir_model_fields_selection"
                " WHERE field_id = ANY(%s)",
                trackings.field_id.ids,
            )
        ):
            for label in (names or {}).values():
                values_by_label.setdefault((field_id, label), value)
        Model = self.env[model]
        reader_labels = {
            field.name: dict(Model._fields[field.name]._description_selection(self.env))
            for field in trackings.field_id
            if field.name in Model._fields
        }
        by_id = {tracking.id: tracking for tracking in trackings}
        for entry in formatted:
            tracking = by_id.get(entry["id"])
            if not tracking or tracking.field_id.name not in reader_labels:
                continue
            labels = reader_labels[tracking.field_id.name]
            for key in ("newValue", "oldValue"):
                value = values_by_label.get((tracking.field_id.id, entry[key]))
                if value in labels:
                    entry[key] = labels[value]
        return formatted
