"""Compact Ed25519-signed badge tokens: the text inside a badge's QR code.

A badge token names one badge (event, registration, badge serial) and carries
the event's Ed25519 signature, so a scanner that holds only the event's public
keys can tell a genuine badge from a forged one, offline.

Format "EX1", version 1 (the browser verifier is written from this text)
========================================================================

Text form::

    token_text = "EX1" + BASE32(payload)

* "EX1" is a fixed ASCII prefix.
* BASE32 is RFC 4648 section 6 with the standard alphabet
  ``ABCDEFGHIJKLMNOPQRSTUVWXYZ234567`` (value 0 = "A" ... 25 = "Z",
  26 = "2" ... 31 = "7"), upper case, WITHOUT "=" padding. Bits are taken
  most significant first, 5 at a time; the last character carries the
  remaining bits in its high end, low end zero-filled.
* Every character of the text is in the QR alphanumeric set, so encoders can
  use alphanumeric mode (5.5 bits per character instead of 8).

Readers MUST accept the text case-insensitively (some scanners change case)
and MAY strip surrounding whitespace (some scanners add a newline). After
upper-casing, a reader MUST reject the text unless re-encoding the decoded
payload gives back exactly the same characters: this forbids non-zero pad
bits and impossible lengths, so one payload has exactly one text.

Payload bytes::

    offset  size  field
    0       1     format version, 0x01
    1       1     key id, 0..255: which of the event's keys signed
    2       v     event_id         unsigned LEB128 varint
    .       v     registration_id  unsigned LEB128 varint
    .       v     serial           unsigned LEB128 varint (badge serial)
    end-64  64    Ed25519 signature (RFC 8032, pure Ed25519, no pre-hash,
                  no context) over ALL preceding bytes, i.e. payload[0:-64]

* Unsigned LEB128: the value is split into 7-bit groups, least significant
  group first; each group is one byte, with bit 0x80 set on every byte except
  the last. Example: 300 = 0b10_0101100 -> bytes 0xAC 0x02.
* Canonical form is required: a varint is at most 8 bytes, its value is at most
  2**53 - 1 (JavaScript's Number.MAX_SAFE_INTEGER, so a verifier can use plain
  Numbers), and a multi-byte varint never ends in 0x00 (no redundant zeros).
* The three varints MUST end exactly where the last 64 bytes (the signature)
  begin; anything else is malformed. So a payload is at least 69 bytes.

Verification, in this order (the first failure is the answer):

1. "malformed": wrong prefix, bad base32, non-canonical text, unknown
   version, truncated or non-canonical varint, wrong length.
2. "wrong_event": event_id differs from the event being checked in. This is
   decided BEFORE the signature because a scanner holds only its own event's
   keys; the answer tells gate staff "this badge is for another event", it is
   NOT proof that the badge is genuine.
3. "unknown_key": no public key with this key id for the event.
4. "bad_signature": Ed25519 verification of payload[0:-64] fails.

Revocation is NOT decided here: a lost badge is revoked by bumping the
registration's badge serial, so the caller compares ``claims.serial`` with the
current serial (from the database or the offline bundle) after ``verify``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Final, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

PREFIX: Final = "EX1"
FORMAT_VERSION: Final = 1
SIGNATURE_SIZE: Final = 64
MAX_KEY_ID: Final = 255
# JavaScript's Number.MAX_SAFE_INTEGER: a browser verifier needs no BigInt.
MAX_ID: Final = 2**53 - 1
_MAX_VARINT_BYTES: Final = 8
# Version, key id and three varints of at most 8 bytes each, then the signature.
_MAX_PAYLOAD: Final = 2 + 3 * _MAX_VARINT_BYTES + SIGNATURE_SIZE
_MIN_PAYLOAD: Final = 2 + 3 + SIGNATURE_SIZE
# Longest text a valid payload can give; longer input is refused before decoding.
_MAX_TEXT: Final = len(PREFIX) + -(-_MAX_PAYLOAD * 8 // 5)

TokenErrorCode = Literal["malformed", "unknown_key", "bad_signature", "wrong_event"]


class TokenError(ValueError):
    """A scanned text is not a valid badge for this event; ``code`` is stable for APIs."""

    def __init__(self, code: TokenErrorCode, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code: TokenErrorCode = code
        self.detail = detail


@dataclass(frozen=True)
class BadgeClaims:
    """What a badge token asserts: this badge of this registration at this event."""

    event_id: int
    registration_id: int
    serial: int
    key_id: int

    def __post_init__(self) -> None:
        for name in ("event_id", "registration_id", "serial"):
            value = getattr(self, name)
            if type(value) is not int or not 0 <= value <= MAX_ID:
                raise ValueError(f"{name} must be an int in 0..2**53-1, got {value!r}")
        if type(self.key_id) is not int or not 0 <= self.key_id <= MAX_KEY_ID:
            raise ValueError(f"key_id must be an int in 0..255, got {self.key_id!r}")


def issue(claims: BadgeClaims, private_key: Ed25519PrivateKey) -> str:
    """Sign the claims with the event key whose id is ``claims.key_id``; return the QR text."""
    signed = _signed_bytes(claims)
    return PREFIX + _b32encode(signed + private_key.sign(signed))


def parse(text: str) -> tuple[BadgeClaims, bytes, bytes]:
    """Decode a token without checking its signature: (claims, signed bytes, signature).

    Raises TokenError("malformed") for anything that is not a canonical token.
    """
    payload = _decode_text(text)
    if len(payload) < _MIN_PAYLOAD or len(payload) > _MAX_PAYLOAD:
        raise TokenError("malformed", f"payload of {len(payload)} bytes")
    signed, signature = payload[:-SIGNATURE_SIZE], payload[-SIGNATURE_SIZE:]
    if signed[0] != FORMAT_VERSION:
        raise TokenError("malformed", f"unknown format version {signed[0]}")
    key_id = signed[1]
    event_id, offset = _read_varint(signed, 2)
    registration_id, offset = _read_varint(signed, offset)
    serial, offset = _read_varint(signed, offset)
    if offset != len(signed):
        raise TokenError("malformed", "bytes left between the ids and the signature")
    claims = BadgeClaims(
        event_id=event_id, registration_id=registration_id, serial=serial, key_id=key_id
    )
    return claims, signed, signature


def verify(
    text: str, public_keys: dict[int, Ed25519PublicKey], *, event_id: int
) -> BadgeClaims:
    """Return the claims of a genuine badge of ``event_id``, or raise TokenError.

    The caller still has to compare ``claims.serial`` with the registration's
    current badge serial: an older serial means the badge was revoked.
    """
    claims, signed, signature = parse(text)
    if claims.event_id != event_id:
        raise TokenError("wrong_event", f"badge of event {claims.event_id}, not {event_id}")
    public_key = public_keys.get(claims.key_id)
    if public_key is None:
        raise TokenError("unknown_key", f"no key {claims.key_id} for event {event_id}")
    try:
        public_key.verify(signature, signed)
    except InvalidSignature:
        raise TokenError("bad_signature", "signature does not match") from None
    return claims


def _signed_bytes(claims: BadgeClaims) -> bytes:
    """The payload without its signature: exactly what Ed25519 signs."""
    return b"".join(
        (
            bytes((FORMAT_VERSION, claims.key_id)),
            _varint(claims.event_id),
            _varint(claims.registration_id),
            _varint(claims.serial),
        )
    )


def _varint(value: int) -> bytes:
    """Unsigned LEB128: small ids (the usual case) take one or two bytes."""
    out = bytearray()
    while True:
        group, value = value & 0x7F, value >> 7
        if value:
            out.append(group | 0x80)
        else:
            out.append(group)
            return bytes(out)


def _read_varint(data: bytes, offset: int) -> tuple[int, int]:
    """Read one canonical LEB128 varint at ``offset``; return (value, next offset)."""
    value = 0
    for index in range(_MAX_VARINT_BYTES):
        if offset + index >= len(data):
            raise TokenError("malformed", "truncated varint")
        byte = data[offset + index]
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            if byte == 0 and index > 0:
                raise TokenError("malformed", "varint with redundant zero bytes")
            if value > MAX_ID:
                raise TokenError("malformed", "varint above 2**53-1")
            return value, offset + index + 1
    raise TokenError("malformed", "varint longer than 8 bytes")


def _b32encode(data: bytes) -> str:
    return base64.b32encode(data).decode("ascii").rstrip("=")


def _decode_text(text: str) -> bytes:
    """Undo the text encoding; refuse anything but the one canonical spelling."""
    if not isinstance(text, str):
        raise TokenError("malformed", "token is not text")
    cleaned = text.strip().upper()
    if len(cleaned) > _MAX_TEXT:
        raise TokenError("malformed", "token too long")
    if not cleaned.startswith(PREFIX):
        raise TokenError("malformed", "missing EX1 prefix")
    body = cleaned[len(PREFIX) :]
    if not body.isascii():
        raise TokenError("malformed", "non-ASCII characters")
    try:
        payload = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise TokenError("malformed", "not base32") from None
    if _b32encode(payload) != body:
        raise TokenError("malformed", "non-canonical base32")
    return payload
