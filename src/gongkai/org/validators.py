"""Validation shared by forms and imports."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalize_phone(raw: str) -> str:
    """A Chinese mobile or landline number in a canonical form, or "" for an empty value."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, "CN")
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(_("%(phone)s is not a phone number.") % {"phone": text}) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("%(phone)s is not a valid phone number.") % {"phone": text})
    if number.country_code == 86:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL).replace(" ", "")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
