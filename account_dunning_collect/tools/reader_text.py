"""Texts stored language-neutral and shown in the reader's language.

What the addon writes for people to read later (the run's log, a letter's
approval reason, chatter notes) is read by people of other languages than
the one who wrote it: the daily run may be made by a German administrator
and read by an English accountant. Such a text is stored as its English
source (the msgid of the module's code translations) with its arguments,
and translated and formatted when it is read::

    _lt = LazyTranslate(__name__)
    entry = freeze(_lt("Run finished: %(items)s items examined", items=12))
    render(env, entry, "de_DE")  # "Mahnlauf beendet: 12 Posten geprüft"

Arguments may be translatable texts themselves (``_lt``), dates (formatted
in the reader's language), record names (read in the reader's language:
level names are translated) and selection labels (``Label``).
"""

from datetime import date, datetime

from markupsafe import Markup, escape

from odoo import fields
from odoo.exceptions import MissingError
from odoo.tools.misc import format_amount, format_date, format_datetime
from odoo.tools.translate import LazyGettext, get_translation


class RecordName:
    """A record's name as argument of a text: shown as the reader reads it."""

    __slots__ = ("record",)

    def __init__(self, record):
        self.record = record


class Amount:
    """An amount of money as argument of a text: formatted as the reader writes
    amounts (decimal separator, symbol)."""

    __slots__ = ("currency", "value")

    def __init__(self, value, currency):
        self.value = value
        self.currency = currency


class Label:
    """A selection value as argument of a text: shown with its label in the
    reader's language."""

    __slots__ = ("field", "model", "value")

    def __init__(self, model, field, value):
        self.model = model
        self.field = field
        self.value = value


def _freeze_text(text):
    args = text._args
    if isinstance(args, dict):
        args = {key: freeze(arg) for key, arg in args.items()}
    else:
        args = [freeze(arg) for arg in args]
    return {"msg": text._source, "module": text._module, "args": args}


def _freeze_record(value):
    record = value.record
    return {"model": record._name, "id": record.id, "name": record.display_name}


# (type, its JSON form), the first that matches; datetime before date (a subclass)
FREEZERS = (
    (LazyGettext, _freeze_text),
    (Markup, lambda value: {"markup": str(value)}),
    (datetime, lambda value: {"datetime": fields.Datetime.to_string(value)}),
    (date, lambda value: {"date": fields.Date.to_string(value)}),
    (RecordName, _freeze_record),
    (Amount, lambda value: {"amount": value.value, "currency": value.currency.id}),
    (Label, lambda value: {"model": value.model, "field": value.field, "value": value.value}),
    (list | tuple, lambda value: {"list": [freeze(item) for item in value]}),
)


def freeze(value):
    """Return ``value`` (a text from ``_lt`` or an argument) as JSON-ready data."""
    if value is None or (
        isinstance(value, str | int | float | bool) and not isinstance(value, Markup)
    ):
        return value
    for kind, to_json in FREEZERS:
        if isinstance(value, kind):
            return to_json(value)
    return str(value)


def _render_text(env, data, lang):
    args = data.get("args") or ()
    if isinstance(args, dict):
        args = {key: render(env, arg, lang) for key, arg in args.items()}
    else:
        args = tuple(render(env, arg, lang) for arg in args)
    return get_translation(data.get("module") or "base", lang, data["msg"], args)


def _render_amount(env, data, lang):
    currency = env["res.currency"].browse(data["currency"])
    return format_amount(env, data["amount"], currency, lang_code=lang)


def _render_label(env, data, lang):
    model = env.get(data["model"])
    field = model._fields.get(data["field"]) if model is not None else None
    if field is None:
        return data["value"]
    labels = dict(field._description_selection(model.with_context(lang=lang).env))
    return labels.get(data["value"], data["value"])


def _render_record(env, data, lang):
    model = env.get(data["model"])
    if model is None:
        return data.get("name", "")
    # sudo: the name of a record the text names, shown to whoever may read the text
    record = model.sudo().with_context(lang=lang).browse(data["id"])
    try:
        return record.display_name
    except MissingError:  # deleted since: the name it had
        return data.get("name", "")


# (key of the JSON form, how it reads in a language), the first key present
RENDERERS = (
    ("msg", _render_text),
    ("markup", lambda env, data, lang: Markup(data["markup"])),
    ("datetime", lambda env, data, lang: format_datetime(env, data["datetime"], lang_code=lang)),
    ("date", lambda env, data, lang: format_date(env, data["date"], lang_code=lang)),
    ("amount", _render_amount),
    ("list", lambda env, data, lang: ", ".join(str(render(env, i, lang)) for i in data["list"])),
    ("field", _render_label),
    ("id", _render_record),
)


def render(env, data, lang=None):
    """Return the text ``data`` (see ``freeze``) in ``lang`` (default: the
    language of ``env``); a ``Markup`` when the text holds markup."""
    if not isinstance(data, dict):
        return data
    lang = lang or env.lang or "en_US"
    for key, read in RENDERERS:
        if key in data:
            return read(env, data, lang)
    return str(data)


def render_html(env, data, lang=None):
    """Return the text ``data`` in ``lang`` as HTML (for a chatter body)."""
    text = render(env, data, lang)
    return text if isinstance(text, Markup) else escape(text)


def post_note(record, text, **kwargs):
    """Post ``text`` (a text of ``_lt``) in ``record``'s chatter; each reader reads
    it in their language (``mail.message.dunning_text``, see ``models/mail_message``).
    The stored body is in the language of the one who posts it (search, e-mail)."""
    data = freeze(text)
    return record.message_post(body=render_html(record.env, data), dunning_text=data, **kwargs)
