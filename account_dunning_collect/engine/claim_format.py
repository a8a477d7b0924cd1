"""The data handed over to a collection agency, its three formats and their signature.

Plain Python, no Odoo import: the case model gathers a ``Claim`` and calls
these builders. A German agency's first letter must state the creditor, the
basis of the claim, the interest calculation and the costs (RDG §13a); the
claim therefore carries per invoice its number, dates, description,
principal, fees with dates, interest with rate, period and day-count
convention, and the dunning history, and the debtor's full address and
contact data.

Since version 1.1 each invoice also states its first day of default (BGB
§286) with its legal basis, as the letters stated it, and the date of its
first real reminder (``invoice_default``); each fee says what it is, and the
§288(5) flat fee says that it is credited against the collection costs
(§288(5) sentence 3) so that the agency does not claim both.

The JSON and XML formats follow ``data/schema/collection_claim.schema.json``
and ``data/schema/collection_claim.xsd``; the CSV has one row per invoice with
the columns of ``CSV_COLUMNS``. An update message (a payment the creditor
received directly, a recall) has the same shape with ``message_type`` set.
"""

import csv
import hashlib
import hmac
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from lxml import etree

from .claim_charges import FEE_DUNNING, FEE_FLAT, FEE_OPEN_REST
from .default import REASON_CALENDAR, REASON_REMINDER, REASON_THIRTY_DAYS
from .interest import ACT_365, DAY_COUNTS

# 1.1 adds to 1.0 (nothing removed or renamed, hence the namespace stays ``...:1``): per
# invoice the first day of default with its reason and legal basis and the first real
# reminder; per fee its kind and whether it is credited against collection costs; per
# interest period its day count. The CSV's new columns come after those of 1.0.
SCHEMA_VERSION = "1.1"
SCHEMA_DIR = Path(__file__).resolve().parent.parent / "data" / "schema"
MESSAGE_TYPES = ("handover", "update", "recall")
SIGNATURE_HEADER = "X-Dunning-Signature"
XML_NAMESPACE = "urn:account-dunning-collect:collection-claim:1"

CSV_COLUMNS = (
    "case_reference",
    "message_type",
    "handover_date",
    "currency",
    "creditor_name",
    "creditor_vat",
    "debtor_reference",
    "debtor_name",
    "debtor_is_company",
    "debtor_street",
    "debtor_zip",
    "debtor_city",
    "debtor_country",
    "debtor_email",
    "debtor_phone",
    "invoice_number",
    "invoice_date",
    "due_date",
    "description",
    "principal",
    "fees",
    "fees_detail",
    "interest",
    "interest_detail",
    "total",
    "dunning_history",
    "default_date",
    "default_reason",
    "default_legal_basis",
    "first_reminder_date",
    "fees_credited",
)
# The columns the CSV writes as numbers: left as they are (-12.50 stays a number).
CSV_AMOUNT_COLUMNS = frozenset({"principal", "fees", "interest", "total", "fees_credited"})
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, CSV injection).
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 does not allow (its Char production): the C0 controls but tab, line feed and
# carriage return, the surrogates, U+FFFE and U+FFFF. lxml refuses them with a bare ValueError.
XML_INVALID_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# why default began (the letter line's ``default_reason``) -> the provision, as the agency cites it
DEFAULT_LEGAL_BASES = {
    REASON_CALENDAR: "BGB 286(2) no. 1",
    REASON_REMINDER: "BGB 286(1)",
    REASON_THIRTY_DAYS: "BGB 286(3)",
}
FEE_KINDS = (FEE_DUNNING, FEE_FLAT, FEE_OPEN_REST)
# BGB §288(5) sentence 3: the flat fee is credited against damages owed for the costs of
# legal pursuit -- the agency's costs claimed from the debtor are reduced by it.
CREDITED_AGAINST_COLLECTION_COSTS = frozenset({FEE_FLAT})
CREDITED_NOTE = "credited against collection costs, BGB 288(5) sentence 3"


@dataclass(frozen=True)
class Party:
    """Creditor or debtor with the address and contact data an agency needs."""

    name: str
    street: str = ""
    street2: str = ""
    zip: str = ""
    city: str = ""
    country_code: str = ""
    email: str = ""
    phone: str = ""
    vat: str = ""
    reference: str = ""
    is_company: bool = True


@dataclass(frozen=True)
class Fee:
    """A cost charged to the debtor, e.g. a dunning fee, with the date it was charged.

    ``kind`` is one of ``FEE_KINDS`` (dunning fee, §288(5) flat fee, open rest of a
    partly paid charge invoice), None when not known (a case built before 1.1).
    """

    date: date
    description: str
    amount: Decimal
    kind: str | None = None

    def __post_init__(self):
        if self.kind is not None and self.kind not in FEE_KINDS:
            raise ValueError(f"unknown fee kind {self.kind!r}, expected one of {FEE_KINDS}")

    @property
    def credited_against_collection_costs(self) -> bool | None:
        """The flat fee is (BGB §288(5) sentence 3); None when the kind is not known."""
        if self.kind is None:
            return None
        return self.kind in CREDITED_AGAINST_COLLECTION_COSTS


@dataclass(frozen=True)
class Interest:
    """Default interest on a principal for a period at an annual rate (text, e.g. '10.27 %').

    ``day_count``: how the days were divided, ``act_365`` (by 365) or ``act_act`` (by 365
    or 366 by calendar year), as the letter charged it.
    """

    principal: Decimal
    rate: str
    date_from: date
    date_to: date
    days: int
    amount: Decimal
    day_count: str = ACT_365

    def __post_init__(self):
        if self.day_count not in DAY_COUNTS:
            raise ValueError(f"unknown day count {self.day_count!r}, expected one of {DAY_COUNTS}")


@dataclass(frozen=True)
class DunningEvent:
    """A dunning letter that concerned the invoice."""

    date: date
    level: str
    channel: str
    letter: str
    delivered: date | None = None  # the day it reached the debtor (e-mail sent, printed, call)


@dataclass(frozen=True)
class ReminderLine:
    """A line of a sent (not withdrawn) letter about one of the invoice's items."""

    date: date  # the letter's date
    delivered: date | None = None  # the day the letter reached the debtor; None: it did not
    overdue: bool = True  # the letter listed the item as overdue
    default_date: date | None = None  # the item's first day of default as the line states it
    default_reason: str | None = None  # why default began that day (DEFAULT_LEGAL_BASES)


@dataclass(frozen=True)
class InvoiceDefault:
    """An invoice's first day of default and its first real reminder (``invoice_default``)."""

    default_date: date | None = None
    default_reason: str | None = None
    first_reminder_date: date | None = None

    def __post_init__(self):
        if self.default_reason is not None and self.default_reason not in DEFAULT_LEGAL_BASES:
            raise ValueError(f"unknown default reason {self.default_reason!r}")
        if (self.default_date is None) != (self.default_reason is None):
            raise ValueError("a first day of default goes with its reason")

    @property
    def legal_basis(self) -> str | None:
        """The provision default rests on, e.g. 'BGB 286(3)'."""
        return DEFAULT_LEGAL_BASES.get(self.default_reason)


def invoice_default(lines) -> InvoiceDefault:
    """The first day of default of an invoice and its first real reminder, from ``lines``.

    ``lines`` are ``ReminderLine`` values of the sent, not withdrawn letters that listed
    the invoice's items. The first day of default is the earliest a line stated, with that
    line's reason (on a tie, the earlier letter's); None when no letter stated one.

    The first real reminder (Mahnung) is the first delivered letter listing the invoice
    as overdue that either put the debtor in default -- default by reminder (§286(1))
    and delivered before default began: the first such delivery -- or is dated on or
    after the first day of default. A payment reminder (Zahlungserinnerung) sent before
    default that did not cause it is none; without a stated default, no letter is known
    to be one. Its date is the letter's date.
    """
    stated = [line for line in lines if line.default_date is not None]
    if not stated:
        return InvoiceDefault()
    first = min(stated, key=lambda line: (line.default_date, line.date))
    default_date, reason = first.default_date, first.default_reason
    reminders = sorted(
        (line for line in lines if line.overdue and line.delivered is not None),
        key=lambda line: (line.delivered, line.date),
    )
    real = [line.date for line in reminders if line.date >= default_date]
    if reason == REASON_REMINDER and reminders and reminders[0].delivered < default_date:
        real.append(reminders[0].date)  # the reminder that put the debtor in default
    return InvoiceDefault(default_date, reason, min(real, default=None))


@dataclass(frozen=True)
class ClaimItem:
    """One invoice of the claim."""

    number: str
    invoice_date: date | None
    due_date: date | None
    description: str
    principal: Decimal
    fees: tuple[Fee, ...] = ()
    interest: tuple[Interest, ...] = ()
    history: tuple[DunningEvent, ...] = ()
    default: InvoiceDefault = field(default_factory=InvoiceDefault)

    @property
    def amount_fees(self) -> Decimal:
        return sum((fee.amount for fee in self.fees), Decimal(0))

    @property
    def amount_interest(self) -> Decimal:
        return sum((interest.amount for interest in self.interest), Decimal(0))

    @property
    def amount_total(self) -> Decimal:
        return self.principal + self.amount_fees + self.amount_interest


@dataclass(frozen=True)
class Payment:
    """A payment the creditor received directly while the case is open."""

    date: date
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class Claim:
    """What is handed over (or updated) for one debtor."""

    reference: str
    message_type: str
    handover_date: date
    currency: str
    creditor: Party
    debtor: Party
    items: tuple[ClaimItem, ...]
    payments: tuple[Payment, ...] = field(default=())

    @property
    def amount_principal(self) -> Decimal:
        return sum((item.principal for item in self.items), Decimal(0))

    @property
    def amount_fees(self) -> Decimal:
        return sum((item.amount_fees for item in self.items), Decimal(0))

    @property
    def amount_interest(self) -> Decimal:
        return sum((item.amount_interest for item in self.items), Decimal(0))

    @property
    def amount_total(self) -> Decimal:
        return self.amount_principal + self.amount_fees + self.amount_interest

    @property
    def amount_paid(self) -> Decimal:
        return sum((payment.amount for payment in self.payments), Decimal(0))


def _money(value: Decimal) -> str:
    return f"{Decimal(value):.2f}"


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _party(party: Party) -> dict:
    return {
        "name": party.name,
        "is_company": party.is_company,
        "reference": party.reference,
        "vat": party.vat,
        "address": {
            "street": party.street,
            "street2": party.street2,
            "zip": party.zip,
            "city": party.city,
            "country": party.country_code,
        },
        "email": party.email,
        "phone": party.phone,
    }


def claim_to_dict(claim: Claim) -> dict:
    """The claim as the JSON document of the schema (amounts as strings with two decimals)."""
    if claim.message_type not in MESSAGE_TYPES:
        raise ValueError(f"unknown message type {claim.message_type!r}")
    return {
        "schema_version": SCHEMA_VERSION,
        "message_type": claim.message_type,
        "case_reference": claim.reference,
        "handover_date": _day(claim.handover_date),
        "currency": claim.currency,
        "creditor": _party(claim.creditor),
        "debtor": _party(claim.debtor),
        "items": [
            {
                "invoice_number": item.number,
                "invoice_date": _day(item.invoice_date),
                "due_date": _day(item.due_date),
                "default_date": _day(item.default.default_date),
                "default_reason": item.default.default_reason,
                "default_legal_basis": item.default.legal_basis,
                "first_reminder_date": _day(item.default.first_reminder_date),
                "description": item.description,
                "principal": _money(item.principal),
                "fees": [
                    {
                        "date": _day(fee.date),
                        "description": fee.description,
                        "amount": _money(fee.amount),
                        "kind": fee.kind,
                        "credited_against_collection_costs": (
                            fee.credited_against_collection_costs
                        ),
                    }
                    for fee in item.fees
                ],
                "interest": [
                    {
                        "principal": _money(interest.principal),
                        "rate": interest.rate,
                        "date_from": _day(interest.date_from),
                        "date_to": _day(interest.date_to),
                        "days": interest.days,
                        "day_count": interest.day_count,
                        "amount": _money(interest.amount),
                    }
                    for interest in item.interest
                ],
                "total": _money(item.amount_total),
                "dunning_history": [
                    {
                        "date": _day(event.date),
                        "delivered": _day(event.delivered),
                        "level": event.level,
                        "channel": event.channel,
                        "letter": event.letter,
                    }
                    for event in item.history
                ],
            }
            for item in claim.items
        ],
        "payments": [
            {
                "date": _day(payment.date),
                "amount": _money(payment.amount),
                "reference": payment.reference,
            }
            for payment in claim.payments
        ],
        "totals": {
            "principal": _money(claim.amount_principal),
            "fees": _money(claim.amount_fees),
            "interest": _money(claim.amount_interest),
            "total": _money(claim.amount_total),
            "paid": _money(claim.amount_paid),
            "open": _money(claim.amount_total - claim.amount_paid),
        },
    }


def to_json(claim: Claim) -> bytes:
    """The claim as UTF-8 JSON."""
    return json.dumps(claim_to_dict(claim), ensure_ascii=False, indent=2).encode()


def csv_text(value: str) -> str:
    """A CSV text cell no spreadsheet runs as a formula: a quote before ``= + - @``, tab, CR."""
    return f"'{value}" if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS) else value


def xml_text(value):
    """``value`` (a text, or dicts and lists of texts) without what XML 1.0 does not allow."""
    if isinstance(value, str):
        return XML_INVALID_CHARACTERS.sub("", value)
    if isinstance(value, dict):
        return {key: xml_text(item) for key, item in value.items()}
    if isinstance(value, list):
        return [xml_text(item) for item in value]
    return value


def _xml_party(parent, tag, data):
    node = etree.SubElement(parent, tag, isCompany="true" if data["is_company"] else "false")
    for key in ("name", "reference", "vat"):
        etree.SubElement(node, key).text = data[key]
    address = etree.SubElement(node, "address")
    for key in ("street", "street2", "zip", "city", "country"):
        etree.SubElement(address, key).text = data["address"][key]
    for key in ("email", "phone"):
        etree.SubElement(node, key).text = data[key]


def to_xml(claim: Claim) -> bytes:
    """The claim as XML in the namespace of ``collection_claim.xsd``.

    Characters XML 1.0 does not allow (control characters pasted into a name)
    are left out of every text.
    """
    data = xml_text(claim_to_dict(claim))
    root = etree.Element(
        "claim",
        nsmap={None: XML_NAMESPACE},
        schemaVersion=data["schema_version"],
        messageType=data["message_type"],
    )
    etree.SubElement(root, "caseReference").text = data["case_reference"]
    etree.SubElement(root, "handoverDate").text = data["handover_date"]
    etree.SubElement(root, "currency").text = data["currency"]
    _xml_party(root, "creditor", data["creditor"])
    _xml_party(root, "debtor", data["debtor"])
    items = etree.SubElement(root, "items")
    for item in data["items"]:
        node = etree.SubElement(items, "item")
        etree.SubElement(node, "invoiceNumber").text = item["invoice_number"]
        if item["invoice_date"]:
            etree.SubElement(node, "invoiceDate").text = item["invoice_date"]
        if item["due_date"]:
            etree.SubElement(node, "dueDate").text = item["due_date"]
        if item["default_date"]:
            etree.SubElement(node, "defaultDate").text = item["default_date"]
            etree.SubElement(node, "defaultReason").text = item["default_reason"]
            etree.SubElement(node, "defaultLegalBasis").text = item["default_legal_basis"]
        if item["first_reminder_date"]:
            etree.SubElement(node, "firstReminderDate").text = item["first_reminder_date"]
        etree.SubElement(node, "description").text = item["description"]
        etree.SubElement(node, "principal").text = item["principal"]
        fees = etree.SubElement(node, "fees")
        for fee in item["fees"]:
            fee_node = etree.SubElement(fees, "fee")
            for key in ("date", "description", "amount"):
                etree.SubElement(fee_node, key).text = fee[key]
            if fee["kind"]:
                etree.SubElement(fee_node, "kind").text = fee["kind"]
                etree.SubElement(fee_node, "creditedAgainstCollectionCosts").text = (
                    "true" if fee["credited_against_collection_costs"] else "false"
                )
        interest_node = etree.SubElement(node, "interest")
        for interest in item["interest"]:
            period = etree.SubElement(interest_node, "period")
            etree.SubElement(period, "principal").text = interest["principal"]
            etree.SubElement(period, "rate").text = interest["rate"]
            etree.SubElement(period, "dateFrom").text = interest["date_from"]
            etree.SubElement(period, "dateTo").text = interest["date_to"]
            etree.SubElement(period, "days").text = str(interest["days"])
            etree.SubElement(period, "dayCount").text = interest["day_count"]
            etree.SubElement(period, "amount").text = interest["amount"]
        etree.SubElement(node, "total").text = item["total"]
        history = etree.SubElement(node, "dunningHistory")
        for event in item["dunning_history"]:
            event_node = etree.SubElement(history, "letter")
            etree.SubElement(event_node, "date").text = event["date"]
            if event["delivered"]:
                etree.SubElement(event_node, "delivered").text = event["delivered"]
            for key in ("level", "channel"):
                etree.SubElement(event_node, key).text = event[key]
            etree.SubElement(event_node, "number").text = event["letter"]
    payments = etree.SubElement(root, "payments")
    for payment in data["payments"]:
        payment_node = etree.SubElement(payments, "payment")
        for key in ("date", "amount", "reference"):
            etree.SubElement(payment_node, key).text = payment[key]
    totals = etree.SubElement(root, "totals")
    for key, value in data["totals"].items():
        etree.SubElement(totals, key).text = value
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def to_csv(claim: Claim) -> bytes:
    """The claim as CSV (UTF-8, comma, header row ``CSV_COLUMNS``), one row per invoice.

    A text cell that a spreadsheet would run as a formula starts with a quote
    (``csv_text``); the amounts of ``CSV_AMOUNT_COLUMNS`` stay numbers.
    """
    data = claim_to_dict(claim)
    rows = []
    creditor, debtor = data["creditor"], data["debtor"]
    for item in data["items"]:
        row = {
            "case_reference": data["case_reference"],
            "message_type": data["message_type"],
            "handover_date": data["handover_date"],
            "currency": data["currency"],
            "creditor_name": creditor["name"],
            "creditor_vat": creditor["vat"],
            "debtor_reference": debtor["reference"],
            "debtor_name": debtor["name"],
            "debtor_is_company": "1" if debtor["is_company"] else "0",
            "debtor_street": " ".join(
                filter(None, [debtor["address"]["street"], debtor["address"]["street2"]])
            ),
            "debtor_zip": debtor["address"]["zip"],
            "debtor_city": debtor["address"]["city"],
            "debtor_country": debtor["address"]["country"],
            "debtor_email": debtor["email"],
            "debtor_phone": debtor["phone"],
            "invoice_number": item["invoice_number"],
            "invoice_date": item["invoice_date"] or "",
            "due_date": item["due_date"] or "",
            "description": item["description"],
            "principal": item["principal"],
            "fees": _money(sum((Decimal(fee["amount"]) for fee in item["fees"]), Decimal(0))),
            "fees_detail": "; ".join(
                f"{fee['date']} {fee['description']} {fee['amount']}"
                + (f" ({CREDITED_NOTE})" if fee["credited_against_collection_costs"] else "")
                for fee in item["fees"]
            ),
            "interest": _money(sum((Decimal(i["amount"]) for i in item["interest"]), Decimal(0))),
            "interest_detail": "; ".join(
                f"{i['date_from']}..{i['date_to']} {i['days']} days {i['rate']} "
                f"{i['day_count']} on {i['principal']}: {i['amount']}"
                for i in item["interest"]
            ),
            "total": item["total"],
            "dunning_history": "; ".join(
                f"{e['date']} {e['level']} ({e['channel']}, {e['letter']}"
                + (f", delivered {e['delivered']})" if e["delivered"] else ")")
                for e in item["dunning_history"]
            ),
            "default_date": item["default_date"] or "",
            "default_reason": item["default_reason"] or "",
            "default_legal_basis": item["default_legal_basis"] or "",
            "first_reminder_date": item["first_reminder_date"] or "",
            "fees_credited": _money(
                sum(
                    (
                        Decimal(fee["amount"])
                        for fee in item["fees"]
                        if fee["credited_against_collection_costs"]
                    ),
                    Decimal(0),
                )
            ),
        }
        rows.append(
            [
                row[column] if column in CSV_AMOUNT_COLUMNS else csv_text(row[column])
                for column in CSV_COLUMNS
            ]
        )
    return "".join(_csv_lines([CSV_COLUMNS, *rows])).encode()


def _csv_lines(rows):
    """The CSV lines of ``rows``, each ending in LF; a cell with a CR or LF is quoted."""
    line = io.StringIO()
    # With a CRLF terminator the writer quotes a cell with a carriage return too (before
    # Python 3.13 it quotes only the terminator's characters: a bare CR split the row).
    writer = csv.writer(line, lineterminator="\r\n")
    for row in rows:
        line.seek(0)
        line.truncate()
        writer.writerow(row)
        yield line.getvalue()[:-2] + "\n"


def export(claim: Claim, export_format: str) -> tuple[bytes, str, str]:
    """Return (content, file extension, mimetype) of the claim in ``export_format``."""
    if export_format == "json":
        return to_json(claim), "json", "application/json"
    if export_format == "xml":
        return to_xml(claim), "xml", "application/xml"
    if export_format == "csv":
        return to_csv(claim), "csv", "text/csv"
    raise ValueError(f"unknown export format {export_format!r}")


def validate(content: bytes, export_format: str) -> None:
    """Check an export against the shipped JSON Schema or XSD; raise ValueError when invalid."""
    if export_format == "json":
        import jsonschema

        schema = json.loads((SCHEMA_DIR / "collection_claim.schema.json").read_text())
        try:
            jsonschema.validate(json.loads(content), schema)
        except jsonschema.ValidationError as error:
            path = "/".join(str(part) for part in error.absolute_path)
            raise ValueError(f"{path or 'document'}: {error.message}") from error
    elif export_format == "xml":
        schema = etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "collection_claim.xsd")))
        document = etree.fromstring(content)
        if not schema.validate(document):
            raise ValueError(str(schema.error_log.last_error))
    elif export_format == "csv":
        header = content.decode().split("\n", 1)[0]
        if tuple(header.split(",")) != CSV_COLUMNS:
            raise ValueError("the CSV header is not the documented column list")
    else:
        raise ValueError(f"unknown export format {export_format!r}")


def sign(payload: bytes, secret: str) -> str:
    """Value of the ``X-Dunning-Signature`` header: ``sha256=<hex HMAC of the body>``."""
    digest = hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(payload: bytes, secret: str, signature: str) -> bool:
    """True when ``signature`` (the header value) was made with ``secret`` over ``payload``."""
    return hmac.compare_digest(sign(payload, secret), signature or "")
