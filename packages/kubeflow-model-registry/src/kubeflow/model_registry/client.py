"""`ModelRegistryClient`: register, version and find models, on this machine or on a Model Registry server.

One implementation behind `kubeflow.model_registry` and `kubeflow.hub` (kubeflow 0.5's names, signatures, return
types and exceptions). The backend follows the config: no server (the default) or a `file://` URL is the embedded
local store; an `http(s)://` URL is the Model Registry REST API.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote, urlsplit

from pydantic import ValidationError

from kubeflow.core.errors import InvalidInputError, KubeflowError, NotFoundError
from kubeflow.model_registry.config import LocalModelRegistryConfig, RegistryConfig, RestModelRegistryConfig
from kubeflow.model_registry.errors import DuplicateError, ModelNotFoundError, store_error
from kubeflow.model_registry.metadata import CustomValue, check_custom_value
from kubeflow.model_registry.types import (
    Experiment,
    ExperimentRun,
    Metric,
    ModelArtifact,
    ModelVersion,
    Parameter,
    RegisteredModel,
    RegistryModel,
    ResourceState,
)
from kubeflow.model_registry.uris import validate_uri

if TYPE_CHECKING:
    from kubeflow.core.local.config import LocalProcessBackendConfig
    from kubeflow.model_registry.experiments import JobRecord
    from kubeflow.model_registry.storage import StorageConfig
    from kubeflow.model_registry.store.base import Body, Kind, OrderBy, RegistryStore, SortOrder

M = TypeVar("M", bound=RegistryModel)

DEFAULT_EXPERIMENT = "trainer-jobs"
"""The experiment trainer jobs are logged under unless another is named."""
_PROGRESS_SEEN = "kubeflow.progress_records"


def _text(field: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str) or not value.strip():
        raise InvalidInputError(field, f"must be a non-empty string, got {value!r}.")


def _key(field: str, value: object, *, optional: bool = False) -> None:
    """`_text`, and printable ASCII: the API finds resources by name and external id only in that alphabet."""
    _text(field, value, optional=optional)
    if isinstance(value, str) and not all(" " <= char <= "~" for char in value):
        raise InvalidInputError(
            field,
            f"{value!r} holds characters outside printable ASCII, which the Model Registry API cannot look up.",
            "Use letters, digits, spaces and ASCII punctuation.",
        )


def _local_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost") or not parts.path:
        raise InvalidInputError(
            "base_url", f"{url!r} is not a file URL of a local path.", "Give file:///abs/registry.db."
        )
    return Path(unquote(parts.path))


def _config(
    base_url: str | RegistryConfig | None,
    port: int | None,
    is_secure: bool | None,
    user_token: str | None,
    custom_ca: str | None,
    backend_config: RegistryConfig | None,
) -> RegistryConfig:
    if isinstance(base_url, (LocalModelRegistryConfig, RestModelRegistryConfig)) and backend_config is None:
        base_url, backend_config = None, base_url  # ModelRegistryClient(LocalModelRegistryConfig()), as TrainerClient
    if backend_config is not None:
        if not isinstance(backend_config, (LocalModelRegistryConfig, RestModelRegistryConfig)):
            raise InvalidInputError(
                "backend_config",
                f"must be LocalModelRegistryConfig or RestModelRegistryConfig, got {type(backend_config).__name__}.",
            )
        if base_url is not None:
            raise InvalidInputError("base_url", "give either base_url or backend_config, not both.")
        return backend_config
    if port is not None and (isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535):
        raise InvalidInputError("port", f"must be an integer from 1 to 65535, got {port!r}.")
    if base_url is None:
        return LocalModelRegistryConfig()
    if not isinstance(base_url, str) or not base_url.strip():
        raise InvalidInputError("base_url", f"must be a URL, a backend config or None, got {base_url!r}.")
    if base_url.startswith("file:"):
        return LocalModelRegistryConfig(path=_local_path(base_url))
    try:
        return RestModelRegistryConfig(
            base_url=base_url, port=port, is_secure=is_secure, user_token=user_token, custom_ca=custom_ca
        )
    except ValidationError as exc:
        error = exc.errors()[0]
        raise InvalidInputError(".".join(str(p) for p in error["loc"]) or "base_url", error["msg"]) from None


def _metadata(metadata: Mapping[str, Any] | None, field: str = "metadata") -> dict[str, CustomValue]:
    if metadata is None:
        return {}
    if not isinstance(metadata, Mapping):
        raise InvalidInputError(field, f"must be a mapping of names to values, got {type(metadata).__name__}.")
    checked: dict[str, CustomValue] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not key:
            raise InvalidInputError(field, f"keys must be non-empty strings, got {key!r}.")
        checked[key] = check_custom_value(f"{field}[{key!r}]", value)
    return checked


def _build(cls: type[M], field: str, **values: Any) -> M:
    try:
        return cls(**values)
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise InvalidInputError(f"{field}.{where}" if where else field, error["msg"]) from None


def _check_register_arguments(**values: object) -> None:
    _key("name", values.pop("name"))
    _key("version", values.pop("version"))
    _key("external_id", values.pop("external_id"), optional=True)
    _key("experiment", values.pop("experiment"), optional=True)
    for field, value in values.items():
        if value is not None and not isinstance(value, str):
            raise InvalidInputError(field, f"must be a string, got {type(value).__name__}.")


class ModelRegistryClient:
    """Register models and find their versions and artifacts, locally or in a Kubeflow Model Registry.

    ```python
    client = ModelRegistryClient()                                  # the local store, no server
    client = ModelRegistryClient("file:///srv/registry.sqlite3")    # a local store at that path
    client = ModelRegistryClient("https://registry.example.com", author="me", user_token=token)
    ```

    Returned objects are `RegisteredModel`, `ModelVersion` and `ModelArtifact` with the attribute names of the
    upstream `model_registry.types` objects kubeflow 0.5 returned.
    """

    def __init__(
        self,
        base_url: str | RegistryConfig | None = None,
        port: int | None = None,
        *,
        author: str | None = None,
        is_secure: bool | None = None,
        user_token: str | None = None,
        custom_ca: str | None = None,
        backend_config: RegistryConfig | None = None,
        job_backend_config: LocalProcessBackendConfig | None = None,
    ) -> None:
        """Choose the backend (nothing is opened or contacted until the first operation).

        Args:
            base_url: `None` (the default) for the local store in the per-user state directory; `file:///path`
                for a local store at that path; `https://host[:port]` or `http://host[:port]` for a Model Registry
                server (a scheme-less host means https); or a backend config, as `TrainerClient(config)` takes.
            port: The server port; inferred from the scheme when not given (443 for https, 8080 for http).
            author: The default author (and owner) of what this client registers.
            is_secure: Use TLS; inferred from the scheme. `False` with an https URL skips certificate checks.
            user_token: Bearer token for the server (else read from `$KF_PIPELINES_SA_TOKEN_PATH` or the pod's
                service-account token). Never logged or shown.
            custom_ca: Path of a PEM CA bundle that signs the server's certificate.
            backend_config: A `LocalModelRegistryConfig` or `RestModelRegistryConfig` instead of the above.
            job_backend_config: Where `from_job=` and `log_job` find local trainer jobs (default: the per-user
                local-process state directory, the one `TrainerClient()` uses).

        Raises:
            InvalidInputError: A setting is malformed (field named).
        """
        _text("author", author, optional=True)
        self.backend_config: RegistryConfig = _config(base_url, port, is_secure, user_token, custom_ca, backend_config)
        self.author = author
        self.job_backend_config = job_backend_config
        self._store: RegistryStore | None = None
        if isinstance(self.backend_config, RestModelRegistryConfig):
            from kubeflow.model_registry.store.http import HttpTransport  # validates the URL and CA now

            HttpTransport(self.backend_config)

    def __repr__(self) -> str:
        config = self.backend_config
        where = (
            f"path={str(config.path)!r}"
            if isinstance(config, LocalModelRegistryConfig)
            else f"base_url={config.base_url!r}"
        )
        return f"ModelRegistryClient({where})"

    @property
    def store(self) -> RegistryStore:
        """The backend store (opened on first use)."""
        if self._store is None:
            from kubeflow.model_registry.store import create_store

            self._store = create_store(self.backend_config)
        return self._store

    def close(self) -> None:
        """Release the store's connections."""
        if self._store is not None:
            self._store.close()

    def __enter__(self) -> ModelRegistryClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        transaction = getattr(self.store, "transaction", None)
        if transaction is None:
            yield
        else:
            with transaction():
                yield

    @staticmethod
    def _raise(error: KubeflowError) -> Any:
        raise store_error(error)

    def _call(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except KubeflowError as exc:
            compat = store_error(exc)
            if compat is exc:
                raise
            raise compat from exc

    # ---------------------------------------------------------------- register

    def register_model(
        self,
        name: str,
        uri: str | None = None,
        *,
        version: str,
        model_format_name: str | None = None,
        model_format_version: str | None = None,
        author: str | None = None,
        owner: str | None = None,
        version_description: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        storage_config: StorageConfig | None = None,
        description: str | None = None,
        external_id: str | None = None,
        from_job: str | Any | None = None,
        experiment: str | None = None,
    ) -> RegisteredModel:
        """Register a version of a model and its artifact, creating the registered model if needed.

        Every argument is checked before anything is written; on the local store the whole registration is one
        transaction.

        Args:
            name: The registered model's name.
            uri: Where the model files are: `file:///abs/path`, `s3://bucket/key`, `hf://org/model`,
                `oci://registry/repo:tag` (also `gs://`, `pvc://`, `http(s)://`). With `from_job`, it defaults to
                the `output_uri` the job reported.
            version: The version name, unique within the model (e.g. `v1`).
            model_format_name: The model format, e.g. `pytorch` or `onnx`.
            model_format_version: The format's version.
            author: The version's author; defaults to the client's `author`.
            owner: The registered model's owner (when the model is created); defaults to the client's `author`.
            version_description: The version's description.
            metadata: Custom properties of the version: `str`, `int`, `float`, `bool`, `MetadataStructValue` or
                `MetadataProtoValue` values.
            storage_config: How KServe fetches the files (`StorageConfig(storage_key=, storage_path=,
                service_account_name=)`).
            description: The registered model's description (when the model is created).
            external_id: The version's id in your own system (unique in the registry).
            from_job: A local trainer job (its name, or the `TrainJob`): it is logged as an experiment run
                (parameters and metric history) and the version's artifact is linked to that run and to the job's
                output.
            experiment: The experiment `from_job` is logged under (default `trainer-jobs`).

        Returns:
            The registered model.

        Raises:
            InvalidInputError: An argument is empty or malformed (field named), e.g. a malformed `uri` or a
                `metadata` value of an unsupported type.
            DuplicateError: The model already has this version (also an upstream `StoreError` where imported).
        """
        _check_register_arguments(
            name=name,
            version=version,
            model_format_name=model_format_name,
            model_format_version=model_format_version,
            author=author,
            owner=owner,
            version_description=version_description,
            description=description,
            external_id=external_id,
            experiment=experiment,
        )
        properties = _metadata(metadata)
        job: JobRecord | None = None
        if from_job is not None:
            from kubeflow.model_registry.experiments import read_job

            job = read_job(from_job, self.job_backend_config)
            if uri is None:
                if job.output_uri is None:
                    raise InvalidInputError(
                        "uri",
                        f"job {from_job!r} reported no output_uri.",
                        "Pass uri=, or report it from the job: progress.report(metrics={'output_uri': ...}).",
                    )
                uri = job.output_uri
        if uri is None:
            raise InvalidInputError("uri", "is required.", "Give where the model files are, e.g. s3://bucket/key.")
        validate_uri(uri)
        storage = storage_config
        if storage is not None and not all(
            hasattr(storage, key) for key in ("storage_key", "storage_path", "service_account_name")
        ):
            raise InvalidInputError("storage_config", f"must be a StorageConfig, got {type(storage).__name__}.")
        who = author or self.author
        model = _build(RegisteredModel, "name", name=name, owner=owner or self.author, description=description)
        mv = _build(
            ModelVersion,
            "version",
            name=version,
            author=who,
            description=version_description,
            custom_properties=properties or None,
            external_id=external_id,
        )
        artifact = _build(
            ModelArtifact,
            "uri",
            name=name,
            uri=uri,
            model_format_name=model_format_name,
            model_format_version=model_format_version,
            storage_key=getattr(storage, "storage_key", None),
            storage_path=getattr(storage, "storage_path", None),
            service_account_name=getattr(storage, "service_account_name", None),
        )
        if job is not None:
            artifact.model_source_kind = "kubeflow-trainer"
            artifact.model_source_class = "trainjob"
            artifact.model_source_group = job.state_dir
            artifact.model_source_id = job.name
            artifact.model_source_name = job.name
        existing = self._call(self.store.find, "registered_model", name=name)
        if existing is not None and self._call(
            self.store.find, "model_version", name=version, parent_id=existing["id"]
        ):
            self._raise(
                DuplicateError(
                    "version", f"model {name!r} already has a version {version!r}.", "Choose a new version name."
                )
            )
        if external_id is not None and self._call(self.store.find, "model_version", external_id=external_id):
            self._raise(DuplicateError("external_id", f"a model version with external id {external_id!r} exists."))
        return self._write_registration(model, mv, artifact, existing, job, experiment or DEFAULT_EXPERIMENT, who)

    def _write_registration(
        self,
        model: RegisteredModel,
        mv: ModelVersion,
        artifact: ModelArtifact,
        existing: Body | None,
        job: JobRecord | None,
        experiment: str,
        who: str | None,
    ) -> RegisteredModel:
        name, version = model.name, mv.name
        with self._transaction():
            if job is not None:
                run = self._log(job, experiment, who)
                artifact.experiment_id = run.experiment_id
                artifact.experiment_run_id = run.id
            rm = self._model_for(model, existing)
            try:
                created = self._call(
                    self.store.create, "model_version", {**mv.create_body(), "registeredModelId": rm.id}
                )
            except DuplicateError:
                raise
            except KubeflowError as exc:
                if getattr(exc, "status", None) == 409:
                    self._raise(DuplicateError("version", f"model {name!r} already has a version {version!r}."))
                raise
            try:
                self._call(self.store.create, "model_artifact", artifact.create_body(), created["id"])
            except KubeflowError:
                if not hasattr(self.store, "transaction"):
                    with contextlib.suppress(KubeflowError):
                        self.store.update("model_version", created["id"], {"state": "ARCHIVED"})
                raise
        return rm

    def _model_for(self, model: RegisteredModel, existing: Body | None) -> RegisteredModel:
        if existing is not None:
            return RegisteredModel.model_validate(existing)
        try:
            return RegisteredModel.model_validate(self.store.create("registered_model", model.create_body()))
        except KubeflowError as exc:
            if getattr(exc, "status", None) != 409:
                raise
            found = self._call(self.store.find, "registered_model", name=model.name)
            if found is None:
                raise
            return RegisteredModel.model_validate(found)

    # ---------------------------------------------------------------- get

    def _model_body(self, name: str) -> Body:
        _key("name", name)
        found = self._call(self.store.find, "registered_model", name=name)
        if found is None:
            self._raise(ModelNotFoundError(f"Model {name!r} not found", reason="NotFound"))
        body: Body = found
        return body

    def _version_body(self, name: str, version: str) -> Body:
        _key("version", version)
        model = self._model_body(name)
        found = self._call(self.store.find, "model_version", name=version, parent_id=model["id"])
        if found is None:
            self._raise(
                ModelNotFoundError(f"Model version {version!r} not found for model {name!r}", reason="NotFound")
            )
        body: Body = found
        return body

    def get_model(self, name: str) -> RegisteredModel:
        """The registered model called `name`.

        Raises:
            ValueError: No such model (a `ModelNotFoundError`).
        """
        return RegisteredModel.model_validate(self._model_body(name))

    def get_model_version(self, name: str, version: str) -> ModelVersion:
        """Version `version` of the model called `name`.

        Raises:
            ValueError: No such model or version (a `ModelNotFoundError`; also an upstream `StoreError` where
                imported, as 0.5 raised for a missing model).
        """
        return ModelVersion.model_validate(self._version_body(name, version))

    def get_model_artifact(self, name: str, version: str) -> ModelArtifact:
        """The model artifact of version `version` of the model called `name`.

        Raises:
            ValueError: No such model, version or artifact (a `ModelNotFoundError`).
        """
        mv = self._version_body(name, version)
        found = self._call(self.store.find, "model_artifact", name=name, parent_id=mv["id"])
        if found is None:
            page = self._call(self.store.list, "model_artifact", parent_id=mv["id"], page_size=1)
            found = page.items[0] if page.items else None
        if found is None:
            self._raise(ModelNotFoundError(f"Model artifact not found for model {name!r} version {version!r}"))
        return ModelArtifact.model_validate(found)

    def find_model(self, name: str | None = None, *, external_id: str | None = None) -> RegisteredModel | None:
        """The registered model with that name or external id, or `None`."""
        body = self._find("registered_model", name, external_id)
        return None if body is None else RegisteredModel.model_validate(body)

    def find_model_version(
        self, name: str | None = None, version: str | None = None, *, external_id: str | None = None
    ) -> ModelVersion | None:
        """The version `version` of model `name`, or the version with that external id; `None` if absent."""
        if external_id is not None:
            body = self._find("model_version", None, external_id)
        else:
            _key("version", version)
            model = self.find_model(name)
            body = (
                None
                if model is None
                else self._call(self.store.find, "model_version", name=version, parent_id=model.id)
            )
        return None if body is None else ModelVersion.model_validate(body)

    def find_model_artifact(self, *, external_id: str) -> ModelArtifact | None:
        """The model artifact with that external id, or `None`."""
        body = self._find("model_artifact", None, external_id)
        return None if body is None else ModelArtifact.model_validate(body)

    def _find(self, kind: Kind, name: str | None, external_id: str | None) -> Body | None:
        if (name is None) == (external_id is None):
            raise InvalidInputError("name", "give exactly one of name and external_id.")
        _key("external_id" if name is None else "name", external_id if name is None else name)
        found: Body | None = self._call(self.store.find, kind, name=name, external_id=external_id)
        return found

    # ---------------------------------------------------------------- update and archive

    def _update(self, obj: M, cls: type[M], kind: Kind, argument: str) -> M:
        if not isinstance(obj, cls):
            raise TypeError(f"Expected {cls.__name__}, got {type(obj).__name__}. ")
        if not obj.id:
            self._raise(
                InvalidInputError(
                    f"{argument}.id",
                    f"the {cls.__name__} has no id.",
                    f"Update a {cls.__name__} you got from this client.",
                )
            )
        assert obj.id is not None
        if isinstance(obj, ModelArtifact) and obj.uri is not None:
            validate_uri(obj.uri, f"{argument}.uri")
        for key, value in (obj.custom_properties or {}).items():  # also values put in the dict in place
            check_custom_value(f"{argument}.custom_properties[{key!r}]", value)
        body = obj.update_body()
        try:
            return cls.model_validate(self._call(self.store.update, kind, obj.id, body))
        except NotFoundError as exc:
            raise store_error(ModelNotFoundError(f"{cls.__name__} {obj.id!r} not found: {exc}")) from exc

    def update_model(self, model: RegisteredModel) -> RegisteredModel:
        """Send a registered model's changed fields and return the stored model.

        Raises:
            TypeError: `model` is not a `RegisteredModel`.
            InvalidInputError: It has no id (it was not read from the registry).
        """
        return self._update(model, RegisteredModel, "registered_model", "model")

    def update_model_version(self, model_version: ModelVersion) -> ModelVersion:
        """Send a model version's changed fields and return the stored version.

        Raises:
            TypeError: `model_version` is not a `ModelVersion`.
            InvalidInputError: It has no id.
        """
        return self._update(model_version, ModelVersion, "model_version", "model_version")

    def update_model_artifact(self, model_artifact: ModelArtifact) -> ModelArtifact:
        """Send a model artifact's changed fields and return the stored artifact.

        Raises:
            TypeError: `model_artifact` is not a `ModelArtifact`.
            InvalidInputError: It has no id, or its new `uri` is malformed.
        """
        return self._update(model_artifact, ModelArtifact, "model_artifact", "model_artifact")

    def archive_model(self, name: str) -> RegisteredModel:
        """Archive a registered model (state `ARCHIVED`; the API has no delete). It stays readable.

        Raises:
            ValueError: No such model.
        """
        model = self.get_model(name)
        model.state = ResourceState.ARCHIVED
        return self.update_model(model)

    def archive_model_version(self, name: str, version: str) -> ModelVersion:
        """Archive one version of a model (state `ARCHIVED`).

        Raises:
            ValueError: No such model or version.
        """
        mv = self.get_model_version(name, version)
        mv.state = ResourceState.ARCHIVED
        return self.update_model_version(mv)

    # ---------------------------------------------------------------- list

    def _pages(
        self, kind: Kind, parent_id: str | None, page_size: int | None, order_by: OrderBy, sort_order: SortOrder
    ) -> Iterator[Body]:
        size = page_size or (
            self.backend_config.page_size if isinstance(self.backend_config, RestModelRegistryConfig) else 100
        )
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise InvalidInputError("page_size", f"must be a positive integer, got {page_size!r}.")
        if order_by not in ("ID", "CREATE_TIME", "LAST_UPDATE_TIME"):
            raise InvalidInputError("order_by", f"must be ID, CREATE_TIME or LAST_UPDATE_TIME, got {order_by!r}.")
        if sort_order not in ("ASC", "DESC"):
            raise InvalidInputError("sort_order", f"must be ASC or DESC, got {sort_order!r}.")
        token: str | None = None
        seen: set[str] = set()
        while True:
            page = self._call(
                self.store.list,
                kind,
                parent_id=parent_id,
                page_size=size,
                order_by=order_by,
                sort_order=sort_order,
                page_token=token,
            )
            yield from page.items
            if not page.next_page_token or page.next_page_token in seen or not page.items:
                return
            seen.add(page.next_page_token)
            token = page.next_page_token

    def list_models(
        self, *, page_size: int | None = None, order_by: OrderBy = "ID", sort_order: SortOrder = "ASC"
    ) -> Iterator[RegisteredModel]:
        """Every registered model, fetched lazily one server-side page at a time.

        Yields:
            Registered models, ordered by `order_by` (`ID`, `CREATE_TIME`, `LAST_UPDATE_TIME`) and `sort_order`.
        """
        for body in self._pages("registered_model", None, page_size, order_by, sort_order):
            yield RegisteredModel.model_validate(body)

    def list_model_versions(
        self, name: str, *, page_size: int | None = None, order_by: OrderBy = "ID", sort_order: SortOrder = "ASC"
    ) -> Iterator[ModelVersion]:
        """Every version of the model called `name`, fetched lazily one page at a time.

        Raises:
            ValueError: No such model (on the first `next()`).
        """
        model = self._model_body(name)
        for body in self._pages("model_version", model["id"], page_size, order_by, sort_order):
            yield ModelVersion.model_validate(body)

    def list_model_artifacts(self, name: str, version: str) -> Iterator[ModelArtifact]:
        """Every model artifact of one version of a model, lazily."""
        mv = self._version_body(name, version)
        for body in self._pages("model_artifact", mv["id"], None, "ID", "ASC"):
            yield ModelArtifact.model_validate(body)

    # ---------------------------------------------------------------- experiments

    def log_job(self, job: str | Any, *, experiment: str | None = None, owner: str | None = None) -> ExperimentRun:
        """Log a local trainer job as a run of `experiment`: its parameters, status and metric history.

        Logging the same job again updates the run and adds only the values reported since.

        Raises:
            InvalidInputError: There is no such local job (field `from_job`).
        """
        _key("experiment", experiment, optional=True)
        from kubeflow.model_registry.experiments import read_job

        record = read_job(job, self.job_backend_config)
        with self._transaction():
            return self._log(record, experiment or DEFAULT_EXPERIMENT, owner or self.author)

    def _log(self, job: JobRecord, experiment: str, owner: str | None) -> ExperimentRun:
        found = self._call(self.store.find, "experiment", name=experiment)
        if found is None:
            body = _build(Experiment, "experiment", name=experiment, owner=owner).create_body()
            try:
                found = self.store.create("experiment", body)
            except KubeflowError as exc:
                found = self._call(self.store.find, "experiment", name=experiment)
                if found is None:
                    raise store_error(exc) from exc
        exp = Experiment.model_validate(found)
        assert exp.id is not None
        run_body = self._call(self.store.find, "experiment_run", name=job.name, parent_id=exp.id)
        external = f"local-trainjob:{job.name}:{job.created_ms}"
        if run_body is not None and run_body.get("externalId") not in (None, external):
            raise InvalidInputError(
                "from_job",
                f"experiment {experiment!r} already has a run {job.name!r} from an earlier job of that name.",
            )
        fields: dict[str, Any] = {"status": job.status, "owner": owner}
        if job.finished_ms is not None:
            fields["end_time_since_epoch"] = str(job.finished_ms)
        if run_body is None:
            run = _build(
                ExperimentRun,
                "from_job",
                name=job.name,
                experiment_id=exp.id,
                external_id=external,
                start_time_since_epoch=str(job.started_ms or job.created_ms),
                custom_properties={_PROGRESS_SEEN: 0},
                **fields,
            )
            run_body = self._call(self.store.create, "experiment_run", run.create_body())
            run = ExperimentRun.model_validate(run_body)
            assert run.id is not None
            for key, (value, kind) in job.parameters.items():
                parameter = Parameter.model_validate({"name": key, "value": value, "parameterType": kind})
                self._call(self.store.create, "parameter", parameter.create_body(), run.id)
        run = ExperimentRun.model_validate(run_body)
        assert run.id is not None
        counted = (run.custom_properties or {}).get(_PROGRESS_SEEN, 0)
        seen = counted if isinstance(counted, int) else 0
        for point in job.metrics[seen:]:
            metric = Metric(name=point.name, value=point.value, step=point.step, timestamp=str(point.timestamp_ms))
            self._call(self.store.log_metric, run.id, metric.create_body())
        for key, value in fields.items():
            setattr(run, key, value)
        run.custom_properties = {**(run.custom_properties or {}), _PROGRESS_SEEN: len(job.metrics)}
        return ExperimentRun.model_validate(self._call(self.store.update, "experiment_run", run.id, run.update_body()))

    def get_experiment(self, name: str) -> Experiment:
        """The experiment called `name`.

        Raises:
            ValueError: No such experiment.
        """
        _key("name", name)
        found = self._call(self.store.find, "experiment", name=name)
        if found is None:
            self._raise(ModelNotFoundError(f"Experiment {name!r} not found"))
        return Experiment.model_validate(found)

    def list_experiments(self) -> Iterator[Experiment]:
        """Every experiment, lazily."""
        for body in self._pages("experiment", None, None, "ID", "ASC"):
            yield Experiment.model_validate(body)

    def get_experiment_run(self, run: str, *, experiment: str | None = None) -> ExperimentRun:
        """The run called `run` (a job name) in `experiment` (default `trainer-jobs`).

        Raises:
            ValueError: No such experiment or run.
        """
        exp = self.get_experiment(experiment or DEFAULT_EXPERIMENT)
        found = self._call(self.store.find, "experiment_run", name=run, parent_id=exp.id)
        if found is None:
            self._raise(ModelNotFoundError(f"Run {run!r} not found in experiment {exp.name!r}"))
        return ExperimentRun.model_validate(found)

    def list_experiment_runs(self, experiment: str | None = None) -> Iterator[ExperimentRun]:
        """Every run of `experiment` (default `trainer-jobs`), lazily."""
        exp = self.get_experiment(experiment or DEFAULT_EXPERIMENT)
        for body in self._pages("experiment_run", exp.id, None, "ID", "ASC"):
            yield ExperimentRun.model_validate(body)

    def get_run_parameters(self, run: ExperimentRun) -> dict[str, Parameter]:
        """The parameters of a run, by name."""
        assert run.id is not None
        return {
            item.name: item
            for item in (Parameter.model_validate(body) for body in self._pages("parameter", run.id, None, "ID", "ASC"))
        }

    def get_metric_history(self, run: ExperimentRun, name: str | None = None) -> list[Metric]:
        """Every value the run's metrics took (only metric `name`'s if given), in the order they were logged."""
        assert run.id is not None
        history: list[Metric] = []
        token: str | None = None
        while True:
            page = self._call(self.store.metric_history, run.id, name=name, page_size=100, page_token=token)
            history += [Metric.model_validate(body) for body in page.items]
            if not page.next_page_token or not page.items:
                return history
            token = page.next_page_token


__all__ = ["DEFAULT_EXPERIMENT", "ModelRegistryClient"]
