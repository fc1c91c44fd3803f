"""Every Experiment body the Kubernetes backend builds is one Katib accepts, and its trials run as TrainJobs.

Checked for algorithms x parameter kinds x trainer kinds x Trainer releases:

* the Katib CRD (`reference/katib/crds/experiment.yaml`): group, version, kind, scope; the CRD is schemaless, so the
  apiserver keeps the body as sent (pruning it with the emulator's structural-schema code drops nothing);
* the Katib OpenAPI definitions (`reference/katib/openapi/swagger.json`, `v1beta1.Experiment`) as JSON Schema, with
  every undeclared field an error (Katib's Go types would drop it silently), plus the values Katib's webhook
  allows (parameter types, objective type, algorithm names, collector kind, metric strategies, counts);
* `${trialParameters.*}`: each declared trial parameter appears in the trial spec, and nothing else does;
* each trial's TrainJob (the template after Katib's substitution) against the Trainer CRD of its release, with
  nothing pruned (`tests/trainer/k8s_schema.py`);
* the trial script, run with the substituted values, calls the function with typed values.
"""

from __future__ import annotations

import copy
import functools
import importlib.util
import itertools
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jsonschema
import pytest
import yaml

from kube_emulator.katib import substitute
from kube_emulator.schema import CrdSchema
from kubeflow.core.errors import InvalidInputError
from kubeflow.katib import (
    BayesianOptimization,
    CMAESSearch,
    FeasibleSpace,
    GridSearch,
    Hyperband,
    MedianStop,
    MultivariateTPESearch,
    Objective,
    ParameterSpec,
    RandomSearch,
    Search,
    SobolSearch,
    TPESearch,
    TrainJobTemplate,
    TrialConfig,
)
from kubeflow.katib.backends.kubernetes.backend import _check_katib_limits
from kubeflow.katib.backends.kubernetes.body import build_experiment
from kubeflow.katib.validation import check_request
from kubeflow.trainer.backends.kubernetes.body import RuntimeObject, build_trainjob
from kubeflow.trainer.types import CustomTrainer, HuggingFaceDatasetInitializer, Initializer
from reference import reference_path

NAMESPACE = "team-a"
LEVELS = ("v2.0", "v2.1", "v2.2")
PARAMETER_TYPES = {"double", "int", "discrete", "categorical"}
KATIB_ALGORITHMS = {"random", "grid", "tpe", "multivariate-tpe", "cmaes", "sobol", "bayesianoptimization", "hyperband"}
PLACEHOLDER = re.compile(r"\$\{trialParameters\.([^}]*)\}")


def trial_fn(lr: float = 0.1, layers: int = 1, optimizer: str = "adam", epochs: int = 1, **extra: Any) -> None:
    """The function of every trial in the matrix: prints the Python type of each argument it gets."""
    import json as _json

    args = {"lr": lr, "layers": layers, "optimizer": optimizer, "epochs": epochs, **extra}
    print("TYPES " + _json.dumps({k: type(v).__name__ for k, v in args.items()}, sort_keys=True))
    print("VALUES " + _json.dumps(args, sort_keys=True, default=str))
    print(f"loss={lr}")


# --- reference data -------------------------------------------------------------------------------------------


def _k8s_schema() -> ModuleType:
    reference_path("kubeflow-trainer", "crds")
    path = Path(__file__).resolve().parents[1] / "trainer" / "k8s_schema.py"
    spec = importlib.util.spec_from_file_location("k8s_schema_for_katib", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache
def _swagger_validator() -> jsonschema.Draft7Validator:
    swagger = json.loads(reference_path("katib", "openapi", "swagger.json").read_text())
    definitions: dict[str, Any] = copy.deepcopy(swagger["definitions"])
    definitions.update(
        {
            "v1.ObjectMeta": {
                "type": "object",
                "properties": {
                    "name": {"type": "string", "pattern": r"^[a-z]([-a-z0-9]{0,52}[a-z0-9])?$"},
                    "namespace": {"type": "string"},
                    "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                    "annotations": {"type": "object", "additionalProperties": {"type": "string"}},
                },
            },
            "v1.Time": {"type": "string"},
            "v1.ListMeta": {"type": "object"},
            "v1.unstructured.Unstructured": {"type": "object", "x-open": True},
            "v1.Container": {"type": "object", "x-open": True},
            "v1.HTTPGetAction": {"type": "object", "x-open": True},
        }
    )

    def close(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "object" and "properties" in node and not node.get("x-open"):
                node.setdefault("additionalProperties", False)
            node.pop("x-open", None)
            for value in node.values():
                close(value)
        elif isinstance(node, list):
            for value in node:
                close(value)

    close(definitions)
    return jsonschema.Draft7Validator({"definitions": definitions, "$ref": "#/definitions/v1beta1.Experiment"})


def _parameter_rules(spec: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    for p in spec["parameters"]:
        space = p["feasibleSpace"]
        if p["parameterType"] not in PARAMETER_TYPES:
            errors.append(f"parameterType {p['parameterType']}")
        if p["parameterType"] in ("double", "int") and not ("min" in space and "max" in space and "list" not in space):
            errors.append(f"{p['name']}: a range needs min and max only")
        if p["parameterType"] in ("categorical", "discrete") and not space.get("list"):
            errors.append(f"{p['name']}: a list parameter needs list")
        if space.get("distribution") not in (None, "uniform", "logUniform", "normal", "logNormal"):
            errors.append(f"{p['name']}: distribution")
    return errors


def _katib_rules(body: dict[str, Any]) -> list[str]:
    """What Katib's webhook checks beyond the types: allowed values, counts, trial parameter references."""
    spec = body["spec"]
    names = [p["name"] for p in spec["parameters"]]
    errors = _parameter_rules(spec)
    objective = spec["objective"]
    if objective["type"] not in ("minimize", "maximize"):
        errors.append("objective.type")
    for strategy in objective.get("metricStrategies") or []:
        if strategy["value"] not in ("min", "max", "latest"):
            errors.append("metricStrategies")
    if spec["algorithm"]["algorithmName"] not in KATIB_ALGORITHMS:
        errors.append("algorithmName")
    if spec["metricsCollectorSpec"]["collector"]["kind"] != "StdOut":
        errors.append("collector kind")
    counts = [spec["parallelTrialCount"], spec["maxTrialCount"], spec.get("maxFailedTrialCount", 0)]
    if not all(isinstance(count, int) for count in counts):
        errors.append("trial counts must be integers")
    elif not (1 <= counts[0] <= counts[1] and counts[2] <= counts[1]):
        errors.append("trial counts")
    template = spec["trialTemplate"]
    declared = [t["name"] for t in template["trialParameters"]]
    if sorted(t["reference"] for t in template["trialParameters"]) != sorted(names):
        errors.append("trialParameters references")
    used = set(PLACEHOLDER.findall(json.dumps(template["trialSpec"])))
    if used != set(declared):
        errors.append(f"placeholders {sorted(used)} != trialParameters {sorted(declared)}")
    if template["primaryContainerName"] != "node" or not template["retain"]:
        errors.append("primaryContainerName/retain")
    for key in ("successCondition", "failureCondition"):
        if not template[key].startswith("status.conditions.#("):
            errors.append(key)
    if "metadata" in template["trialSpec"] and {"name", "namespace"} & set(template["trialSpec"]["metadata"]):
        errors.append("trialSpec carries a name or namespace (Katib sets them)")
    return errors


def validate_experiment(body: dict[str, Any]) -> list[str]:
    """Every reason Katib would refuse (or silently change) an Experiment body."""
    crd = yaml.safe_load(reference_path("katib", "crds", "experiment.yaml").read_text())
    errors = []
    (version,) = [v for v in crd["spec"]["versions"] if v["served"]]
    if (
        body["apiVersion"] != f"{crd['spec']['group']}/{version['name']}"
        or body["kind"] != crd["spec"]["names"]["kind"]
    ):
        errors.append("apiVersion/kind do not match the Experiment CRD")
    if crd["spec"]["scope"] != "Namespaced" or not body["metadata"].get("namespace"):
        errors.append("namespace")
    kept = copy.deepcopy(body)
    pruned = CrdSchema(version["schema"]["openAPIV3Schema"]).prune(kept)
    if pruned or kept != body:
        errors.append(f"the apiserver would prune {pruned}")
    errors += [
        f"swagger: {'.'.join(map(str, e.absolute_path))}: {e.message}" for e in _swagger_validator().iter_errors(body)
    ]
    return errors + _katib_rules(body)


# --- the matrix ------------------------------------------------------------------------------------------------

SPACES: dict[str, dict[str, ParameterSpec]] = {
    "double": {"lr": Search.uniform(0.01, 0.5)},
    "double-log-step": {
        "lr": ParameterSpec(
            parameter_type="double",
            feasible_space=FeasibleSpace(min=0.01, max=0.05, step=0.01, distribution="logUniform"),
        )
    },
    "int": {"layers": Search.integer(1, 4), "epochs": Search.integer(1, 3, step=1)},
    "categorical-str": {"optimizer": Search.choice(["adam", "sgd", "ada grad"])},
    "categorical-typed": {"batch": Search.choice([16, 32]), "shuffle": Search.choice([True, False])},
    "discrete": {
        "momentum": ParameterSpec(parameter_type="discrete", feasible_space=FeasibleSpace(values=[0.5, 0.9, 2]))
    },
    "mixed": {
        "lr": Search.loguniform(0.001, 0.1),
        "layers": Search.integer(1, 3),
        "optimizer": Search.choice(["adam", "sgd"]),
    },
}
ALGORITHMS = {
    "random": RandomSearch(random_state=3),
    "grid": GridSearch(),
    "tpe": TPESearch(random_state=1, n_startup_trials=2),
    "multivariate-tpe": MultivariateTPESearch(),
    "cmaes": CMAESSearch(sigma=0.5, restart_strategy="ipop"),
    "sobol": SobolSearch(random_state=2),
    "bayesianoptimization": BayesianOptimization(n_initial_points=2),
    "hyperband": Hyperband(resource_name="epochs", eta=3, r_l=9),
}
TRAINERS = ("torch", "mpi", "plain-python", "initializer", "packages")


def _runtime(k8s: ModuleType, level: str, kind: str) -> RuntimeObject:
    if kind == "plain-python":
        obj = k8s.plain_runtime(level, NAMESPACE)
    elif kind == "initializer":
        obj = k8s.torch_with_initializers(level, NAMESPACE)
    elif kind == "mpi":
        obj = k8s.shipped_runtime(level, "deepspeed-distributed" if level != "v2.0" else "mpi-distributed")
    else:
        obj = k8s.shipped_runtime(level, "torch-distributed")
    return RuntimeObject(name=obj["metadata"]["name"], kind=obj["kind"], obj=obj)


def _template(kind: str) -> TrainJobTemplate:
    trainer = CustomTrainer(
        func=trial_fn,
        func_args={"epochs": 2, "note": "$HOME `id`"},
        num_nodes=2,
        resources_per_node={"cpu": 2, "memory": "4Gi"},
        packages_to_install=["numpy"] if kind == "packages" else None,
    )
    initializer = (
        Initializer(dataset=HuggingFaceDatasetInitializer(storage_uri="hf://org/data"))
        if kind == "initializer"
        else None
    )
    return TrainJobTemplate(trainer=trainer, initializer=initializer)


def _build(k8s: ModuleType, level: str, trainer_kind: str, space: str, algorithm: str) -> dict[str, Any]:
    template = _template(trainer_kind)
    request = check_request(
        template,
        search_space=SPACES[space],
        trial_config=TrialConfig(num_trials=6, parallel_trials=2, max_failed_trials=2),
        objectives=[Objective(metric="loss"), Objective(metric="accuracy", direction="maximize")],
        algorithm=ALGORITHMS[algorithm],
        early_stopping=MedianStop(min_trials_required=2) if algorithm == "random" else None,
    )
    _check_katib_limits(request)
    trainjob = build_trainjob(
        name="exp-1",
        namespace=NAMESPACE,
        runtime=_runtime(k8s, level, trainer_kind),
        trainer=template.trainer,
        initializer=template.initializer,
        options=[],
        api_level=level,
    )
    assert trainjob.secrets == []
    return build_experiment("exp-1", NAMESPACE, request, trainjob.body)


def _expected_refusal(space: str, algorithm: str) -> str | None:
    params = SPACES[space]
    if algorithm == "grid" and any(
        p.parameter_type == "double" and p.feasible_space.step is None for p in params.values()
    ):
        return "search_space"
    if algorithm == "cmaes" and (
        any(p.parameter_type not in ("double", "int") for p in params.values()) or len(params) < 2
    ):
        return "algorithm"
    if algorithm == "hyperband" and "epochs" not in params:
        return "algorithm"
    return None


def _sample_values(body: dict[str, Any]) -> dict[str, str]:
    values = {}
    for p in body["spec"]["parameters"]:
        space = p["feasibleSpace"]
        values[p["name"]] = space["list"][-1] if "list" in space else space["max"]
    return values


@pytest.mark.parametrize("level", LEVELS)
def test_every_experiment_body_validates(level: str) -> None:
    k8s = _k8s_schema()
    built = refused = 0
    for trainer_kind, space, algorithm in itertools.product(TRAINERS, SPACES, ALGORITHMS):
        expected = _expected_refusal(space, algorithm)
        where = (level, trainer_kind, space, algorithm)
        if expected is not None:
            with pytest.raises(InvalidInputError) as info:
                _build(k8s, level, trainer_kind, space, algorithm)
            assert expected in info.value.field, where
            refused += 1
            continue
        body = _build(k8s, level, trainer_kind, space, algorithm)
        assert validate_experiment(body) == [], where
        trial = substitute(body["spec"]["trialTemplate"]["trialSpec"], _sample_values(body))
        trial.setdefault("metadata", {}).update(name="exp-1-abcdefgh", namespace=NAMESPACE)
        assert k8s.validate(trial, level) == [], where
        built += 1
    assert built >= 200 and refused > 0


def test_validator_catches_what_katib_refuses() -> None:
    k8s = _k8s_schema()
    body = _build(k8s, "v2.2", "torch", "mixed", "random")
    bad = copy.deepcopy(body)
    bad["spec"]["parameters"][0]["feasibleSpace"]["minimum"] = "1"
    bad["spec"]["maxTrialCount"] = "6"
    bad["spec"]["trialTemplate"]["trialParameters"].append({"name": "ghost", "reference": "ghost"})
    errors = validate_experiment(bad)
    assert any("minimum" in e for e in errors) and any("maxTrialCount" in e for e in errors)
    assert any("placeholders" in e for e in errors)


@pytest.mark.parametrize("space", ["mixed", "categorical-typed", "discrete", "int", "categorical-str"])
def test_trial_script_gets_typed_values(space: str) -> None:
    k8s = _k8s_schema()
    body = _build(k8s, "v2.2", "plain-python", space, "random")
    values = _sample_values(body)
    trial = substitute(body["spec"]["trialTemplate"]["trialSpec"], values)
    script = trial["spec"]["trainer"]["args"][-1]
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    lines = dict(line.split(" ", 1) for line in done.stdout.splitlines() if line.startswith(("TYPES", "VALUES")))
    types, got = json.loads(lines["TYPES"]), json.loads(lines["VALUES"])
    expected_types = {
        "lr": "float",
        "layers": "int",
        "epochs": "int",
        "optimizer": "str",
        "batch": "int",
        "shuffle": "bool",
        "momentum": "int",  # the sample is the list's last value, 2
        "note": "str",
    }
    assert {k: types[k] for k in values} == {k: expected_types[k] for k in values}
    assert got["note"] == "$HOME `id`"  # the template's own func_args arrive untouched
    if "epochs" not in values:
        assert got["epochs"] == 2
    for name, text in values.items():
        assert str(got[name]) == text or float(got[name]) == float(text)


def test_categorical_values_katib_cannot_substitute_are_refused() -> None:
    k8s = _k8s_schema()
    for value in ('say "hi"', "it's", "back\\slash", "new\nline"):
        SPACES["bad"] = {"optimizer": Search.choice([value, "sgd"])}
        try:
            with pytest.raises(InvalidInputError) as info:
                _build(k8s, "v2.2", "torch", "bad", "random")
            assert info.value.field == "search_space['optimizer']"
        finally:
            del SPACES["bad"]


def test_long_names_are_refused() -> None:
    k8s = _k8s_schema()
    body = _build(k8s, "v2.2", "torch", "double", "random")
    assert body["metadata"]["name"] == "exp-1"
    request = check_request(_template("torch"), search_space=SPACES["double"])
    with pytest.raises(InvalidInputError) as info:
        build_experiment("x" * 55, NAMESPACE, request, {"spec": {}})
    assert info.value.field == "name"
