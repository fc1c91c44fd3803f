from __future__ import annotations

import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.core.local.envs.requirements import (
    mask_credentials,
    normalize_requirement,
    normalize_requirements,
    requirement_extras,
    requirement_name,
    validate_locations,
)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("torch", "torch"),
        ("  Torch  ", "torch"),
        ("Foo_Bar.baz", "foo-bar-baz"),
        ("numpy >= 1.26", "numpy>=1.26"),
        ("numpy<2 , >=1.26", "numpy<2,>=1.26"),
        ("numpy>=1.26,<2", "numpy<2,>=1.26"),
        ("numpy (>=1.26)", "numpy>=1.26"),
        ("Transformers[Torch, sentencepiece]==4.40.0", "transformers[sentencepiece,torch]==4.40.0"),
        ("pkg==1.0RC1", "pkg==1.0rc1"),
        ("pkg~=2.1", "pkg~=2.1"),
        ("pkg===weird", "pkg===weird"),
        ("torch==2.3.1+cpu", "torch==2.3.1+cpu"),
        ("pkg; python_version >= '3.8'", 'pkg; python_version>="3.8"'),
        (
            'pkg>=1 ;python_version>="3.8"   and  os_name == "posix"',
            'pkg>=1; python_version>="3.8" and os_name=="posix"',
        ),
        ("My_Pkg @ https://host/x/my_pkg-1.0-py3-none-any.whl", "my-pkg @ https://host/x/my_pkg-1.0-py3-none-any.whl"),
        ("my-pkg@https://host/p.whl", "my-pkg @ https://host/p.whl"),
        ("pkg[B,a] @ file:///tmp/pkg.whl ; os_name=='posix'", 'pkg[a,b] @ file:///tmp/pkg.whl ; os_name=="posix"'),
        ("./dist/Pkg-1.0-py3-none-any.whl", "./dist/Pkg-1.0-py3-none-any.whl"),
        ("/abs/Path/Pkg-1.0.tar.gz", "/abs/Path/Pkg-1.0.tar.gz"),
        ("git+https://github.com/org/Repo.git@v1", "git+https://github.com/org/Repo.git@v1"),
    ],
)
def test_normal_form(raw: str, normal: str) -> None:
    assert normalize_requirement(raw) == normal


def test_set_is_sorted_and_deduplicated() -> None:
    assert normalize_requirements(["b", "A", "a ", "b>=1", "B >= 1"]) == ["a", "b", "b>=1"]


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "torch\n--index-url http://evil",
        "torch\r",
        "pkg\x00",
        "-r requirements.txt",
        "--index-url=https://x",
        "-e .",
        "torch >>> 2",
        "two words",
        "pkg==",
        "pkg[bad extra]",
        "pkg @",
        "./path with space.whl",
    ],
)
def test_bad_requirement_names_the_field(bad: str) -> None:
    with pytest.raises(InvalidInputError) as raised:
        normalize_requirements(["ok", bad])
    assert raised.value.field == "packages_to_install"
    assert isinstance(raised.value, ValueError)


def test_bad_requirement_message_masks_credentials() -> None:
    with pytest.raises(InvalidInputError) as raised:
        normalize_requirement("pkg @ https://user:s3cret@host/p.whl ; ")
    assert "s3cret" not in str(raised.value)


@pytest.mark.parametrize(
    ("requirement", "name", "extras"),
    [
        ("Torch[Opt_Einsum]>=2; python_version>'3'", "torch", {"opt-einsum"}),
        ("zope.interface", "zope-interface", set()),
        ("pkg @ https://h/p.whl", "pkg", set()),
        ("./local.whl", None, set()),
        ("https://h/p-1.0-py3-none-any.whl", None, set()),
    ],
)
def test_name_and_extras(requirement: str, name: str | None, extras: set[str]) -> None:
    assert requirement_name(requirement) == name
    assert requirement_extras(requirement) == extras


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("https://user:pa55@host.example/simple", "https://***@host.example/simple"),
        ("https://token@host/simple", "https://***@host/simple"),
        ("https://host/simple", "https://host/simple"),
        (
            "error: Failed to fetch https://a:b@one/x and http://c:d@two/y",
            "error: Failed to fetch https://***@one/x and http://***@two/y",
        ),
        ("pkg @ git+https://tok:x-oauth@github.com/o/r.git", "pkg @ git+https://***@github.com/o/r.git"),
    ],
)
def test_mask_credentials(text: str, masked: str) -> None:
    assert mask_credentials(text) == masked


def test_validate_locations() -> None:
    assert validate_locations("pip_index_urls", [" https://a/simple ", "https://a/simple", "https://b"]) == [
        "https://a/simple",
        "https://b",
    ]
    for bad in ["", "-f", "https://a/simple https://b", "https://a\n"]:
        with pytest.raises(InvalidInputError) as raised:
            validate_locations("pip_index_urls", [bad])
        assert raised.value.field == "pip_index_urls"
