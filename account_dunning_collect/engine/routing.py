"""How a planned letter goes out: its channel, and whether it waits for approval.

Rules:

* a letter by e-mail (or e-mail and post) to a customer without an e-mail
  address goes by post instead;
* a letter by post to a customer without a complete postal address (street,
  ZIP and city, from the invoice contact or else the customer) waits for
  approval: a letter is never silently lost;
* otherwise it waits for approval when the policy, the level or the company
  asks for it, and is sent at once when nothing does.
"""

from __future__ import annotations

from dataclasses import dataclass

EMAIL_CHANNELS = ("email", "email_letter")
POST = "letter"

# why a letter's route differs from its level's, or why it waits
REASON_NO_EMAIL = "no_email"
REASON_NO_ADDRESS = "no_address"
REASON_APPROVAL = "approval_required"


@dataclass(frozen=True)
class LetterRoute:
    channel: str
    needs_approval: bool
    reasons: tuple[str, ...] = ()


def has_postal_address(contact: tuple, customer: tuple) -> bool:
    """Street, ZIP and city, each from the contact or else the customer.

    Both are ``(street, zip, city)`` tuples (empty values: falsy).
    """
    return all(own or fallback for own, fallback in zip(contact, customer, strict=True))


def route_letter(
    channel: str, has_email: bool, has_address: bool, approval_required: bool
) -> LetterRoute:
    """The channel a letter of a level with ``channel`` takes, and whether it waits."""
    reasons = []
    if channel in EMAIL_CHANNELS and not has_email:
        channel = POST
        reasons.append(REASON_NO_EMAIL)
    if channel == POST and not has_address:
        reasons.append(REASON_NO_ADDRESS)
        return LetterRoute(channel, True, tuple(reasons))
    if approval_required:
        reasons.append(REASON_APPROVAL)
        return LetterRoute(channel, True, tuple(reasons))
    return LetterRoute(channel, False, tuple(reasons))
