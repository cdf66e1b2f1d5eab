"""Adam's normalised step: SGD's raw step against Adam's on a shrinking gradient (adam.md)."""

from __future__ import annotations

from typing import Any

from hooks.widget_specs._controls import C

STEPS, TAU, LR, FIRST, BLOCK = 1000, 500.0, 0.01, 50, 20
SHARED = {"steps": STEPS, "tau": TAU, "lr": LR, "seed": 0, "first": FIRST, "block": BLOCK}


def static(answers: dict) -> Any:
    from optdocs.plots.style import INK, color, linestyle, new_figure

    sgd, adam = answers["sgd"], answers["adam"]
    fig, (a, b) = new_figure(ncols=2, width=8.0, height=3.2)
    first = range(1, FIRST + 1)
    for i, (name, r) in enumerate((("SGD", sgd), ("Adam", adam))):
        a.plot(first, r["first"], color=color(i), linestyle=linestyle(i), label=name)
        b.plot(sgd["block_end"], r["blocks"], color=color(i), linestyle=linestyle(i))
    b.plot(sgd["block_end"], sgd["scale_blocks"], color=INK, linestyle=":", linewidth=1.0)
    a.axhline(1.0, color=INK, linestyle=":", linewidth=0.8)
    a.set_xlabel("step (the first 50)")
    a.set_ylabel("step / lr")
    a.legend(loc="lower left", fontsize="small")
    b.set_xlabel(f"step ({BLOCK}-step means; dotted: gradient scale)")
    b.set_ylabel("step / lr")
    b.set_ylim(0, 1.3)
    return fig


NAME = "adam-step"
SPEC = {
    "title": "Adam's normalised step",
    "invite": "Move the noise or the betas, or show Adam's steps without bias correction.",
    "alt": f"Step divided by the learning rate for SGD and for Adam (beta1 0.9, beta2 0.999) fed "
           f"the same gradient, which shrinks by a factor e every {TAU:.0f} steps with noise of "
           f"half its size: over the first {FIRST} steps, and as {BLOCK}-step means over "
           f"{STEPS} steps. SGD's step follows the gradient down; Adam's starts at the learning "
           "rate and falls more slowly.",
    "controls": [
        {"name": "noise", "label": "gradient noise σ", "kind": "range", "min": 0.0, "max": 2.0,
         "step": 0.05, "default": 0.5, "grid": [0.0, 0.5, 1.0, 2.0]},
        {"name": "beta1", "label": "β1 (gradient average)", "kind": "range", "min": 0.0,
         "max": 0.99, "step": 0.01, "default": 0.9, "grid": [0.0, 0.9, 0.99]},
        {"name": "beta2", "label": "β2 (squared-gradient average)", "kind": "range", "min": 0.9,
         "max": 0.9995, "step": 0.0005, "default": 0.999, "grid": [0.9, 0.99, 0.995, 0.999]},
        {"name": "uncorrected", "label": "also draw Adam without bias correction",
         "kind": "checkbox", "default": False},
    ],
    "calls": {
        "sgd": {"fn": "optdocs.demos.sgd_normalised_step",
                "kwargs": {"noise": C("noise"), **SHARED}},
        "adam": {"fn": "optdocs.demos.adam_normalised_step",
                 "kwargs": {"noise": C("noise"), "beta1": C("beta1"), "beta2": C("beta2"),
                            **SHARED}},
    },
    "code": ("from optdocs.demos import adam_normalised_step, sgd_normalised_step\n\n"
             "# the gradient g_t = exp(-t / tau) (1 + noise z_t), the same draws for both\n"
             f"shared = dict(steps={STEPS}, tau={TAU}, lr={LR}, seed=0)\n"
             "sgd = sgd_normalised_step(noise={noise}, **shared)\n"
             "adam = adam_normalised_step(noise={noise}, beta1={beta1}, beta2={beta2}, "
             "**shared)\n"
             "raw = adam[\"uncorrected\"]            # Adam's moments without bias correction\n"
             "print(\"step / lr      SGD    Adam   Adam without correction\")\n"
             "for t in (1, 2, 10, 100):\n"
             "    k = f\"step_{{t}}\"\n"
             "    print(f\"step {{t:<4}} {{sgd[k]:9.3f}} {{adam[k]:7.3f}} {{raw[k]:9.3f}}\")\n"
             "for k, end in ((\"mean_mid\", adam[\"mid\"]), (\"mean_end\", adam[\"steps\"])):\n"
             "    print(f\"mean of the 100 steps to {{end}}: SGD {{sgd[k]:.3f}}, \"\n"
             "          f\"Adam {{adam[k]:.3f}}, without correction {{raw[k]:.3f}}\")\n"),
    "static": static,
}
