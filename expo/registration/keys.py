"""Per-event Ed25519 badge signing keys, kept as PEM files outside the repository.

Layout: ``<keys_dir>/event-<event_id>-k<key_id>.pem``, one unencrypted PKCS#8
PEM per key, mode 0600 in a 0700 directory. The highest key id present is the
current signing key; older keys stay so that badges printed before a rotation
still verify. Key ids start at 1 and fit the token's key-id byte (1..255).

Files are created atomically and exclusively: a key is written to a private
temporary file and then hard-linked to its final name, which fails if the name
exists. So two processes (gunicorn workers, an RQ worker, the CLI) that create
the same key at once end with one key, and nobody ever reads a half-written
file; the loser simply loads the winner's key.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Final

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

FIRST_KEY_ID: Final = 1
MAX_KEY_ID: Final = 255
_KEY_FILE = re.compile(r"event-(?P<event>\d+)-k(?P<kid>\d+)\.pem")


class KeyStoreError(RuntimeError):
    """The key directory or a key file cannot be trusted or used."""


class EventKeys:
    """One event's badge keys: the current signing key and every public key ever used.

    A snapshot of the key directory: a rotation made by another process is seen
    after calling ``load_or_create`` again.
    """

    def __init__(self, keys_dir: Path, event_id: int, keys: dict[int, Ed25519PrivateKey]):
        self._keys_dir = keys_dir
        self._event_id = event_id
        self._keys = dict(sorted(keys.items()))

    @property
    def event_id(self) -> int:
        return self._event_id

    @property
    def current_key_id(self) -> int:
        """The key id new badges are signed with (the highest one)."""
        return max(self._keys)

    def private_key(self, kid: int | None = None) -> Ed25519PrivateKey:
        """The signing key ``kid`` (default: the current one), for ``tokens.issue``."""
        kid = self.current_key_id if kid is None else kid
        try:
            return self._keys[kid]
        except KeyError:
            raise KeyError(f"event {self._event_id} has no key {kid}") from None

    def public_keys(self) -> dict[int, Ed25519PublicKey]:
        """Every key id's public key, for ``tokens.verify``."""
        return {kid: key.public_key() for kid, key in self._keys.items()}

    def public_keys_raw(self) -> dict[int, bytes]:
        """Every key id's 32-byte raw public key, as the API and the browser scanner need."""
        return {
            kid: key.public_key().public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            for kid, key in self._keys.items()
        }

    def rotate(self) -> int:
        """Add key id current+1 and make it current; old public keys stay for verification.

        If another process rotated at the same moment, its new key is adopted
        instead of adding a second one. Returns the new current key id.
        """
        kid = self.current_key_id + 1
        if kid > MAX_KEY_ID:
            raise KeyStoreError(f"event {self._event_id} has used all {MAX_KEY_ID} key ids")
        self._keys[kid] = _create_or_load(_key_path(self._keys_dir, self._event_id, kid))
        return kid

    def __repr__(self) -> str:
        # Never show key material, only where it lives.
        return (
            f"EventKeys(event_id={self._event_id}, key_ids={list(self._keys)}, "
            f"keys_dir={str(self._keys_dir)!r})"
        )


def load_or_create(keys_dir: Path, event_id: int) -> EventKeys:
    """Load an event's keys, generating key 1 the first time the event needs one."""
    if type(event_id) is not int or event_id < 0:
        raise ValueError(f"event_id must be a non-negative int, got {event_id!r}")
    keys_dir = Path(keys_dir)
    _ensure_private_dir(keys_dir)
    keys = {
        kid: _load(path) for kid, path in _existing_key_files(keys_dir, event_id).items()
    }
    if not keys:
        path = _key_path(keys_dir, event_id, FIRST_KEY_ID)
        keys[FIRST_KEY_ID] = _create_or_load(path)
    return EventKeys(keys_dir, event_id, keys)


def _key_path(keys_dir: Path, event_id: int, kid: int) -> Path:
    return keys_dir / f"event-{event_id}-k{kid}.pem"


def _existing_key_files(keys_dir: Path, event_id: int) -> dict[int, Path]:
    found: dict[int, Path] = {}
    for path in keys_dir.iterdir():
        match = _KEY_FILE.fullmatch(path.name)
        if match and int(match["event"]) == event_id:
            kid = int(match["kid"])
            if not FIRST_KEY_ID <= kid <= MAX_KEY_ID:
                raise KeyStoreError(f"{path}: key id outside {FIRST_KEY_ID}..{MAX_KEY_ID}")
            found[kid] = path
    return found


def _ensure_private_dir(keys_dir: Path) -> None:
    """Create the directory as 0700; an existing one is left as the operator set it."""
    try:
        keys_dir.mkdir(mode=0o700, parents=True)
    except FileExistsError:
        if not keys_dir.is_dir():
            raise KeyStoreError(f"{keys_dir} exists and is not a directory") from None
        return
    # mkdir's mode is filtered by the umask; make sure it is exactly 0700.
    keys_dir.chmod(0o700)


def _create_or_load(path: Path) -> Ed25519PrivateKey:
    """Write a fresh key to ``path`` unless it exists; either way return the key in it."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # mkstemp creates the file 0600, so the key is never readable by others.
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as tmp:
            tmp.write(pem)
            tmp.flush()
            os.fsync(tmp.fileno())
        try:
            # link() is the atomic "create only if absent" of a complete file.
            os.link(tmp_name, path)
        except FileExistsError:
            return _load(path)
    finally:
        os.unlink(tmp_name)
    _fsync_dir(path.parent)
    return key


def _load(path: Path) -> Ed25519PrivateKey:
    """Read one key file, refusing one that group or others could read."""
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyStoreError(f"{path} is accessible by others (mode {mode & 0o777:o}); chmod 600")
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyStoreError(f"{path} does not hold an Ed25519 private key")
    return key


def _fsync_dir(directory: Path) -> None:
    """Make the new file name durable, so a crash cannot lose a key already used to sign."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
