"""Receipts of anonymous cases, in the manner of whistle-blowing platforms.

The raiser of an anonymous case gets a random 16-digit receipt, shown once. With it they read the replies and
rate them later; nothing else links them to the case. Only a slow hash of the receipt is stored: scrypt
(n=2**14, r=8, p=1) with a site-wide salt derived from SECRET_KEY by HMAC, so that the hash is deterministic and
a lookup is one indexed equality, while a stolen table alone does not give the receipts back cheaply (and not at
all without the secret key). Changing SECRET_KEY makes existing receipts unreadable.

Guessing is limited per client, keyed by its network address (not by a session key, which a guesser simply
drops): after `GONGKAI_RECEIPT_ATTEMPTS` wrong receipts within `GONGKAI_RECEIPT_WINDOW` seconds, every lookup
from that client is refused until the window has passed. The counter lives in Django's cache: configure a shared
cache (database or Redis) when several processes serve the site, or each process counts on its own. The address
is used only as a cache key (hashed) and never stored with a case.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import Case

DIGITS = 16
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1


def new_receipt() -> str:
    """A fresh random receipt: 16 decimal digits (about 53 bits)."""
    return "".join(secrets.choice("0123456789") for _ in range(DIGITS))


def normalise(receipt: str) -> str:
    """The digits of a receipt as typed (spaces and dashes between groups are allowed)."""
    return "".join(ch for ch in (receipt or "") if not ch.isspace() and ch != "-")


def display(receipt: str) -> str:
    """A receipt in groups of four, the way it is shown to the raiser: 1234 5678 9012 3456."""
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


def _salt() -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), b"gongkai.cases.receipt", hashlib.sha256).digest()


def receipt_hash(receipt: str) -> str:
    """The stored form of a receipt (64 hex digits)."""
    digest = hashlib.scrypt(
        normalise(receipt).encode(),
        salt=_salt(),
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=64 * 1024 * 1024,
        dklen=32,
    )
    return digest.hex()


def is_well_formed(receipt: str) -> bool:
    digits = normalise(receipt)
    return len(digits) == DIGITS and digits.isascii() and digits.isdigit()


def _counter_key(client_key: str) -> str:
    return "cases.receipt.fail." + hashlib.sha256(client_key.encode()).hexdigest()


def _limit() -> int:
    return int(getattr(settings, "GONGKAI_RECEIPT_ATTEMPTS", 5))


def _window() -> int:
    return int(getattr(settings, "GONGKAI_RECEIPT_WINDOW", 600))


def is_locked_out(client_key: str) -> bool:
    return int(cache.get(_counter_key(client_key), 0)) >= _limit()


def count_failure(client_key: str) -> None:
    key = _counter_key(client_key)
    if cache.add(key, 1, timeout=_window()):
        return
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=_window())


def rate_limited() -> ValidationError:
    minutes = max(1, _window() // 60)
    return ValidationError(
        _("Too many wrong receipts. For your safety, try again in %(minutes)s minutes.")
        % {"minutes": minutes},
        code="rate_limited",
    )


def check_receipt(case: Case, receipt: str) -> bool:
    """True if `receipt` is the receipt of `case` (for actions given a case and a receipt)."""
    if not case.receipt_hash or not is_well_formed(receipt):
        return False
    return hmac.compare_digest(case.receipt_hash, receipt_hash(receipt))


def case_by_receipt(receipt: str, *, client_key: str) -> Case:
    """The case that this receipt opens, or a ValidationError: unknown receipt, or too many wrong receipts from
    this client (then even a right one is refused until the window has passed, so guessing cannot go on)."""
    if is_locked_out(client_key):
        raise rate_limited()
    case = None
    if is_well_formed(receipt):
        case = (
            Case.objects.select_related("unit", "merged_into")
            .filter(receipt_hash=receipt_hash(receipt))
            .first()
        )
    if case is None:
        count_failure(client_key)
        raise ValidationError(
            _("No case has this receipt. Check the 16 digits and try again."), code="unknown_receipt"
        )
    return case
