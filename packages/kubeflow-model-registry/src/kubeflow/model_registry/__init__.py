"""kubeflow.model_registry: register, version and find models in a Kubeflow Model Registry. PREVIEW.

What exists in this release:

* The types `RegisteredModel`, `ModelVersion` and `ModelArtifact` (and the custom property values
  `Metadata*Value`), which read and write the Model Registry REST API (v1alpha3) JSON.
* `ModelRegistryClient(server_address, port=443, author=None, ...)`.

What does not exist yet: every `ModelRegistryClient` operation (`register_model`, `get_registered_model`,
`get_model_version`, `get_model_artifact`, `list_registered_models`, `update`) raises `NotImplementedError`.

```python
from kubeflow.model_registry import ModelRegistryClient, RegisteredModel
```
"""

from kubeflow.model_registry.client import ModelRegistryClient
from kubeflow.model_registry.metadata import (
    MetadataBoolValue,
    MetadataDoubleValue,
    MetadataIntValue,
    MetadataProtoValue,
    MetadataStringValue,
    MetadataStructValue,
    MetadataValue,
    metadata_value,
)
from kubeflow.model_registry.types import ArtifactState, ModelArtifact, ModelVersion, RegisteredModel, ResourceState

__version__ = "2026.12.0"

__all__ = [
    "ArtifactState",
    "MetadataBoolValue",
    "MetadataDoubleValue",
    "MetadataIntValue",
    "MetadataProtoValue",
    "MetadataStringValue",
    "MetadataStructValue",
    "MetadataValue",
    "ModelArtifact",
    "ModelRegistryClient",
    "ModelVersion",
    "RegisteredModel",
    "ResourceState",
    "__version__",
    "metadata_value",
]
