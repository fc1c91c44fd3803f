"""kubeflow.katib: hyperparameter optimization over Kubeflow Trainer jobs. PREVIEW.

What exists in this release:

* The public types, validated: `TrainJobTemplate` (wraps a `kubeflow.trainer.CustomTrainer`), `Search`
  (`uniform`, `loguniform`, `choice`) building Katib v1beta1 `ParameterSpec`/`FeasibleSpace` models,
  `Objective`, `Algorithm`, `TrialConfig`, and the planned result types `OptimizationJob`, `Trial`,
  `Metric`, `Result`.
* `KatibClient(backend_config=None)`, taking the same backend configs as `kubeflow.trainer.TrainerClient`.

What does not exist yet: every `KatibClient` operation (`optimize`, `list_jobs`, `get_job`, `get_job_logs`,
`get_best_results`, `wait_for_job_status`, `delete_job`) raises `NotImplementedError`.

```python
from kubeflow.katib import KatibClient, Objective, Search, TrainJobTemplate
```
"""

from kubeflow.katib.client import KatibClient
from kubeflow.katib.jobs import Metric, OptimizationJob, Result, Trial
from kubeflow.katib.search import Distribution, FeasibleSpace, ParameterSpec, ParameterType, Search
from kubeflow.katib.types import Algorithm, AlgorithmName, Direction, Objective, TrainJobTemplate, TrialConfig

__version__ = "2026.12.0"

__all__ = [
    "Algorithm",
    "AlgorithmName",
    "Direction",
    "Distribution",
    "FeasibleSpace",
    "KatibClient",
    "Metric",
    "Objective",
    "OptimizationJob",
    "ParameterSpec",
    "ParameterType",
    "Result",
    "Search",
    "TrainJobTemplate",
    "Trial",
    "TrialConfig",
    "__version__",
]
