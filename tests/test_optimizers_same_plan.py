"""The quick check of a dict or list of arrays stepped again (``Optimizer._same_plan``).

After the first step, a dict or list with the keys, shapes and dtypes of the last step is planned
with a few cheap checks; anything else goes through ``pair`` and ``_plan``, which convert what can
be converted and name what cannot. Every test runs the same sequence of steps twice, once with the
quick check turned off, and requires the same bits and the same errors.
"""

import numpy as np
import pytest

from optdocs import SGD, Adam, AdamW
from optdocs.optimizers.base import Optimizer


def params():
    return {"w": np.array([[1.0, -2.0], [0.5, 3.0]]), "b": np.array([0.1, -0.2])}


def grads(scale=1.0):
    return {"w": scale * np.array([[0.3, -0.1], [0.2, 0.4]]), "b": scale * np.array([-0.5, 0.25])}


# each step's (params -> params, grads) given the dict the optimizer holds
VARIANTS = {
    "same": lambda p: (p, grads()),
    "grad as lists": lambda p: (p, {k: g.tolist() for k, g in grads(0.5).items()}),
    "float32 grads": lambda p: (p, {k: g.astype(np.float32) for k, g in grads(2.0).items()}),
    "keys reordered": lambda p: ({"b": p["b"], "w": p["w"]}, {"b": grads()["b"], "w": grads()["w"]}),
    "key added": lambda p: ({**p, "c": np.ones(3)}, {**grads(), "c": np.full(3, 0.7)}),
    "grad shape wrong": lambda p: (p, {**grads(), "b": np.zeros(3)}),
    "grad key missing": lambda p: (p, {"w": grads()["w"], "x": grads()["b"]}),
    "param as list": lambda p: ({**p, "b": p["b"].tolist()}, grads()),
}


def run(make, names, quick):
    opt, p, out = make(), params(), []
    if not quick:
        opt._same_plan = lambda params, grads: None
    for name in names:
        step_params, step_grads = VARIANTS[name](p)
        try:
            opt.step(step_params, step_grads)
            out.append(("ok", {k: np.array(v).tobytes() for k, v in step_params.items()}))
            p = step_params
        except ValueError as exc:
            out.append(("error", str(exc)))
    out.append(("state", {k: {n: np.asarray(v).tobytes() for n, v in s.items()}
                          for k, s in opt.state.items()}))
    return out


@pytest.mark.parametrize("make", [lambda: SGD(lr=0.1, momentum=0.9),
                                  lambda: Adam(lr=0.01, amsgrad=True),
                                  lambda: AdamW(lr=0.01, overrides={"b": {"weight_decay": 0.0}})],
                         ids=["sgd", "adam", "adamw-overrides"])
@pytest.mark.parametrize("variant", sorted(set(VARIANTS) - {"same"}))
def test_a_step_unlike_the_last_is_checked_in_full(make, variant):
    names = ["same", "same", variant, "same", variant, "same"]
    quick, full = run(make, names, True), run(make, names, False)
    assert quick == full
    assert any(kind == "ok" for kind, _ in quick)


def test_the_quick_check_is_what_steps_a_network_again(monkeypatch):
    opt, p = Adam(lr=0.01), params()
    opt.step(p, grads())
    calls = []
    monkeypatch.setattr(Optimizer, "_plan", lambda self, *a: calls.append(a) or [])
    opt.step(p, grads())
    assert calls == [] and opt.t == 2
    opt.step({"b": p["b"], "w": p["w"]}, grads())     # another order: the full check
    assert len(calls) == 1
