"""Learning-rate schedules (chapter 11, schedules.md): pick a schedule of optdocs.schedules and its
parameters, see its rate over the steps and what it does to a short noisy run."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C

STEPS, RUNS, NOISE = 200, 50, 1.0
LABELS = {"constant": "constant", "step_decay": "step decay", "exponential_decay":
          "exponential decay", "cosine_annealing": "cosine annealing", "linear_warmup":
          "linear warmup", "warmup_cosine": "warmup + cosine", "one_cycle": "one-cycle"}


def static(answers: dict) -> Any:
    from optdocs.plots.style import INK, color, new_figure

    run, base = answers["run"], answers["baseline"]
    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    a.plot(range(STEPS), base["lr"], color=INK, linestyle="--", linewidth=1.0)
    a.plot(range(STEPS), run["lr"], color=color(0), linewidth=1.6)
    a.set_xlabel("step")
    a.set_ylabel("learning rate")
    b.semilogy(range(STEPS + 1), base["loss"], color=INK, linestyle="--", linewidth=1.0)
    b.semilogy(range(STEPS + 1), run["loss"], color=color(0), linewidth=1.6)
    b.set_xlabel("step")
    b.set_ylabel(f"mean loss, {RUNS} noisy runs")
    return fig


_RUN = {"steps": STEPS, "noise": NOISE, "runs": RUNS, "seed": 0}

NAME = "schedules"
SPEC = {
    "title": "A schedule over a short noisy run",
    "invite": "Pick a schedule and move its settings: the rate and the loss follow.",
    "alt": f"Left: the learning rate of warmup + cosine with peak 0.2 over {STEPS} steps (10% "
           f"warmup), against the constant rate 0.2 (dashed). Right: the mean loss of {RUNS} "
           f"noisy SGD runs on the flat-and-steep bowl with each: the constant rate levels off at "
           f"a noise floor, the schedule ends several times lower.",
    "controls": [
        {"name": "schedule", "label": "schedule", "kind": "select", "default": "warmup_cosine",
         "options": [{"value": k, "label": v} for k, v in LABELS.items()],
         "grid": list(LABELS)},
        {"name": "lr", "label": "peak learning rate", "kind": "range", "min": 0.01, "max": 0.3,
         "step": 0.01, "default": 0.2, "grid": [0.05, 0.1, 0.2, 0.3]},
        {"name": "warmup", "label": "warmup (fraction of the run)", "kind": "range", "min": 0.05,
         "max": 0.5, "step": 0.05, "default": 0.1, "grid": [0.1, 0.3]},
        {"name": "decay", "label": "decay factor", "kind": "range", "min": 0.1, "max": 0.9,
         "step": 0.05, "default": 0.5, "grid": [0.2, 0.5]},
        {"name": "interval", "label": "decay interval (fraction of the run)", "kind": "range",
         "min": 0.05, "max": 1.0, "step": 0.05, "default": 0.25, "grid": [0.25, 0.5]},
    ],
    "calls": {
        "run": {"fn": "optdocs.demos.schedule_run",
                "kwargs": {"schedule": C("schedule"), "lr": C("lr"), "warmup": C("warmup"),
                           "decay": C("decay"), "interval": C("interval"), **_RUN}},
        "baseline": {"fn": "optdocs.demos.schedule_run",
                     "kwargs": {"schedule": "constant", "lr": C("lr"), **_RUN}},
    },
    "code": ("from optdocs.demos import make_schedule, schedule_run\n\n"
             "schedule = make_schedule({schedule}, lr={lr}, total_steps=" + str(STEPS) + ",\n"
             "                         warmup={warmup}, decay={decay}, interval={interval})\n"
             "print(schedule)                # the optdocs.schedules call\n"
             "print(\"rate at steps 0, 50, 100, 199:\", "
             "[round(schedule(t), 5) for t in (0, 50, 100, 199)])\n"
             "settings = dict(steps=" + str(STEPS) + ", noise=" + str(NOISE) + ", runs="
             + str(RUNS) + ", seed=0)\n"
             "run = schedule_run({schedule}, lr={lr}, warmup={warmup}, decay={decay},\n"
             "                   interval={interval}, **settings)\n"
             "constant = schedule_run(\"constant\", lr={lr}, **settings)\n"
             "print(f\"mean loss at the end: {{run['final_loss']:.6g}} \"\n"
             "      f\"(constant rate: {{constant['final_loss']:.6g}})\")\n"),
    "static": static,
}
