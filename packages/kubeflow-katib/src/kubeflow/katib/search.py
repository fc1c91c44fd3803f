"""The search space: Katib `ParameterSpec`/`FeasibleSpace` models and the `Search` helpers that build them."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from kubeflow.core.errors import InvalidInputError
from kubeflow.katib._base import KatibModel

ParameterType = Literal["double", "int", "discrete", "categorical"]
"""Katib's parameter types."""
DistributionName = Literal["uniform", "logUniform", "normal", "logNormal"]
"""Katib's sampling distributions for `double` and `int` parameters, as Katib spells them."""
ValueType = Literal["str", "int", "float", "bool"]
"""The Python type a `choice` parameter's values are passed to the training function as."""


class Distribution(Enum):
    """How a `double` or `int` parameter is sampled (the values Katib accepts)."""

    UNIFORM = "uniform"
    LOG_UNIFORM = "logUniform"
    NORMAL = "normal"
    LOG_NORMAL = "logNormal"


@dataclass
class ContinuousSearchSpace:
    """A numeric parameter as `OptimizationJob.search_space` reports it."""

    min: float | int
    max: float | int
    distribution: Distribution


@dataclass
class CategoricalSearchSpace:
    """A parameter chosen from a list, as `OptimizationJob.search_space` reports it."""

    choices: list[Any]


_LOG_DISTRIBUTIONS = frozenset({"logUniform", "logNormal"})


def _to_text(value: object) -> object:
    """Katib keeps every bound as a string; accept numbers (not booleans) and write them as strings."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    return value


def _number(text: str, *, integer: bool, where: str) -> float:
    try:
        number = float(int(text)) if integer else float(text)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise InvalidInputError(where, f"must be {kind}, got {text!r}.") from None
    if not math.isfinite(number):
        raise InvalidInputError(where, f"must be finite, got {text!r}.")
    return number


class FeasibleSpace(KatibModel):
    """The values a parameter may take (Katib v1beta1 `FeasibleSpace`). Bounds are strings, as in Katib."""

    min: str | None = None
    """Lower bound of a `double` or `int` parameter."""
    max: str | None = None
    """Upper bound of a `double` or `int` parameter."""
    step: str | None = None
    """Step between values of a `double` or `int` parameter (used by `grid`)."""
    values: list[str] | None = Field(default=None, alias="list")
    """The allowed values of a `categorical` or `discrete` parameter (serialised as `list`)."""
    distribution: DistributionName | None = None
    """How `double` and `int` values are sampled; `None` lets Katib use `uniform`."""

    @field_validator("distribution", mode="before")
    @classmethod
    def _distribution_value(cls, value: object) -> object:
        return value.value if isinstance(value, Distribution) else value

    @field_validator("min", "max", "step", mode="before")
    @classmethod
    def _bound_as_text(cls, value: object) -> object:
        return _to_text(value)

    @field_validator("values", mode="before")
    @classmethod
    def _values_as_text(cls, value: object) -> object:
        if isinstance(value, (list, tuple)):
            return [_to_text(item) for item in value]
        return value


class ParameterSpec(KatibModel):
    """One searched hyperparameter (Katib v1beta1 `ParameterSpec`).

    Build it with `Search.uniform`, `Search.loguniform` or `Search.choice`; the name is the key of the
    search-space dictionary passed to `KatibClient.optimize`.
    """

    name: str | None = Field(default=None, min_length=1)
    """The parameter name; `None` until the spec is placed in a search space."""
    parameter_type: ParameterType
    """`double`, `int`, `discrete` or `categorical`."""
    feasible_space: FeasibleSpace
    """The values the parameter may take."""
    value_type: ValueType | None = Field(default=None, exclude=True)
    """The Python type of a `categorical` parameter's values (set by `Search.choice` when they share one type);
    not part of the Katib body. `None` passes them as strings."""

    @model_validator(mode="after")
    def _check_space(self) -> ParameterSpec:
        space = self.feasible_space
        if self.parameter_type in ("double", "int"):
            self._check_range(space)
        else:
            self._check_list(space)
        return self

    def _check_range(self, space: FeasibleSpace) -> None:
        integer = self.parameter_type == "int"
        if space.min is None or space.max is None:
            raise InvalidInputError(
                "feasible_space", f"a {self.parameter_type} parameter needs both min and max.", "Set min and max."
            )
        if space.values is not None:
            raise InvalidInputError("feasible_space.list", f"a {self.parameter_type} parameter takes no value list.")
        low = _number(space.min, integer=integer, where="feasible_space.min")
        high = _number(space.max, integer=integer, where="feasible_space.max")
        if not low < high:
            raise InvalidInputError("feasible_space.min", f"min ({space.min}) must be less than max ({space.max}).")
        if space.distribution in _LOG_DISTRIBUTIONS and low <= 0:
            raise InvalidInputError(
                "feasible_space.min",
                f"a {space.distribution} distribution needs min > 0, got {space.min}.",
                "Use a positive lower bound, or a uniform distribution.",
            )
        if space.step is not None and _number(space.step, integer=integer, where="feasible_space.step") <= 0:
            raise InvalidInputError("feasible_space.step", f"step must be positive, got {space.step}.")

    def _check_list(self, space: FeasibleSpace) -> None:
        if not space.values:
            raise InvalidInputError(
                "feasible_space.list", f"a {self.parameter_type} parameter needs a non-empty list of values."
            )
        if len(set(space.values)) != len(space.values):
            raise InvalidInputError("feasible_space.list", f"values must be unique, got {space.values}.")
        if space.min is not None or space.max is not None or space.step is not None:
            raise InvalidInputError("feasible_space", f"a {self.parameter_type} parameter takes no min, max or step.")
        if self.parameter_type == "discrete":
            for value in space.values:
                _number(value, integer=False, where="feasible_space.list")


def _choice_type(values: Sequence[object]) -> ValueType | None:
    kinds = {type(value) for value in values}
    for python, name in ((bool, "bool"), (int, "int"), (float, "float"), (str, "str")):
        if kinds == {python}:
            return name  # type: ignore[return-value]
    if kinds == {int, float}:
        return "float"
    return None


def parse_value(spec: ParameterSpec, text: str) -> Any:
    """The Python value a trial's training function receives for `text`, a value of parameter `spec`.

    `double` gives a `float`, `int` an `int`, `discrete` an `int` when the text is a whole number else a `float`,
    `categorical` the type its `Search.choice` values had (`str` when they were mixed).

    Raises:
        InvalidInputError: `text` is not a value of that type.
    """
    where = f"search_space[{spec.name!r}]"
    try:
        if spec.parameter_type == "double":
            return float(text)
        if spec.parameter_type == "int":
            return int(float(text)) if float(text).is_integer() else int(text)
        if spec.parameter_type == "discrete":
            number = float(text)
            return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number
    except ValueError:
        raise InvalidInputError(where, f"{text!r} is not a {spec.parameter_type} value.") from None
    if spec.value_type == "bool":
        return text.lower() in ("true", "1")
    if spec.value_type == "int":
        return int(text)
    if spec.value_type == "float":
        return float(text)
    return text


def search_space_view(spec: ParameterSpec) -> ContinuousSearchSpace | CategoricalSearchSpace:
    """The parameter as `OptimizationJob.search_space` reports it (the existing SDK's shape)."""
    space = spec.feasible_space
    if spec.parameter_type in ("double", "int"):
        low = parse_value(spec, space.min or "0")
        high = parse_value(spec, space.max or "0")
        return ContinuousSearchSpace(min=low, max=high, distribution=Distribution(space.distribution or "uniform"))
    return CategoricalSearchSpace(choices=[parse_value(spec, value) for value in space.values or []])


class Search:
    """Helpers that build a `ParameterSpec` for a search space.

    Example:
        ```python
        search_space = {
            "lr": Search.loguniform(1e-5, 1e-1),
            "dropout": Search.uniform(0.0, 0.5),
            "optimizer": Search.choice(["adam", "sgd"]),
        }
        ```
    """

    @staticmethod
    def uniform(min: float, max: float) -> ParameterSpec:
        """A real number sampled uniformly between `min` and `max`.

        Raises:
            InvalidInputError: `min` is not less than `max`, or a bound is not a finite number.
        """
        return ParameterSpec(
            parameter_type="double", feasible_space=FeasibleSpace(min=min, max=max, distribution="uniform")
        )

    @staticmethod
    def loguniform(min: float, max: float) -> ParameterSpec:
        """A positive real number whose logarithm is sampled uniformly between `log(min)` and `log(max)`.

        Raises:
            InvalidInputError: `min` is not positive or not less than `max`.
        """
        return ParameterSpec(
            parameter_type="double", feasible_space=FeasibleSpace(min=min, max=max, distribution="logUniform")
        )

    @staticmethod
    def choice(values: Sequence[str | int | float | bool]) -> ParameterSpec:
        """One of the given values (a Katib `categorical` parameter).

        The training function receives the value with its Python type when every value has the same type
        (`Search.choice([16, 32])` passes an `int`), and as a string otherwise.

        Raises:
            InvalidInputError: The list is empty or has duplicates.
        """
        if isinstance(values, str):
            raise InvalidInputError("values", f"must be a list of values, got the string {values!r}.")
        return ParameterSpec(
            parameter_type="categorical",
            feasible_space=FeasibleSpace(values=[str(value) for value in values]),
            value_type=_choice_type(list(values)),
        )

    @staticmethod
    def integer(min: int, max: int, step: int | None = None) -> ParameterSpec:
        """A whole number between `min` and `max` (inclusive), passed to the function as an `int`.

        Raises:
            InvalidInputError: `min` is not less than `max`, or a bound is not an integer.
        """
        for where, value in (("min", min), ("max", max), ("step", step)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidInputError(where, f"must be an int, got {value!r}.")
        return ParameterSpec(
            parameter_type="int", feasible_space=FeasibleSpace(min=min, max=max, step=step, distribution="uniform")
        )


def parameters_from_search_space(search_space: Mapping[str, ParameterSpec]) -> list[ParameterSpec]:
    """Name each spec after its key and return the list Katib's `ExperimentSpec.parameters` holds.

    Keys become keyword arguments of the trial's training function, so they must be Python identifiers.

    Raises:
        InvalidInputError: The search space is empty, a key is not an identifier, a value is not a
            `ParameterSpec`, or a spec already carries a different name.
    """
    if not isinstance(search_space, Mapping) or not search_space:
        raise InvalidInputError(
            "search_space", "must be a non-empty dict of parameter name to spec.", 'e.g. {"lr": Search.uniform(0, 1)}'
        )
    parameters = []
    for key, spec in search_space.items():
        if not isinstance(key, str) or not key.isidentifier():
            raise InvalidInputError("search_space", f"key {key!r} is not a Python identifier.")
        if not isinstance(spec, ParameterSpec):
            raise InvalidInputError(
                f"search_space[{key!r}]", f"must be a ParameterSpec, got {type(spec).__name__}.", "Use Search.*()."
            )
        if spec.name is not None and spec.name != key:
            raise InvalidInputError(f"search_space[{key!r}].name", f"is {spec.name!r}, which differs from its key.")
        parameters.append(spec.model_copy(update={"name": key}))
    return parameters
