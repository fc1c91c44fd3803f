"""kubeflow.pipelines: build and run Kubeflow Pipelines. PREVIEW.

What exists in this release: the planned `PipelinesClient` and the types `Run` and `RunStatus`.
What does not exist yet: every `PipelinesClient` operation (`create_run_from_pipeline_func`, `list_runs`,
`get_run`, `wait_for_run_completion`, `delete_run`) raises `NotImplementedError`.

```python
from kubeflow.pipelines import PipelinesClient, Run, RunStatus
```
"""

from kubeflow.pipelines.client import PipelinesClient
from kubeflow.pipelines.types import Run, RunStatus

__version__ = "2026.12.0"

__all__ = ["PipelinesClient", "Run", "RunStatus", "__version__"]
