"""The checks every backend shares, made before anything is created: the request an `optimize` call describes."""

from __future__ import annotations

import ast
import inspect
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubeflow.core.errors import InvalidInputError
from kubeflow.katib.algorithms import BaseAlgorithm, MedianStop, RandomSearch
from kubeflow.katib.search import ParameterSpec, parameters_from_search_space, parse_value
from kubeflow.katib.types import Objective, TrialConfig, objective_spec
from kubeflow.trainer.types.template import TrainJobTemplate
from kubeflow.trainer.types.trainers import CustomTrainer

REPORT_FUNCTION = "report_metrics"


@dataclass(frozen=True)
class OptimizationRequest:
    """A checked `optimize` call, defaults filled in: what a backend's `submit` creates."""

    trial_template: TrainJobTemplate
    """The template; its trainer is a `CustomTrainer`."""
    parameters: list[ParameterSpec]
    """The searched parameters, each named after its key, in the caller's order."""
    objectives: list[Objective]
    """At least one; the first is optimised."""
    algorithm: BaseAlgorithm
    """The search algorithm."""
    trial_config: TrialConfig
    """The trial budget."""
    early_stopping: MedianStop | None = None
    """The early-stopping rule, if any."""

    @property
    def objective(self) -> Objective:
        """The optimised objective (the first)."""
        return self.objectives[0]

    def func_args(self, assignments: Mapping[str, str]) -> dict[str, Any]:
        """The trial function's keyword arguments: the template's `func_args`, then the typed parameter values."""
        args = dict(self.trial_template.trainer.func_args or {})
        for spec in self.parameters:
            assert spec.name is not None
            args[spec.name] = parse_value(spec, assignments[spec.name])
        return args


def _check_template(trial_template: object) -> TrainJobTemplate:
    if not isinstance(trial_template, TrainJobTemplate):
        raise InvalidInputError(
            "trial_template",
            f"must be a TrainJobTemplate, got {type(trial_template).__name__}.",
            "Wrap the trainer: TrainJobTemplate(trainer=CustomTrainer(func=...)).",
        )
    if not isinstance(trial_template.trainer, CustomTrainer):
        raise InvalidInputError(
            "trial_template.trainer", f"must be a CustomTrainer, got {type(trial_template.trainer).__name__}."
        )
    if not callable(trial_template.trainer.func):
        raise InvalidInputError("trial_template.trainer.func", f"{trial_template.trainer.func!r} is not callable.")
    return trial_template


def _check_signature(template: TrainJobTemplate, parameters: list[ParameterSpec]) -> None:
    func = template.trainer.func
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):
        return
    params = signature.parameters
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())
    accepted = {name for name, p in params.items() if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    for spec in parameters:
        if not takes_any and spec.name not in accepted:
            raise InvalidInputError(
                f"search_space[{spec.name!r}]",
                f"{getattr(func, '__name__', 'the function')}() takes no argument {spec.name!r} "
                f"(it takes: {', '.join(sorted(accepted)) or 'none'}).",
                "Rename the key to one of its parameters, or add the parameter to the function.",
            )
    given = {spec.name for spec in parameters} | set(template.trainer.func_args or {})
    missing = [
        name
        for name, p in params.items()
        if p.default is inspect.Parameter.empty
        and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        and name not in given
    ]
    if missing:
        raise InvalidInputError(
            "search_space",
            f"{getattr(func, '__name__', 'the function')}() needs {missing}, which neither the search space nor "
            "the trainer's func_args gives.",
            "Search over them, or set them in CustomTrainer(func_args=...).",
        )


def reported_metric_names(func: Any) -> set[str] | None:
    """The metric names `func` visibly reports, or `None` when they cannot all be known from its source.

    Known when the function calls `report_metrics` with literal keys only: those keys, plus the literal `name=`
    prefixes of strings it prints. Unknown (`None`): a `report_metrics` call whose names are computed, or none at
    all (the function may only print, or report through a helper).
    """
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(inspect.unwrap(func))))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    names: set[str] = set()
    reports = False
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if callee == REPORT_FUNCTION:
            first = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "metrics"), None)
            if not isinstance(first, ast.Dict) or not all(isinstance(k, ast.Constant) for k in first.keys):
                return None
            names.update(str(k.value) for k in first.keys if isinstance(k, ast.Constant))
            reports = True
        elif callee in ("print", "write", "info", "log", "debug", "warning"):
            for arg in node.args:
                parts = arg.values if isinstance(arg, ast.JoinedStr) else [arg]
                for part in parts:
                    if isinstance(part, ast.Constant) and isinstance(part.value, str) and "=" in part.value:
                        for piece in part.value.split("=")[:-1]:
                            token = piece.replace(",", " ").split()
                            if token:
                                names.add(token[-1])
    return names if reports else None


def printed_metric_names(func: Any) -> tuple[set[str], str] | None:
    """For a function that only prints its metrics: the literal `name=` prefixes it prints, and its source.

    `None` when the source cannot be read or the function calls `report_metrics` (see `reported_metric_names`).
    """
    try:
        source = textwrap.dedent(inspect.getsource(inspect.unwrap(func)))
        tree = ast.parse(source)
    except (OSError, TypeError, SyntaxError, IndentationError):
        return None
    names: set[str] = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", None)
        if callee == REPORT_FUNCTION:
            return None
        if callee == "print":
            for arg in node.args:
                for part in arg.values if isinstance(arg, ast.JoinedStr) else [arg]:
                    if isinstance(part, ast.Constant) and isinstance(part.value, str) and "=" in part.value:
                        for piece in part.value.split("=")[:-1]:
                            token = piece.replace(",", " ").split()
                            if token and token[-1].isidentifier():
                                names.add(token[-1])
    return names, source


def _check_objectives(objectives: Sequence[Objective] | None, template: TrainJobTemplate) -> list[Objective]:
    checked = list(objectives) if objectives is not None else [Objective()]
    for index, objective in enumerate(checked):
        if not isinstance(objective, Objective):
            raise InvalidInputError(f"objectives[{index}]", f"must be an Objective, got {type(objective).__name__}.")
    objective_spec(checked)
    known = reported_metric_names(template.trainer.func)
    if known is not None:
        for index, objective in enumerate(checked):
            if objective.metric not in known:
                raise InvalidInputError(
                    f"objectives[{index}].metric",
                    f"{objective.metric!r} is not a metric the training function reports "
                    f"(it reports: {', '.join(sorted(known))}).",
                    "Name a reported metric, or report it with report_metrics({...}).",
                )
        return checked
    printed = printed_metric_names(template.trainer.func)
    if printed is not None and printed[0]:
        # Only the objective itself: further metrics are collected when printed and may be absent. A name the
        # function prints, or at least mentions (it may print it through a helper), is accepted.
        names, source = printed
        metric = checked[0].metric
        if metric not in names and metric not in source:
            raise InvalidInputError(
                "objectives[0].metric",
                f"{metric!r} is not a metric the training function prints (it prints: {', '.join(sorted(names))}).",
                f'Name a printed metric, or print it as a "{metric}=<value>" line.',
            )
    return checked


def check_request(
    trial_template: object,
    *,
    search_space: Mapping[str, ParameterSpec] | None,
    trial_config: TrialConfig | None = None,
    objectives: Sequence[Objective] | None = None,
    algorithm: BaseAlgorithm | None = None,
    early_stopping: MedianStop | None = None,
) -> OptimizationRequest:
    """Check an `optimize` call and fill in its defaults; every problem is raised before anything is created.

    Raises:
        InvalidInputError: Naming the field: the template is not a `CustomTrainer` template; the search space is
            empty, has a bad spec, or names a parameter the function does not take; a required argument of the
            function is given by neither; an objective names a metric the function visibly does not report; the
            algorithm, early stopping or trial config is of the wrong type.
    """
    template = _check_template(trial_template)
    parameters = parameters_from_search_space(search_space or {})
    _check_signature(template, parameters)
    if trial_config is None:
        trial_config = TrialConfig()
    elif not isinstance(trial_config, TrialConfig):
        raise InvalidInputError("trial_config", f"must be a TrialConfig, got {type(trial_config).__name__}.")
    if algorithm is None:
        algorithm = RandomSearch()
    elif not isinstance(algorithm, BaseAlgorithm):
        raise InvalidInputError(
            "algorithm", f"must be an algorithm such as RandomSearch(), got {type(algorithm).__name__}."
        )
    if early_stopping is not None and not isinstance(early_stopping, MedianStop):
        raise InvalidInputError("early_stopping", f"must be MedianStop(), got {type(early_stopping).__name__}.")
    checked = _check_objectives(objectives, template)
    return OptimizationRequest(
        trial_template=template,
        parameters=parameters,
        objectives=checked,
        algorithm=algorithm,
        trial_config=trial_config,
        early_stopping=early_stopping,
    )
