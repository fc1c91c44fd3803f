"""Train on this machine, register the result, list it and fetch its URI: no cluster, no registry server.

    uv run python examples/register_local_model.py

The job reports its metrics and where it saved the model through `kubeflow.core.local.progress`; the registry logs
the job as an experiment run (parameters, metric history) and links the new model version to it.
"""

from __future__ import annotations

import tempfile

from kubeflow.model_registry import ModelRegistryClient
from kubeflow.trainer import CustomTrainer, TrainerClient


def train(out_dir: str, epochs: int) -> None:
    """Fit y = 2x + 1 by gradient descent and save the weights as JSON."""
    import json
    import pathlib

    from kubeflow.core.local import progress

    w, b, data = 0.0, 0.0, [(x / 10, 2 * x / 10 + 1) for x in range(20)]
    for epoch in range(epochs):
        loss = 0.0
        for x, y in data:
            err = w * x + b - y
            w, b, loss = w - 0.05 * err * x, b - 0.05 * err, loss + err * err / len(data)
        progress.report(progress_percent=100 * (epoch + 1) // epochs, metrics={"loss": loss}, step=epoch)
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "model.json").write_text(json.dumps({"w": w, "b": b}))
    progress.report(metrics={"output_uri": out.resolve().as_uri()})


def main() -> None:
    """Run the laptop flow end to end."""
    out_dir = tempfile.mkdtemp(prefix="linear-")
    trainer = TrainerClient()
    job = trainer.train(
        runtime="python", trainer=CustomTrainer(func=train, func_args={"out_dir": out_dir, "epochs": 30})
    )
    trainer.wait_for_job_status(job)

    registry = ModelRegistryClient(author="me")  # a private SQLite file next to the local jobs
    registry.register_model("linear", version=job, model_format_name="json", from_job=job)
    for model in registry.list_models():
        print("model:", model.name, [v.name for v in registry.list_model_versions(model.name)])
    print("uri:", registry.get_model_artifact("linear", job).uri)
    run = registry.get_experiment_run(job)
    losses = [round(m.value, 4) for m in registry.get_metric_history(run, "loss")]
    print("loss history:", losses[:3], "...", losses[-1])


if __name__ == "__main__":
    main()
