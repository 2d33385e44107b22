"""Validation shared by forms and imports."""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_EXTENSION = re.compile(r"\s*(转|轉|分机|分機|ext\.?|x)\s*(\d+)\s*$", re.IGNORECASE)


def canonical_phone(text: str) -> str:
    """A Chinese mobile or landline number in a canonical form; ValueError if it is not one.

    Mobiles become 11 digits ("13800138000"), landlines "0AREA-NUMBER" ("010-12345678"), with "-EXT" if any.
    """
    text = unicodedata.normalize("NFKC", text).strip()
    extension = ""
    match = _EXTENSION.search(text)
    if match:
        extension, text = match.group(2), text[: match.start()]
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValueError(text) from exc
    if number.country_code != 86 and not phonenumbers.is_valid_number(number):
        raise ValueError(text)
    kind = phonenumbers.number_type(number)  # UNKNOWN for an invalid Chinese number
    nsn = phonenumbers.national_significant_number(number)
    if number.country_code != 86:
        result = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    elif kind == phonenumbers.PhoneNumberType.MOBILE:
        result = nsn
    elif kind in (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        area = phonenumbers.length_of_geographical_area_code(number)
        result = f"0{nsn[:area]}-{nsn[area:]}" if area else nsn
    else:
        raise ValueError(text)
    extension = extension or (number.extension or "")
    return f"{result}-{extension}" if extension else result


def normalize_phone(raw: str) -> str:
    """For forms: the canonical phone number, "" for an empty value, or a ValidationError a clerk understands."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        return canonical_phone(text)
    except ValueError as exc:
        raise ValidationError(_("%(phone)s is not a valid phone number.") % {"phone": text}) from exc
