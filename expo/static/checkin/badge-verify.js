// Verify expo badge tokens ("EX1" + base32 payload, Ed25519) in the browser, offline.
// Written from the format text in expo/registration/tokens.py; keep the two in step.
const PREFIX = "EX1";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SIG = 64;
const MAX_VARINT = 8;
const MAX_PAYLOAD = 2 + 3 * MAX_VARINT + SIG;
const MIN_PAYLOAD = 2 + 3 + SIG;

export class TokenError extends Error {
  constructor(code, detail) { super(code + ": " + detail); this.code = code; this.detail = detail; }
}

export function base32Encode(bytes) {
  let out = "", bits = 0, value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte; bits += 8;
    while (bits >= 5) { out += ALPHABET[(value >>> (bits - 5)) & 31]; bits -= 5; }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

function base32Decode(text) {
  const out = []; let bits = 0, value = 0;
  for (const ch of text) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new TokenError("malformed", "not base32");
    value = (value << 5) | v; bits += 5;
    if (bits >= 8) { out.push((value >>> (bits - 8)) & 255); bits -= 8; }
    value &= (1 << bits) - 1;
  }
  const bytes = Uint8Array.from(out);
  // One payload has exactly one text: no stray pad bits, no impossible lengths.
  if (base32Encode(bytes) !== text) throw new TokenError("malformed", "non-canonical base32");
  return bytes;
}

function readVarint(data, offset) {
  let value = 0;
  for (let i = 0; i < MAX_VARINT; i++) {
    if (offset + i >= data.length) throw new TokenError("malformed", "truncated varint");
    const byte = data[offset + i];
    value += (byte & 0x7f) * 2 ** (7 * i);  // no bit operators: values reach 2**53-1
    if (!(byte & 0x80)) {
      if (byte === 0 && i > 0) throw new TokenError("malformed", "redundant zero bytes");
      if (value > Number.MAX_SAFE_INTEGER) throw new TokenError("malformed", "varint above 2**53-1");
      return [value, offset + i + 1];
    }
  }
  throw new TokenError("malformed", "varint longer than 8 bytes");
}

export function parseToken(text) {
  if (typeof text !== "string") throw new TokenError("malformed", "not text");
  const cleaned = text.trim().toUpperCase();
  if (cleaned.length > PREFIX.length + Math.ceil(MAX_PAYLOAD * 8 / 5)) throw new TokenError("malformed", "too long");
  if (!cleaned.startsWith(PREFIX)) throw new TokenError("malformed", "missing EX1 prefix");
  const payload = base32Decode(cleaned.slice(PREFIX.length));
  if (payload.length < MIN_PAYLOAD || payload.length > MAX_PAYLOAD) throw new TokenError("malformed", "wrong length");
  const signed = payload.slice(0, payload.length - SIG), signature = payload.slice(payload.length - SIG);
  if (signed[0] !== 1) throw new TokenError("malformed", "unknown version");
  const keyId = signed[1];
  let offset = 2, eventId, registrationId, serial;
  [eventId, offset] = readVarint(signed, offset);
  [registrationId, offset] = readVarint(signed, offset);
  [serial, offset] = readVarint(signed, offset);
  if (offset !== signed.length) throw new TokenError("malformed", "bytes left before the signature");
  return { claims: { eventId, registrationId, serial, keyId }, signed, signature };
}

let noble = null;
async function ed25519Verify(rawKey, signature, message) {
  let key = null;
  try {
    key = await crypto.subtle.importKey("raw", rawKey, { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    // Browsers without WebCrypto Ed25519 use the vendored, audited @noble/ed25519.
    if (error && error.name === "DataError") return false;
  }
  if (key) return crypto.subtle.verify({ name: "Ed25519" }, key, signature, message);
  noble = noble || await import("/static/vendor/noble-ed25519/index.js");
  try { return await noble.verifyAsync(signature, message, rawKey); } catch (e) { return false; }
}

// keys: {kid: Uint8Array(32)}. Returns the claims of a genuine badge of eventId, or throws.
export async function verifyToken(text, keys, eventId) {
  const { claims, signed, signature } = parseToken(text);
  if (claims.eventId !== eventId) throw new TokenError("wrong_event", "badge of another event");
  const key = keys[claims.keyId];
  if (!key) throw new TokenError("unknown_key", "no key " + claims.keyId);
  if (!(await ed25519Verify(key, signature, signed))) throw new TokenError("bad_signature", "signature does not match");
  return claims;
}

export const REASONS = {
  wrong_event: "This badge is for another event.",
  bad_signature: "This badge is not genuine (signature does not match).",
  unknown_key: "This badge was signed with a key this event does not know.",
  malformed: "This is not an expo badge code.",
};

export function keysFromBundle(bundle) {
  const keys = {};
  for (const [kid, b64] of Object.entries(bundle.keys)) {
    keys[Number(kid)] = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  }
  return keys;
}
