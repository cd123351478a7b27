"""Masking of personal data (names, phones, ID numbers, addresses) for lists, exports and public pages.

Masking is the default; showing the full value is an explicit, audited decision made elsewhere.
"""

from __future__ import annotations

import re

_PHONE_RE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE_RE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")
_ID_RE = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_name(name: str) -> str:
    """张三丰 → 张**; a single character stays as it is only if it is all there is."""
    name = name.strip()
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; other numbers keep their first 3 and last 2 characters."""
    phone = phone.strip()
    if not phone:
        return ""
    if len(phone) == 11 and phone.isdigit():
        return f"{phone[:3]}****{phone[7:]}"
    if len(phone) <= 5:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 5) + phone[-2:]


def mask_id_number(number: str) -> str:
    """An 18-character resident ID keeps its first 6 and last 4 characters."""
    number = number.strip()
    if len(number) <= 10:
        return "*" * len(number)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_address(address: str) -> str:
    """Keep the coarse part (up to the village/road) and hide house numbers and the rest."""
    address = address.strip()
    if not address:
        return ""
    keep = max(2, min(len(address) // 2, 8))
    return address[:keep] + "****"


def mask_email(email: str) -> str:
    """The first letter and the domain: z***@example.cn."""
    if not email:
        return ""
    local, _sep, domain = email.strip().partition("@")
    return f"{local[:1]}***@{domain}" if domain else mask_name(email)


def mask_text(text: str) -> str:
    """Mask phone numbers and ID numbers written inside free text."""
    text = _ID_RE.sub(lambda m: m.group(1) + "********" + m.group(3), text)
    text = _PHONE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    return _LANDLINE_RE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
