"""The local Katib state (`<state_dir>/.katib/`) obeys the trainer's trust rules (issue 10, item 2).

An untrusted state root is refused, a symlinked or foreign job directory is never believed (so nothing planted there
is run as a driver or written through), and a damaged spec gives a typed error, not a `KeyError`.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from kubeflow.core.errors import BackendError, ForbiddenError, NotFoundError
from kubeflow.core.local.config import LocalProcessBackendConfig
from kubeflow.katib import KatibClient


def _client(root: Path) -> KatibClient:
    return KatibClient(LocalProcessBackendConfig(state_dir=root, termination_grace_seconds=2))


def test_a_state_root_writable_by_others_is_refused_by_katib_too(tmp_path: Path) -> None:
    root = tmp_path / "state"
    (root / ".katib" / "evil").mkdir(parents=True)
    (root / ".katib" / "evil" / "spec.json").write_text("{}")
    os.chmod(root, 0o777)
    client = _client(root)
    with pytest.raises(ForbiddenError, match="writable by group or others"):
        client.list_jobs()
    with pytest.raises(ForbiddenError):
        client.get_job("evil")
    with pytest.raises(ForbiddenError):
        client.delete_job("evil")


def test_a_symlinked_job_dir_is_never_followed(tmp_path: Path) -> None:
    root = tmp_path / "state"
    (root / ".katib").mkdir(parents=True, mode=0o700)
    os.chmod(root, 0o700)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "spec.json").write_text(json.dumps({"name": "link"}))
    (outside / "template.py").write_text("open('ran', 'w').write('planted code ran')\n")
    (root / ".katib" / "link").symlink_to(outside)
    client = _client(root)
    assert client.list_jobs() == []
    with pytest.raises(NotFoundError):
        client.get_job("link")
    with pytest.raises(NotFoundError):
        client.delete_job("link")
    assert sorted(os.listdir(outside)) == ["spec.json", "template.py"]  # no driver started, nothing written there


def test_a_damaged_spec_is_a_typed_error_and_can_still_be_deleted(tmp_path: Path) -> None:
    root = tmp_path / "state"
    job = root / ".katib" / "bad"
    job.mkdir(parents=True, mode=0o700)
    os.chmod(root, 0o700)
    os.chmod(root / ".katib", 0o700)
    (job / "spec.json").write_text("{}")
    client = _client(root)
    assert client.list_jobs() == []
    with pytest.raises(BackendError, match="unreadable spec"):
        client.get_job("bad")
    client.delete_job("bad")
    assert not job.exists()


def _quick_trial(lr: float) -> None:
    from kubeflow.katib import report_metrics

    report_metrics({"loss": lr})


def test_retention_never_removes_the_job_of_a_trial_its_driver_still_needs(tmp_path: Path) -> None:
    """With `max_finished_jobs=0` and retention running all the time, every trial is still collected."""
    from kubeflow.core.local.backend import LocalProcessBackend
    from kubeflow.katib import RandomSearch, Search, TrainJobTemplate, TrialConfig
    from kubeflow.trainer import CustomTrainer

    root = tmp_path / "state"
    config = LocalProcessBackendConfig(state_dir=root, termination_grace_seconds=2, max_finished_jobs=0)
    client = KatibClient(config)
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=_quick_trial), runtime="python"),
        search_space={"lr": Search.uniform(0.0, 1.0)},
        trial_config=TrialConfig(num_trials=3, parallel_trials=1),
        algorithm=RandomSearch(random_state=0),
    )
    other_client = LocalProcessBackend(config)
    deadline = time.monotonic() + 240
    seen_done_while_running = False
    while (job := client.get_job(name)).status not in ("Complete", "Failed"):
        assert time.monotonic() < deadline, "the optimization did not finish"
        for trial in job.trials:
            if trial.status == "Succeeded":
                seen_done_while_running = True
                assert trial.trainjob is not None, f"{trial.name}'s job was pruned while its driver needed it"
        other_client.prune_finished()  # as any client's retention pass would, at any moment
        time.sleep(0.05)
    job = client.get_job(name)
    assert job.status == "Complete"
    assert [trial.status for trial in job.trials] == ["Succeeded"] * 3
    assert seen_done_while_running


def test_a_state_dir_given_as_a_symlink_to_a_private_dir_works_as_for_the_trainer(tmp_path: Path) -> None:
    from kubeflow.katib import RandomSearch, Search, TrainJobTemplate, TrialConfig
    from kubeflow.trainer import CustomTrainer

    real = tmp_path / "real"
    real.mkdir(mode=0o700)
    os.chmod(real, 0o700)
    (tmp_path / "link").symlink_to(real)
    client = _client(tmp_path / "link")
    name = client.optimize(
        TrainJobTemplate(trainer=CustomTrainer(func=_quick_trial), runtime="python"),
        search_space={"lr": Search.uniform(0.0, 1.0)},
        trial_config=TrialConfig(num_trials=1),
        algorithm=RandomSearch(random_state=0),
    )
    assert client.wait_for_job_status(name, timeout=240).status == "Complete"
    assert (real / ".katib" / name).is_dir()
