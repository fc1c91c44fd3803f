"""The local-process backend: jobs as real, detached process groups on this machine, with durable state.

`LocalProcessBackend(config)` (in `kubeflow.core.local.backend`) runs a job, a `LocalJobSpec` of N node processes
(argv, env, cwd each), under a small supervisor process that outlives the caller. Modules:

* `config`: `LocalProcessBackendConfig` (state directory, environment cache, termination grace period).
* `models`: the spec, the request `submit_dryrun` returns, and the `LocalJobInfo` that `describe` returns.
* `state`: the private state directory (atomic writes, file locks, append-only events).
* `launching`: spec -> request, and starting the supervisor; `supervisor`: the supervisor itself.
* `lifecycle`: dead-supervisor detection and stopping a job; `procs`: pid + start-time process identity.
* `progress`: what a job reports about itself from inside (progress, metrics), append-only.
* `logs`: reading, tailing and following node logs; `envs`: uv-built job environments, cached.
"""
