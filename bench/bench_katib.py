"""Benchmark of kubeflow.katib on the local backend. Prints figures; asserts nothing.

    uv run python bench/bench_katib.py [--trials 20] [--parallel 4] [--seeds 10] [--e2e-seeds 2]

(a) Overhead: `num_trials` trials of a trivial function, `parallel_trials` at a time, each a real trainer job.
    Time from `optimize()` to the best result; per trial, the seconds of a trial slot not spent running the
    function ("overhead per trial", goal <= 0.3 s), split into the driver's start, the trainer job start (supervisor
    and node process) and the rest (suggestions, polling). A plain `TrainerClient.train` of the same function is
    timed for reference.
(b) Search quality on Branin (2-D, global minimum 0.397887): best value after N trials, TPE vs random, over
    several seeds (Optuna's samplers run directly on the function, as the local backend runs them), then a smaller
    end-to-end comparison through `KatibClient`.
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

BRANIN_MIN = 0.397887


def trivial(x: float) -> None:
    from kubeflow.katib import report_metrics

    report_metrics({"loss": (x - 0.5) ** 2})


def branin_trial(x1: float, x2: float) -> None:
    import math

    from kubeflow.katib import report_metrics

    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    report_metrics({"loss": a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s})


def branin(x1: float, x2: float) -> float:
    a, b, c, r, s, t = 1.0, 5.1 / (4 * math.pi**2), 5 / math.pi, 6.0, 10.0, 1 / (8 * math.pi)
    return a * (x2 - b * x1**2 + c * x1 - r) ** 2 + s * (1 - t) * math.cos(x1) + s


def _seconds(start: Any, end: Any) -> float:
    return (end - start).total_seconds() if start and end else float("nan")


def bench_overhead(trials: int, parallel: int) -> None:
    from kubeflow.core.local.config import LocalProcessBackendConfig
    from kubeflow.katib import KatibClient, RandomSearch, Search, TrainJobTemplate, TrialConfig
    from kubeflow.trainer import CustomTrainer, TrainerClient

    with tempfile.TemporaryDirectory() as tmp:
        config = LocalProcessBackendConfig(state_dir=Path(tmp) / "state")
        trainer = TrainerClient(config)
        start = time.perf_counter()
        job_name = trainer.train(runtime="python", trainer=CustomTrainer(func=trivial, func_args={"x": 0.1}))
        trainer.wait_for_job_status(job_name, timeout=120, polling_interval=0.05)
        single = time.perf_counter() - start
        trainer.delete_job(job_name)

        client = KatibClient(config)
        start = time.perf_counter()
        name = client.optimize(
            TrainJobTemplate(trainer=CustomTrainer(func=trivial), runtime="python"),
            search_space={"x": Search.uniform(0, 1)},
            trial_config=TrialConfig(num_trials=trials, parallel_trials=parallel),
            algorithm=RandomSearch(random_state=0),
        )
        submitted = time.perf_counter() - start
        job = client.wait_for_job_status(name, timeout=600, polling_interval=0.05)
        best = client.get_best_results(name)
        total = time.perf_counter() - start
        assert best is not None and job.status == "Complete"
        infos = [trainer.backend.core.describe(t.name) for t in job.trials]  # type: ignore[attr-defined]
        runs = [_seconds(i.nodes[0].started, i.nodes[0].finished) for i in infos]
        starts = [_seconds(i.created, i.nodes[0].started) for i in infos]
        created = sorted(i.created for i in infos)
        first_trial = (created[0] - job.creation_timestamp).total_seconds()
        client.delete_job(name)

    busy = sum(runs)
    overhead = (total * parallel - busy) / trials
    steady = ((total - first_trial) * parallel - busy) / trials
    import os

    load = os.getloadavg()[0]
    print(f"(a) {trials} trials of a trivial function, parallel_trials={parallel} (each a local trainer job)")
    print(f"  optimize() returned in              {submitted * 1000:7.0f} ms")
    print(f"  optimize() -> best result           {total:7.2f} s")
    print(f"  the function's own run per trial    {statistics.median(runs):7.3f} s median (node process start to exit)")
    print(f"  overhead per trial                  {overhead:7.3f} s  (slot-seconds not running the function / trial)")
    print(f"    once the driver runs              {steady:7.3f} s  (the same, from the first trial's start)")
    print(
        f"    of which driver start (once)      {first_trial / trials:7.3f} s  ({first_trial:.2f} s to the first trial)"
    )
    print(f"    of which trainer job start        {statistics.median(starts):7.3f} s median (created -> node started)")
    print(f"  reference: one TrainerClient.train  {single:7.2f} s  (train() -> Complete)")
    print(f"  machine load average at the end     {load:7.2f}  on {os.cpu_count()} CPUs")


def _best_after(values: list[float], n: int) -> float:
    return min(values[:n])


def bench_quality(seeds: int, budgets: list[int]) -> None:
    import warnings

    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)

    def run(sampler: optuna.samplers.BaseSampler, n: int) -> list[float]:
        study = optuna.create_study(sampler=sampler)
        study.optimize(lambda t: branin(t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15)), n_trials=n)
        return [t.value for t in study.trials if t.value is not None]

    samplers = {
        "random": lambda seed: optuna.samplers.RandomSampler(seed=seed),
        "tpe": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=False),
        "multivariate-tpe": lambda seed: optuna.samplers.TPESampler(seed=seed, multivariate=True),
        "cmaes": lambda seed: optuna.samplers.CmaEsSampler(seed=seed, warn_independent_sampling=False),
        "sobol": lambda seed: optuna.samplers.QMCSampler(
            seed=seed, scramble=True, warn_independent_sampling=False, warn_asynchronous_seeding=False
        ),
    }
    top = max(budgets)
    print(f"\n(b) Branin (minimum {BRANIN_MIN}): best value after N trials, mean (median) over {seeds} seeds")
    print("  " + "algorithm".ljust(18) + "".join(f"N={n}".rjust(20) for n in budgets))
    for label, build in samplers.items():
        histories = [run(build(seed), top) for seed in range(seeds)]
        cells = []
        for n in budgets:
            bests = [_best_after(h, n) for h in histories]
            cells.append(f"{statistics.mean(bests):.3f} ({statistics.median(bests):.3f})".rjust(20))
        print("  " + label.ljust(18) + "".join(cells))


def bench_quality_e2e(seeds: int, trials: int) -> None:
    from kubeflow.core.local.config import LocalProcessBackendConfig
    from kubeflow.katib import KatibClient, RandomSearch, Search, TPESearch, TrainJobTemplate, TrialConfig
    from kubeflow.trainer import CustomTrainer

    print(f"\n(b') end to end through KatibClient: Branin, {trials} trials, parallel_trials=2, best value per seed")
    with tempfile.TemporaryDirectory() as tmp:
        client = KatibClient(LocalProcessBackendConfig(state_dir=Path(tmp) / "state"))
        for label, build in (("random", RandomSearch), ("tpe", TPESearch)):
            bests = []
            for seed in range(seeds):
                name = client.optimize(
                    TrainJobTemplate(trainer=CustomTrainer(func=branin_trial), runtime="python"),
                    search_space={"x1": Search.uniform(-5, 10), "x2": Search.uniform(0, 15)},
                    trial_config=TrialConfig(num_trials=trials, parallel_trials=2),
                    algorithm=build(random_state=seed),
                )
                client.wait_for_job_status(name, timeout=900, polling_interval=0.2)
                best = client.get_best_results(name)
                bests.append(float(best.metrics[0].latest) if best else float("nan"))
                client.delete_job(name)
            print(
                f"  {label.ljust(8)} " + "  ".join(f"{b:.3f}" for b in bests) + f"   mean {statistics.mean(bests):.3f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--e2e-seeds", type=int, default=3)
    parser.add_argument("--e2e-trials", type=int, default=30)
    args = parser.parse_args()
    bench_overhead(args.trials, args.parallel)
    bench_quality(args.seeds, [10, 20, 50, 100])
    if args.e2e_seeds:
        bench_quality_e2e(args.e2e_seeds, args.e2e_trials)


if __name__ == "__main__":
    main()
