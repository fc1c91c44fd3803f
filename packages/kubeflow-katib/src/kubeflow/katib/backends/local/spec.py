"""A checked request as the driver reads it back: `spec.json` plus the function's source in `template.py`."""

from __future__ import annotations

import base64
import importlib.util
import json
import pickle
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.katib.algorithms import BaseAlgorithm, MedianStop, algorithm_from_spec, early_stopping_from_spec
from kubeflow.katib.search import ParameterSpec, parse_value
from kubeflow.katib.types import Objective, TrialConfig, objective_spec, objectives_from_spec
from kubeflow.katib.validation import OptimizationRequest
from kubeflow.trainer.functions import encode_args, function_source
from kubeflow.trainer.types.trainers import CustomTrainer

TEMPLATE_MODULE = "kubeflow_katib_trial_template"


def _runtime_name(runtime: object) -> str | None:
    if runtime is None or isinstance(runtime, str):
        return runtime
    return str(getattr(runtime, "name", None) or "") or None


def build_spec(
    name: str, created: str, request: OptimizationRequest, config: LocalProcessBackendConfig
) -> tuple[dict[str, Any], str]:
    """The `spec.json` record and the `template.py` text of a request.

    Raises:
        InvalidInputError: The function cannot be shipped, or its `func_args` cannot be encoded.
    """
    trainer = request.trial_template.trainer
    source, function = function_source(trainer.func)
    kind, payload = encode_args(trainer.func_args)
    spec = {
        "version": 1,
        "name": name,
        "created": created,
        "parameters": [
            {**p.model_dump(by_alias=True, exclude_none=True), "valueType": p.value_type} for p in request.parameters
        ],
        "objective": objective_spec(request.objectives),
        "algorithm": request.algorithm.to_katib_spec(),
        "early_stopping": request.early_stopping.to_katib_spec() if request.early_stopping else None,
        "trial_config": {
            "num_trials": request.trial_config.num_trials,
            "parallel_trials": request.trial_config.parallel_trials,
            "max_failed_trials": request.trial_config.max_failed_trials,
        },
        "template": {
            "function": function,
            "args_kind": kind,
            "args": payload,
            "runtime": _runtime_name(request.trial_template.runtime),
            "packages_to_install": trainer.packages_to_install,
            "pip_index_urls": list(trainer.pip_index_urls),
            "num_nodes": trainer.num_nodes,
            "resources_per_node": trainer.resources_per_node,
            "env": trainer.env,
        },
        "backend": config.model_dump(mode="json"),
    }
    text = "# The training function of an optimization job (written by kubeflow.katib).\n"
    text += "from __future__ import annotations\n\n" + source
    return spec, text


@dataclass
class LoadedSpec:
    """What a stored spec describes, rebuilt."""

    name: str
    created: str
    parameters: list[ParameterSpec]
    objectives: list[Objective]
    algorithm: BaseAlgorithm
    early_stopping: MedianStop | None
    trial_config: TrialConfig
    template: dict[str, Any]
    config: LocalProcessBackendConfig

    @property
    def objective(self) -> Objective:
        """The optimised objective."""
        return self.objectives[0]

    @property
    def metric_names(self) -> list[str]:
        """Every objective's metric name."""
        return [objective.metric for objective in self.objectives]

    def base_args(self) -> dict[str, Any]:
        """The template's own `func_args`."""
        kind, payload = self.template["args_kind"], self.template["args"]
        if kind == "json":
            loaded: dict[str, Any] = json.loads(payload)
            return loaded
        unpickled: dict[str, Any] = pickle.loads(base64.b64decode(payload))  # written by our client, mode 0600
        return unpickled

    def func_args(self, assignments: dict[str, str]) -> dict[str, Any]:
        """The trial's keyword arguments: the template's, then the typed parameter values."""
        args = self.base_args()
        for spec in self.parameters:
            assert spec.name is not None
            args[spec.name] = parse_value(spec, assignments[spec.name])
        return args

    def trainer(self, job_dir: Path, assignments: dict[str, str]) -> CustomTrainer:
        """The `CustomTrainer` of one trial: the stored function with the merged arguments."""
        module_spec = importlib.util.spec_from_file_location(TEMPLATE_MODULE, job_dir / "template.py")
        assert module_spec is not None and module_spec.loader is not None
        module = sys.modules.get(TEMPLATE_MODULE)
        if module is None or getattr(module, "__file__", None) != str(job_dir / "template.py"):
            module = importlib.util.module_from_spec(module_spec)
            sys.modules[TEMPLATE_MODULE] = module
            module_spec.loader.exec_module(module)
        template = self.template
        extra = {
            key: template[key]
            for key in ("packages_to_install", "pip_index_urls", "num_nodes", "resources_per_node", "env")
            if template.get(key) is not None
        }
        return CustomTrainer(func=getattr(module, template["function"]), func_args=self.func_args(assignments), **extra)


def load_spec(raw: dict[str, Any]) -> LoadedSpec:
    """Rebuild a stored spec."""
    parameters = []
    for item in raw["parameters"]:
        data = dict(item)
        value_type = data.pop("valueType", None)
        parameters.append(ParameterSpec.model_validate({**data, "value_type": value_type}))
    trial = raw["trial_config"]
    return LoadedSpec(
        name=raw["name"],
        created=raw["created"],
        parameters=parameters,
        objectives=objectives_from_spec(raw["objective"]),
        algorithm=algorithm_from_spec(raw["algorithm"]),
        early_stopping=early_stopping_from_spec(raw.get("early_stopping")),
        trial_config=TrialConfig(
            num_trials=trial["num_trials"],
            parallel_trials=trial["parallel_trials"],
            max_failed_trials=trial.get("max_failed_trials"),
        ),
        template=raw["template"],
        config=LocalProcessBackendConfig.model_validate(raw["backend"]),
    )
