"""JWT verification: the configured algorithm only, every claim checked."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from apex_gateway.auth import TokenVerifier, Unauthorized, mint_token
from apex_runtime.settings import Settings

SECRET = "test-secret-of-reasonable-length-0123456789"


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base = {
        "sub": "ada",
        "account": "acme",
        "roles": ["engineer"],
        "iss": "apex",
        "aud": "apex-api",
        "iat": now,
        "nbf": now,
        "exp": now + 300,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def hs_settings() -> Settings:
    return Settings(jwt_secret=SECRET)


def public_pem(private: Any) -> str:
    return (
        private.public_key()
        .public_bytes(  # type: ignore[no-any-return]
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )


def test_a_valid_hs256_token_gives_its_principal() -> None:
    principal = TokenVerifier(hs_settings()).verify(jwt.encode(claims(), SECRET, "HS256"))
    assert (principal.account, principal.actor, principal.roles) == ("acme", "ada", {"engineer"})


def test_minted_token_verifies() -> None:
    settings = hs_settings()
    token = mint_token(settings, "acme", "ada", ["viewer"])
    assert TokenVerifier(settings).verify(token).roles == {"viewer"}


@pytest.mark.parametrize(
    ("token_claims", "reason"),
    [
        (claims(exp=int(time.time()) - 10), "expired"),
        (claims(nbf=int(time.time()) + 300), "not valid yet"),
        (claims(iss="someone-else"), "issuer"),
        (claims(aud="another-api"), "audience"),
        (claims(exp=None), "exp"),
        (claims(sub=None), "sub"),
        (claims(account=None), "account"),
        (claims(roles="admin"), "roles"),
    ],
)
def test_bad_claims_are_refused(token_claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(Unauthorized) as refused:
        TokenVerifier(hs_settings()).verify(jwt.encode(token_claims, SECRET, "HS256"))
    assert refused.value.status == 401
    assert "WWW-Authenticate" in (refused.value.headers or {})
    assert reason in refused.value.errors[0]["message"].lower()


def test_alg_none_is_refused() -> None:
    unsigned = jwt.encode(claims(), None, algorithm="none")  # type: ignore[arg-type]
    with pytest.raises(Unauthorized):
        TokenVerifier(hs_settings()).verify(unsigned)


def test_wrong_secret_is_refused() -> None:
    with pytest.raises(Unauthorized):
        TokenVerifier(hs_settings()).verify(
            jwt.encode(claims(), "another-secret-0123456789abcdefghij", "HS256")
        )


def test_unknown_roles_are_dropped() -> None:
    token = jwt.encode(claims(roles=["engineer", "superuser"]), SECRET, "HS256")
    assert TokenVerifier(hs_settings()).verify(token).roles == {"engineer"}


def test_rs256_accepts_its_key_and_refuses_an_hs_token_signed_with_the_public_key() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = public_pem(private)
    verifier = TokenVerifier(Settings(jwt_algorithm="RS256", jwt_public_key=pem))
    assert verifier.verify(jwt.encode(claims(), private, "RS256")).actor == "ada"
    # the classic confusion: an HS256 token whose HMAC secret is the public key text
    for token in (forge_hs256(claims(), pem.encode()), jwt.encode(claims(), SECRET, "HS256")):
        with pytest.raises(Unauthorized):
            verifier.verify(token)


def forge_hs256(payload: dict[str, Any], secret: bytes) -> str:
    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(payload).encode())
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def test_es256_from_a_pem_file(tmp_path: Path) -> None:
    private = ec.generate_private_key(ec.SECP256R1())
    path = tmp_path / "public.pem"
    path.write_text(public_pem(private))
    verifier = TokenVerifier(Settings(jwt_algorithm="ES256", jwt_public_key=str(path)))
    assert verifier.verify(jwt.encode(claims(), private, "ES256")).account == "acme"
    with pytest.raises(Unauthorized):
        verifier.verify(jwt.encode(claims(), ec.generate_private_key(ec.SECP256R1()), "ES256"))


def test_rs256_from_a_jwks_file_picks_the_key_by_kid(tmp_path: Path) -> None:
    first = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    second = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    keys = []
    for kid, private in (("k1", first), ("k2", second)):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        keys.append({**jwk, "kid": kid, "use": "sig", "alg": "RS256"})
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps({"keys": keys}))
    verifier = TokenVerifier(Settings(jwt_algorithm="RS256", jwt_jwks_file=str(path)))
    token = jwt.encode(claims(), second, "RS256", headers={"kid": "k2"})
    assert verifier.verify(token).actor == "ada"
    wrong_kid = jwt.encode(claims(), second, "RS256", headers={"kid": "k1"})
    with pytest.raises(Unauthorized):
        verifier.verify(wrong_kid)
    unknown = jwt.encode(claims(), second, "RS256", headers={"kid": "nope"})
    with pytest.raises(Unauthorized):
        verifier.verify(unknown)


def test_rs256_without_a_key_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="APEX_JWT_PUBLIC_KEY"):
        TokenVerifier(Settings(jwt_algorithm="RS256"))


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValueError, match="APEX_JWT_SECRET"):
        Settings(environment="production")
