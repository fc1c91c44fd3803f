"""kubeflow.model_registry: register, version and find models, on this machine or on a Model Registry server.

```python
from kubeflow.model_registry import ModelRegistryClient

client = ModelRegistryClient()  # the local store: a private SQLite file, no server
client.register_model("mnist", "file:///home/me/out/mnist", version="v1", model_format_name="pytorch")
client.get_model_artifact("mnist", "v1").uri
```

`ModelRegistryClient("https://registry.example.com", user_token=...)` talks to a Kubeflow Model Registry (REST API
v1alpha3) instead. The same client is `kubeflow.hub.ModelRegistryClient`, kubeflow 0.5's name.
"""

from kubeflow.model_registry.client import DEFAULT_EXPERIMENT, ModelRegistryClient
from kubeflow.model_registry.config import LocalModelRegistryConfig, RestModelRegistryConfig
from kubeflow.model_registry.errors import DuplicateError, ModelNotFoundError
from kubeflow.model_registry.metadata import (
    CustomValue,
    MetadataBoolValue,
    MetadataDoubleValue,
    MetadataIntValue,
    MetadataProtoValue,
    MetadataStringValue,
    MetadataStructValue,
    MetadataValue,
    metadata_value,
)
from kubeflow.model_registry.storage import OCIUploadParams, S3UploadParams, StorageConfig, upload_artifact
from kubeflow.model_registry.types import (
    ArtifactState,
    Experiment,
    ExperimentRun,
    ExperimentRunStatus,
    Metric,
    ModelArtifact,
    ModelVersion,
    ModelVersionState,
    Parameter,
    RegisteredModel,
    RegisteredModelState,
    ResourceState,
)
from kubeflow.model_registry.uris import validate_uri

__version__ = "2026.12.0"

__all__ = [
    "DEFAULT_EXPERIMENT",
    "ArtifactState",
    "CustomValue",
    "DuplicateError",
    "Experiment",
    "ExperimentRun",
    "ExperimentRunStatus",
    "LocalModelRegistryConfig",
    "MetadataBoolValue",
    "MetadataDoubleValue",
    "MetadataIntValue",
    "MetadataProtoValue",
    "MetadataStringValue",
    "MetadataStructValue",
    "MetadataValue",
    "Metric",
    "ModelArtifact",
    "ModelNotFoundError",
    "ModelRegistryClient",
    "ModelVersion",
    "ModelVersionState",
    "OCIUploadParams",
    "Parameter",
    "RegisteredModel",
    "RegisteredModelState",
    "ResourceState",
    "RestModelRegistryConfig",
    "S3UploadParams",
    "StorageConfig",
    "__version__",
    "metadata_value",
    "upload_artifact",
    "validate_uri",
]
