"""The training playground (training.md): the circle data and the 2-8-1 network, trained epoch by
epoch with the reader's optimizer, rate, schedule, batch size and clipping; the decision boundary
over the points, the loss and accuracy curves, the epoch at which 90% accuracy is reached."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C

EPOCHS = 100
OPTIMIZERS = ("SGD", "Momentum", "Nesterov", "RMSprop", "Adam", "AdamW")
SCHEDULES = {"constant": "constant", "warmup_cosine": "warmup + cosine",
             "cosine_annealing": "cosine", "step_decay": "step decay (÷10 halfway)",
             "one_cycle": "one-cycle"}
LRS = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)
BATCHES = (8, 16, 32, 64, 200)
CLIPS = {0.0: "off", 0.1: "0.1", 1.0: "1", 10.0: "10"}


def static(answers: dict) -> Any:
    import numpy as np

    from optdocs.plots.style import INK, color, new_figure

    run, data = answers["run"], answers["data"]
    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.4)
    g = np.asarray(run["boundary"]["x"])
    p = np.asarray(run["boundary"]["p"]).reshape(len(g), len(g))
    a.contourf(g, g, p, levels=[0.0, 0.5, 1.0], colors=[color(1), color(0)], alpha=0.25)
    a.contour(g, g, p, levels=[0.5], colors=[INK], linewidths=1.6)
    lab = np.asarray(data["label"]) > 0.5
    x1, x2 = np.asarray(data["x1"]), np.asarray(data["x2"])
    a.scatter(x1[lab], x2[lab], s=10, color=color(0), label="inside (1)")
    a.scatter(x1[~lab], x2[~lab], s=10, color=color(1), marker="^", label="outside (0)")
    a.set_aspect("equal")
    a.set_xlabel("x1")
    a.set_ylabel("x2")
    epochs = range(len(run["loss"]))
    b.plot(epochs, run["loss"], color=color(0), label="loss")
    b.plot(epochs, run["accuracy"], color=color(2), linestyle="--", label="accuracy")
    b.axhline(0.9, color=INK, linestyle=":", linewidth=0.8)
    b.set_xlabel("epoch")
    b.legend()
    return fig


NAME = "playground"
SPEC = {
    "title": "The training playground",
    "invite": "Press Play, or change the optimizer, the rate, the schedule, the batch size or "
              "the clipping: the network trains again from its first epoch.",
    "alt": f"The 2-8-1 network after {EPOCHS} epochs of Adam at learning rate 0.03 on the circle "
           f"data: the region it classifies as inside is a rounded polygon around the points "
           f"inside the circle; beside it the loss falls and the accuracy passes 90% within the "
           f"first epochs.",
    "controls": [
        {"name": "optimizer", "label": "optimizer", "kind": "select", "default": "Adam",
         "options": [{"value": o, "label": "SGD + momentum" if o == "Momentum" else o}
                     for o in OPTIMIZERS], "grid": ["Adam", "SGD"]},
        {"name": "lr", "label": "learning rate", "kind": "select", "default": 0.03,
         "options": [{"value": v, "label": f"{v:g}"} for v in LRS],
         "grid": [0.01, 0.03, 0.1, 0.3]},
        {"name": "schedule", "label": "schedule", "kind": "select", "default": "constant",
         "options": [{"value": k, "label": v} for k, v in SCHEDULES.items()],
         "grid": ["constant"]},
        {"name": "batch_size", "label": "batch size", "kind": "select", "default": 32,
         "integer": True, "options": [{"value": v, "label": str(v)} for v in BATCHES],
         "grid": [32]},
        {"name": "clip", "label": "gradient clipping (max norm)", "kind": "select",
         "default": 0.0, "options": [{"value": k, "label": v} for k, v in CLIPS.items()],
         "grid": [0.0]},
        {"name": "epoch", "label": "epoch", "kind": "state", "min": 0, "max": EPOCHS,
         "default": EPOCHS, "grid": [0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 40, 50, 70, 100]},
    ],
    "calls": {
        "data": {"fn": "optdocs.demos.circle_points", "kwargs": {}},
        "run": {"fn": "optdocs.demos.playground",
                "kwargs": {"optimizer": C("optimizer"), "lr": C("lr"), "schedule": C("schedule"),
                           "batch_size": C("batch_size"), "clip": C("clip"),
                           "epoch": C("epoch"), "epochs": EPOCHS}},
    },
    "code": ("from optdocs.demos import playground\n\n"
             "run = playground({optimizer}, lr={lr}, schedule={schedule}, "
             "batch_size={batch_size},\n"
             "                 clip={clip}, epoch={epoch}, epochs=" + str(EPOCHS) + ")\n"
             "print(f\"after {{run['stopped_at']}} epochs: loss {{run['final_loss']:.6f}}, \"\n"
             "      f\"accuracy {{run['final_accuracy']:.1%}}\")\n"
             "print(\"first epoch at 90% accuracy:\", run[\"epochs_to_90\"])\n"),
    "static": static,
}
