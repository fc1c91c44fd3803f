"""kubeflow.hub: kubeflow 0.5's model registry API, served by `kubeflow.model_registry` (one implementation).

Code written for kubeflow 0.5 runs unchanged: `ModelRegistryClient(base_url, port=None, *, author, is_secure,
user_token, custom_ca)`, `register_model`, `get_model*`, `update_model*`, `list_models`, `list_model_versions`,
`StorageConfig`, `S3UploadParams`, `OCIUploadParams`, `upload_artifact`. It no longer needs the `model-registry`
package or a server: `ModelRegistryClient()` (no URL) or a `file://` URL uses the local store.
"""

from kubeflow.hub.api.model_registry_client import ModelRegistryClient
from kubeflow.hub.storage import upload_artifact
from kubeflow.hub.types.types import OCIUploadParams, S3UploadParams, StorageConfig

__all__ = ["ModelRegistryClient", "OCIUploadParams", "S3UploadParams", "StorageConfig", "upload_artifact"]
