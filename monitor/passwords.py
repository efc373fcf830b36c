"""Password hashing with scrypt (memory-hard, standard library), encoded as `scrypt$n$r$p$salt$hash`."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

SCHEME = "scrypt"
DEFAULT_N, DEFAULT_R, DEFAULT_P = 2**15, 8, 1
SALT_BYTES, KEY_BYTES = 16, 32
MAX_N, MAX_R, MAX_P = 2**20, 32, 16
MAX_PASSWORD_BYTES = 1024


class BadHash(ValueError):
    """A stored hash that is not in the `scrypt$n$r$p$salt$hash` form (the message never quotes it)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        raise ValueError(f"password longer than {MAX_PASSWORD_BYTES} bytes")
    return hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r, p), dklen=KEY_BYTES)


def _maxmem(n: int, r: int, p: int) -> int:
    """The memory scrypt needs for these costs, with headroom (OpenSSL's default cap is 32 MiB)."""
    return 128 * r * (n + p + 2) + 2**20


def hash_password(password: str, n: int = DEFAULT_N, r: int = DEFAULT_R, p: int = DEFAULT_P) -> str:
    """Hash a password with a fresh random salt."""
    if not password:
        raise ValueError("empty password")
    salt = os.urandom(SALT_BYTES)
    return f"{SCHEME}${n}${r}${p}${_b64(salt)}${_b64(_derive(password, salt, n, r, p))}"


def parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    """Split and check an encoded hash: (n, r, p, salt, key); BadHash says what is wrong."""
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise BadHash("expected the form scrypt$n$r$p$salt$hash (make one with `run_monitor.py hash-password`)")
    try:
        n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt, key = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        raise BadHash("n, r and p must be integers and salt and hash base64") from None
    if n < 2 or n > MAX_N or n & (n - 1) or not 1 <= r <= MAX_R or not 1 <= p <= MAX_P:
        raise BadHash(f"scrypt cost out of range (n a power of two up to {MAX_N}, r up to {MAX_R}, p up to {MAX_P})")
    if len(salt) < 8 or len(key) < 16:
        raise BadHash("salt or hash too short")
    return n, r, p, salt, key


def verify_password(password: str, encoded: str) -> bool:
    """True when the password matches the encoded hash (constant-time comparison)."""
    n, r, p, salt, key = parse_hash(encoded)
    data = password.encode("utf-8")
    if len(data) > MAX_PASSWORD_BYTES:
        return False
    derived = hashlib.scrypt(data, salt=salt, n=n, r=r, p=p, maxmem=_maxmem(n, r, p), dklen=len(key))
    return hmac.compare_digest(derived, key)
