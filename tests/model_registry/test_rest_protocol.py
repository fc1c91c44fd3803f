"""The REST backend's protocol against the emulator: paths, paging parameters, auth, retries, errors, TLS."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import TOKEN
from kubeflow.core.errors import BackendError, BackendUnavailableError, ForbiddenError, InvalidInputError
from kubeflow.model_registry import ModelRegistryClient, RestModelRegistryConfig
from kubeflow.model_registry.store.http import HttpTransport, server_url
from model_registry_emulator import ModelRegistryEmulator
from model_registry_emulator.schema import Spec

REGISTER = {"version": "v1", "model_format_name": "onnx", "model_format_version": "1"}


def _client(emulator: ModelRegistryEmulator, **kwargs: object) -> ModelRegistryClient:
    return ModelRegistryClient(emulator.url, author="alice", user_token=TOKEN, **kwargs)  # type: ignore[arg-type]


def test_requests_use_the_spec_paths_paging_parameters_and_bearer_token(emulator: ModelRegistryEmulator) -> None:
    client = _client(emulator)
    for i in range(3):
        client.register_model(f"m{i}", "s3://models/m", **REGISTER)
    emulator.requests.clear()
    assert [m.name for m in client.list_models(page_size=2, order_by="CREATE_TIME", sort_order="DESC")] == [
        "m2",
        "m1",
        "m0",
    ]
    lists = [(path, query) for method, path, query, _ in emulator.requests if method == "GET"]
    assert [path for path, _ in lists] == ["/api/model_registry/v1alpha3/registered_models"] * 2
    assert lists[0][1] == {"pageSize": "2", "orderBy": "CREATE_TIME", "sortOrder": "DESC"}
    assert lists[1][1]["nextPageToken"]
    assert all(auth == f"Bearer {TOKEN}" for *_, auth in emulator.requests)
    if emulator.spec is not None:
        assert emulator.validated >= 2 * len(emulator.requests)


def test_the_emulator_fails_requests_the_spec_forbids(strict_spec: Spec, emulator: ModelRegistryEmulator) -> None:
    assert emulator.spec is strict_spec
    transport = HttpTransport(RestModelRegistryConfig(base_url=emulator.url, user_token=TOKEN, max_retries=0))
    with pytest.raises(InvalidInputError):
        transport.request("POST", "/registered_models", body={"name": "m", "colour": "blue"})
    with pytest.raises(InvalidInputError):
        transport.request("GET", "/registered_models", query={"pageSize": "0"})
    assert any("colour" in v for v in emulator.violations) and any("pageSize" in v for v in emulator.violations)
    emulator.violations.clear()  # expected here; every other test must leave none


def test_wrong_token_is_forbidden_and_the_token_never_shows(emulator: ModelRegistryEmulator) -> None:
    client = ModelRegistryClient(emulator.url, user_token="wrong-token-value")
    with pytest.raises(ForbiddenError) as info:
        client.get_model("x")
    assert "wrong-token-value" not in str(info.value)
    assert "wrong-token-value" not in repr(client) and "wrong-token-value" not in repr(client.backend_config)


def test_transient_errors_are_retried_with_backoff(emulator: ModelRegistryEmulator) -> None:
    client = _client(emulator)
    emulator.faults += [(503, None), (429, 0.05), (500, None)]
    client.register_model("mnist", "s3://models/mnist", **REGISTER)
    assert client.get_model_artifact("mnist", "v1").uri == "s3://models/mnist"
    assert [v.name for v in client.list_model_versions("mnist")] == ["v1"]  # nothing duplicated


def test_a_create_whose_answer_was_lost_is_retried_without_duplicating(emulator: ModelRegistryEmulator) -> None:
    client = _client(emulator)
    emulator.lost_answers += [("POST", "/registered_models", 500), ("POST", "/model_versions", 503)]
    client.register_model("mnist", "s3://models/mnist", **REGISTER)
    assert not emulator.lost_answers
    assert [m.name for m in client.list_models()] == ["mnist"]
    assert [v.name for v in client.list_model_versions("mnist")] == ["v1"]
    assert client.get_model_artifact("mnist", "v1").uri == "s3://models/mnist"


def test_other_client_errors_are_not_retried(emulator: ModelRegistryEmulator) -> None:
    client = _client(emulator)
    emulator.requests.clear()
    with pytest.raises(ValueError):
        client.get_model("missing")
    assert len(emulator.requests) == 1


def test_errors_after_the_last_retry_are_typed(emulator: ModelRegistryEmulator) -> None:
    client = ModelRegistryClient(
        backend_config=RestModelRegistryConfig(base_url=emulator.url, user_token=TOKEN, max_retries=1)
    )
    emulator.faults += [(503, None), (503, None)]
    with pytest.raises(BackendError) as info:
        client.get_model("x")
    assert info.value.status == 503 and isinstance(info.value, RuntimeError)
    assert len(emulator.requests) == 2  # the first attempt and one retry


def test_unreachable_server_is_reported_at_once() -> None:
    client = ModelRegistryClient("http://127.0.0.1:9", user_token=TOKEN)
    with pytest.raises(BackendUnavailableError):
        client.get_model("x")


@pytest.mark.parametrize(
    ("base_url", "port", "is_secure", "expected"),
    [
        ("https://registry.example.com", None, None, ("https://registry.example.com:443", True)),
        ("http://registry.example.com", None, None, ("http://registry.example.com:8080", False)),
        ("registry.example.com", None, None, ("https://registry.example.com:443", True)),
        ("https://registry.example.com:8443", 443, None, ("https://registry.example.com:8443", True)),
        ("https://registry.example.com", 9443, None, ("https://registry.example.com:9443", True)),
        ("https://registry.example.com", None, False, ("https://registry.example.com:443", False)),
    ],
)
def test_port_and_tls_follow_the_url_scheme_as_in_0_5(
    base_url: str, port: int | None, is_secure: bool | None, expected: tuple[str, bool]
) -> None:
    assert server_url(RestModelRegistryConfig(base_url=base_url, port=port, is_secure=is_secure)) == expected


@pytest.fixture
def tls_files(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A self-signed CA and a certificate it signs for 127.0.0.1."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = tmp_path / "ca.pem", tmp_path / "server.pem", tmp_path / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return ca_path, cert_path, key_path


@pytest.fixture
def tls_emulator(spec: Spec | None, tls_files: tuple[Path, Path, Path]) -> Iterator[ModelRegistryEmulator]:
    _, cert, key = tls_files
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with ModelRegistryEmulator(spec, token=TOKEN, tls=context) as server:
        yield server
    assert not server.violations


def test_tls_with_a_custom_ca(tls_emulator: ModelRegistryEmulator, tls_files: tuple[Path, Path, Path]) -> None:
    assert tls_emulator.url.startswith("https://")
    client = ModelRegistryClient(tls_emulator.url, author="alice", user_token=TOKEN, custom_ca=str(tls_files[0]))
    client.register_model("mnist", "s3://models/mnist", **REGISTER)
    assert client.get_model("mnist").name == "mnist"
    untrusted = ModelRegistryClient(tls_emulator.url, user_token=TOKEN)
    with pytest.raises(BackendUnavailableError, match="custom_ca"):
        untrusted.get_model("mnist")
    with pytest.raises(InvalidInputError) as info:
        ModelRegistryClient(tls_emulator.url, custom_ca=str(tls_files[0].with_name("missing.pem")))
    assert info.value.field == "custom_ca"


def test_the_v1_api_of_newer_servers(emulator: ModelRegistryEmulator) -> None:
    client = ModelRegistryClient(emulator.url + "/api/model_registry/v1", author="alice", user_token=TOKEN)
    assert isinstance(client.backend_config, RestModelRegistryConfig) and client.backend_config.api_version == "v1"
    emulator.requests.clear()
    client.register_model("mnist", "s3://models/mnist", **REGISTER)
    assert client.get_model_artifact("mnist", "v1").uri == "s3://models/mnist"
    assert all(path.startswith("/api/model_registry/v1/") for _, path, _, _ in emulator.requests)
    with pytest.raises(BackendError, match="no experiments"):
        client.get_experiment("trainer-jobs")
