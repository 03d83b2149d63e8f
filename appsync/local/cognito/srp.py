"""SRP-6a the way Cognito runs USER_SRP_AUTH (server side): the 3072-bit group, k = H(N | PAD(g)), the
verifier v = g^x with x = H(salt | H(<pool name><user>:<password>)), and the HKDF key that signs the
PASSWORD_VERIFIER claim."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# RFC 5054's 3072-bit group, as Cognito and its clients (amplify-js, pycognito) use it.
N = int(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    16,
)
G = 2
INFO = b"Caldera Derived Key"


def pad_hex(value: int) -> str:
    """The clients' padding: an even number of hex digits, and a leading 00 when the top bit is set."""
    text = f"{value:x}"
    if len(text) % 2:
        return "0" + text
    return "00" + text if text[0] in "89abcdef" else text


def _hash_hex(hex_text: str) -> int:
    return int(hashlib.sha256(bytes.fromhex(hex_text)).hexdigest(), 16)


K = _hash_hex(pad_hex(N) + pad_hex(G))


def private_x(pool_name: str, user_id: str, password: str, salt: int) -> int:
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    return _hash_hex(pad_hex(salt) + inner)


@dataclass(frozen=True)
class Verifier:
    """What the pool keeps of a password for SRP: the salt and v = g^x mod N (never the password)."""

    salt: int
    verifier: int

    @classmethod
    def make(cls, pool_name: str, user_id: str, password: str) -> Verifier:
        # 16 random bytes with the top one non-zero, so the salt's hex form has no leading zeros a client drops.
        salt = int.from_bytes(bytes([secrets.randbelow(255) + 1]) + secrets.token_bytes(15), "big")
        return cls(salt, pow(G, private_x(pool_name, user_id, password, salt), N))


@dataclass(frozen=True)
class ServerSession:
    """The server's half of one sign-in: its secret b and public B for the client's A."""

    big_a: int
    small_b: int
    big_b: int

    @classmethod
    def start(cls, big_a: int, verifier: int) -> ServerSession:
        if big_a % N == 0:
            raise ValueError("SRP_A is not valid")
        small_b = secrets.randbits(1024) % N
        big_b = (K * verifier + pow(G, small_b, N)) % N
        return cls(big_a, small_b, big_b)

    def key(self, verifier: int) -> bytes:
        """The 16-byte HKDF key both sides derive from the shared secret S."""
        u = _hash_hex(pad_hex(self.big_a) + pad_hex(self.big_b))
        if u == 0:
            raise ValueError("SRP u is zero")
        shared = pow(self.big_a * pow(verifier, u, N), self.small_b, N)
        hkdf = HKDF(algorithm=hashes.SHA256(), length=16, salt=bytes.fromhex(pad_hex(u)), info=INFO)
        return hkdf.derive(bytes.fromhex(pad_hex(shared)))


def claim_signature(key: bytes, pool_name: str, user_id: str, secret_block: str, timestamp: str) -> str:
    """PASSWORD_CLAIM_SIGNATURE: HMAC-SHA256 over the pool name, the user, the secret block and the timestamp."""
    message = pool_name.encode() + user_id.encode() + base64.b64decode(secret_block) + timestamp.encode()
    return base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
