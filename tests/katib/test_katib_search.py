"""Search-space types: the `Search` helpers, their validation, and the Katib v1beta1 swagger shape."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from kubeflow.core.errors import InvalidInputError
from kubeflow.katib import FeasibleSpace, ParameterSpec, Search
from kubeflow.katib.search import parameters_from_search_space
from reference import reference_path


def _strict_definitions() -> dict[str, Any]:
    """The swagger definitions, with every object closed so an unknown key fails validation."""
    swagger = json.loads(reference_path("katib", "openapi", "swagger.json").read_text())
    definitions = copy.deepcopy(swagger["definitions"])
    for definition in definitions.values():
        if definition.get("type") == "object" and "properties" in definition:
            definition["additionalProperties"] = False
    return definitions


def _validate(payload: dict[str, Any], definition: str) -> None:
    definitions = _strict_definitions()
    schema = {"$ref": f"#/definitions/{definition}", "definitions": definitions}
    jsonschema.Draft4Validator(schema).validate(payload)


def _dump(spec: ParameterSpec) -> dict[str, Any]:
    return spec.model_dump(mode="json", by_alias=True, exclude_none=True)


def test_uniform_serialises_to_the_katib_parameter_spec() -> None:
    (spec,) = parameters_from_search_space({"dropout": Search.uniform(0.0, 0.5)})
    payload = _dump(spec)
    assert payload == {
        "name": "dropout",
        "parameterType": "double",
        "feasibleSpace": {"min": "0.0", "max": "0.5", "distribution": "uniform"},
    }
    _validate(payload, "v1beta1.ParameterSpec")


def test_loguniform_and_choice_serialise_to_the_katib_parameter_spec() -> None:
    specs = parameters_from_search_space(
        {"lr": Search.loguniform(1e-5, 0.1), "optimizer": Search.choice(["adam", "sgd", 3])}
    )
    payloads = [_dump(spec) for spec in specs]
    assert payloads[0]["feasibleSpace"] == {"min": "1e-05", "max": "0.1", "distribution": "logUniform"}
    assert payloads[1] == {
        "name": "optimizer",
        "parameterType": "categorical",
        "feasibleSpace": {"list": ["adam", "sgd", "3"]},
    }
    for payload in payloads:
        _validate(payload, "v1beta1.ParameterSpec")


def test_the_strict_swagger_check_rejects_unknown_keys() -> None:
    payload = _dump(Search.uniform(0, 1))
    payload["feasibleSpace"]["values"] = ["1"]  # the Python field name, not Katib's `list`
    with pytest.raises(jsonschema.ValidationError):
        _validate(payload, "v1beta1.ParameterSpec")


def test_model_field_aliases_are_the_swagger_property_names() -> None:
    definitions = _strict_definitions()
    for model, definition in ((ParameterSpec, "v1beta1.ParameterSpec"), (FeasibleSpace, "v1beta1.FeasibleSpace")):
        aliases = {field.alias or name for name, field in model.model_fields.items() if not field.exclude}
        assert aliases == set(definitions[definition]["properties"])


def test_a_katib_payload_reads_back_into_the_model() -> None:
    payload = {"name": "batch", "parameterType": "int", "feasibleSpace": {"min": "16", "max": "128", "step": "16"}}
    spec = ParameterSpec.model_validate(payload)
    assert spec.feasible_space.step == "16"
    assert _dump(spec) == payload


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Search.uniform(1.0, 1.0), "ParameterSpec.feasible_space.min"),
        (lambda: Search.uniform(2.0, 1.0), "ParameterSpec.feasible_space.min"),
        (lambda: Search.uniform(0.0, float("inf")), "ParameterSpec.feasible_space.max"),
        (lambda: Search.loguniform(0.0, 1.0), "ParameterSpec.feasible_space.min"),
        (lambda: Search.loguniform(-1.0, 1.0), "ParameterSpec.feasible_space.min"),
        (lambda: Search.choice([]), "ParameterSpec.feasible_space.list"),
        (lambda: Search.choice(["a", "a"]), "ParameterSpec.feasible_space.list"),
        (lambda: Search.choice("ab"), "values"),
    ],
)
def test_invalid_search_specs_raise_invalid_input_naming_the_field(build: Any, field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        build()
    assert info.value.field == field


def test_parameter_spec_checks_its_type_against_its_space() -> None:
    with pytest.raises(InvalidInputError, match="needs both min and max"):
        ParameterSpec(parameter_type="int", feasible_space=FeasibleSpace(min=1))
    with pytest.raises(InvalidInputError, match="must be an integer"):
        ParameterSpec(parameter_type="int", feasible_space=FeasibleSpace(min="1.5", max=3))
    with pytest.raises(InvalidInputError, match="step must be positive"):
        ParameterSpec(parameter_type="int", feasible_space=FeasibleSpace(min=1, max=3, step=0))
    with pytest.raises(InvalidInputError, match="takes no min"):
        ParameterSpec(parameter_type="categorical", feasible_space=FeasibleSpace(values=["a"], min=0))
    with pytest.raises(InvalidInputError, match="must be a number"):
        ParameterSpec(parameter_type="discrete", feasible_space=FeasibleSpace(values=["1", "x"]))
    with pytest.raises(InvalidInputError) as info:
        ParameterSpec(parameter_type="float", feasible_space=FeasibleSpace(min=0, max=1))
    assert info.value.field == "ParameterSpec.parameter_type"


def test_model_validate_raises_a_pydantic_error_naming_the_field() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="parameterType"):
        ParameterSpec.model_validate({"feasibleSpace": {"min": "0", "max": "1"}})


def test_search_space_names_specs_after_their_keys_and_rejects_bad_ones() -> None:
    spec = Search.uniform(0, 1)
    (named,) = parameters_from_search_space({"lr": spec})
    assert named.name == "lr"
    assert spec.name is None  # the caller's spec is not changed
    with pytest.raises(InvalidInputError, match="non-empty"):
        parameters_from_search_space({})
    with pytest.raises(InvalidInputError, match="not a Python identifier"):
        parameters_from_search_space({"learning-rate": spec})
    with pytest.raises(InvalidInputError, match="must be a ParameterSpec"):
        parameters_from_search_space({"lr": 0.1})  # type: ignore[dict-item]
    with pytest.raises(InvalidInputError, match="differs from its key"):
        parameters_from_search_space({"lr": named.model_copy(update={"name": "momentum"})})


def test_choice_values_keep_their_python_type_and_reach_the_function_typed() -> None:
    from kubeflow.katib.search import parse_value

    cases = [
        (Search.choice([16, 32]), "32", 32),
        (Search.choice([0.1, 0.5]), "0.5", 0.5),
        (Search.choice([True, False]), "False", False),
        (Search.choice(["adam", "sgd"]), "sgd", "sgd"),
        (Search.choice(["a", 1]), "1", "1"),
        (Search.uniform(0, 1), "0.25", 0.25),
        (Search.integer(1, 9), "4", 4),
    ]
    for spec, text, expected in cases:
        value = parse_value(spec, text)
        assert value == expected and type(value) is type(expected)
    assert "valueType" not in Search.choice([1, 2]).model_dump(by_alias=True)
    with pytest.raises(InvalidInputError):
        parse_value(Search.integer(1, 9), "4.5")
    with pytest.raises(InvalidInputError) as info:
        Search.integer(1.5, 3)  # type: ignore[arg-type]
    assert info.value.field == "min"
