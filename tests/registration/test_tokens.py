"""Badge tokens: what a gate scanner accepts and what it refuses."""

from __future__ import annotations

import base64

import pytest
import segno
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from expo.registration import tokens
from expo.registration.tokens import BadgeClaims, TokenError

EVENT = 25


@pytest.fixture(scope="module")
def event_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def public_keys(event_key):
    return {1: event_key.public_key()}


@pytest.fixture(scope="module")
def claims() -> BadgeClaims:
    return BadgeClaims(event_id=EVENT, registration_id=4821, serial=2, key_id=1)


@pytest.fixture(scope="module")
def token(claims, event_key) -> str:
    return tokens.issue(claims, event_key)


def _payload(text: str) -> bytes:
    body = text[len(tokens.PREFIX) :]
    return base64.b32decode(body + "=" * (-len(body) % 8))


def _text(payload: bytes) -> str:
    return tokens.PREFIX + base64.b32encode(payload).decode().rstrip("=")


def _code(text: str, public_keys, event_id: int = EVENT) -> str:
    with pytest.raises(TokenError) as caught:
        tokens.verify(text, public_keys, event_id=event_id)
    return caught.value.code


def test_scanner_reads_back_the_claims_it_was_issued(token, public_keys, claims):
    assert tokens.verify(token, public_keys, event_id=EVENT) == claims


def test_token_text_is_upper_case_base32_after_the_prefix(token):
    assert token.startswith("EX1")
    assert set(token[3:]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def test_payload_layout_is_version_key_id_varints_then_signature(token, event_key):
    payload = _payload(token)
    # version 1, key 1, event 25, registration 4821 = 0xD5 0x25 as LEB128, serial 2
    assert payload[:-64] == bytes([1, 1, 25, 0xD5, 0x25, 2])
    event_key.public_key().verify(payload[-64:], payload[:-64])


def test_parse_returns_claims_signed_bytes_and_signature(token, claims):
    parsed, signed, signature = tokens.parse(token)
    assert parsed == claims
    assert signed + signature == _payload(token)
    assert len(signature) == 64


def test_lower_case_scan_is_accepted(token, public_keys, claims):
    assert tokens.verify(token.lower(), public_keys, event_id=EVENT) == claims


def test_trailing_newline_from_a_scanner_is_accepted(token, public_keys, claims):
    assert tokens.verify(token + "\n", public_keys, event_id=EVENT) == claims


def test_every_change_to_a_signed_byte_is_refused(token, public_keys):
    payload = _payload(token)
    signed_length = len(payload) - 64
    for position in range(signed_length):
        for value in range(256):
            if value == payload[position]:
                continue
            forged = bytearray(payload)
            forged[position] = value
            code = _code(_text(bytes(forged)), public_keys)
            try:
                claims, _, _ = tokens.parse(_text(bytes(forged)))
            except TokenError:
                continue  # malformed, already refused
            if claims.event_id == EVENT and claims.key_id == 1:
                assert code == "bad_signature", (position, value)
            else:
                # A changed event id or key id is refused before the signature is checked.
                assert code in {"wrong_event", "unknown_key"}, (position, value)


def test_every_flipped_signature_byte_is_a_bad_signature(token, public_keys):
    payload = _payload(token)
    for position in range(len(payload) - 64, len(payload)):
        forged = bytearray(payload)
        forged[position] ^= 0x01
        assert _code(_text(bytes(forged)), public_keys) == "bad_signature"


def test_badge_of_another_event_is_wrong_event(event_key, public_keys):
    other = tokens.issue(BadgeClaims(event_id=8, registration_id=1, serial=1, key_id=1), event_key)
    assert _code(other, public_keys) == "wrong_event"


def test_key_id_the_event_never_had_is_unknown_key(event_key, public_keys):
    rotated = tokens.issue(
        BadgeClaims(event_id=EVENT, registration_id=1, serial=1, key_id=7), event_key
    )
    assert _code(rotated, public_keys) == "unknown_key"


def test_badge_signed_by_someone_else_is_bad_signature(claims, public_keys):
    forged = tokens.issue(claims, Ed25519PrivateKey.generate())
    assert _code(forged, public_keys) == "bad_signature"


def test_old_serial_still_verifies_because_revocation_is_the_callers_check(
    event_key, public_keys
):
    old = BadgeClaims(event_id=EVENT, registration_id=4821, serial=1, key_id=1)
    assert tokens.verify(tokens.issue(old, event_key), public_keys, event_id=EVENT).serial == 1


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "EX1",
        "hello world",
        "https://example.org/badge/4821",
        "4821",
        "EX2AEAQZVJFAH4ZJZYK65R5WYGDBWN",
        "EX1AEAQZVJFAH4ZJZYK65R5WYG!BWN",
        "EX1" + "A" * 9,  # impossible base32 length
        "EX1" + "A" * 500,
        "EX1ÄEAQ",
    ],
)
def test_garbage_text_is_malformed(garbage, public_keys):
    assert _code(garbage, public_keys) == "malformed"


def test_truncated_token_is_malformed(token, public_keys):
    for cut in range(1, len(token) - 3):
        assert _code(token[:-cut], public_keys) == "malformed", cut


def test_non_zero_base32_pad_bits_are_malformed(event_key, public_keys):
    claims = BadgeClaims(event_id=EVENT, registration_id=400_000, serial=1, key_id=1)
    token = tokens.issue(claims, event_key)
    # 71 payload bytes = 568 bits in 114 characters = 570 bits: the last
    # character's two low bits must be zero, or two texts would name one badge.
    assert len(token) == 3 + 114
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    last = alphabet.index(token[-1])
    assert _code(token[:-1] + alphabet[last | 1], public_keys) == "malformed"


def test_unknown_format_version_is_malformed(token, public_keys):
    payload = bytearray(_payload(token))
    payload[0] = 2
    assert _code(_text(bytes(payload)), public_keys) == "malformed"


def test_varint_with_redundant_zero_byte_is_malformed(token, public_keys):
    payload = _payload(token)
    # event 25 written as 0x99 0x00: same number, second spelling.
    padded = payload[:2] + bytes([25 | 0x80, 0]) + payload[3:]
    assert _code(_text(padded), public_keys) == "malformed"


def test_extra_byte_before_the_signature_is_malformed(token, public_keys):
    payload = _payload(token)
    longer = payload[:-64] + b"\x00" + payload[-64:]
    assert _code(_text(longer), public_keys) == "malformed"


def test_varint_round_trips_at_every_length():
    for value in [0, 1, 127, 128, 300, 16383, 16384, 2**31, 2**53 - 1]:
        encoded = tokens._varint(value)
        assert tokens._read_varint(encoded, 0) == (value, len(encoded))
    assert tokens._varint(300) == bytes([0xAC, 0x02])


@pytest.mark.parametrize("bad", [-1, 2**53, True, 1.0])
def test_claims_refuse_ids_a_token_cannot_carry(bad):
    with pytest.raises(ValueError):
        BadgeClaims(event_id=bad, registration_id=1, serial=1, key_id=1)


def test_claims_refuse_key_id_beyond_one_byte():
    with pytest.raises(ValueError):
        BadgeClaims(event_id=1, registration_id=1, serial=1, key_id=256)


def test_largest_ids_fit_a_version_8_qr_at_level_m(event_key):
    largest = BadgeClaims(
        event_id=2**31, registration_id=2**31, serial=2**31, key_id=255
    )
    text = tokens.issue(largest, event_key)
    qr = segno.make(text, error="m", micro=False)
    assert qr.version <= 8
    assert qr.mode == "alphanumeric"


def test_typical_badge_fits_a_version_5_qr(token):
    assert segno.make(token, error="m", micro=False).version <= 5


def test_token_error_code_is_stable_and_readable(public_keys):
    with pytest.raises(TokenError) as caught:
        tokens.verify("nonsense", public_keys, event_id=EVENT)
    assert caught.value.code == "malformed"
    assert "malformed" in str(caught.value)
