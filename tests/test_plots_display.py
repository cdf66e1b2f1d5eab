"""optdocs.plots.show: a figure built without pyplot, handed to pyplot to be displayed."""

from __future__ import annotations

import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from optdocs.plots import new_figure, show  # noqa: E402


def test_show_hands_a_figure_to_pyplot_once():
    plt.close("all")
    fig, ax = new_figure()
    ax.plot([0, 1])
    assert show(fig) is fig and show(fig) is fig
    assert [plt.figure(n) for n in plt.get_fignums()] == [fig]
    plt.close("all")
    with pytest.raises(ValueError, match="fig must be"):
        show(types.SimpleNamespace())


def test_a_shown_figure_is_saved_by_pyplot_like_any_other(tmp_path):
    plt.close("all")
    fig, ax = new_figure()
    ax.plot([0, 1], [1, 0])
    show(fig)
    plt.savefig(tmp_path / "out.png")  # pyplot's current figure is the shown one
    assert (tmp_path / "out.png").stat().st_size > 1000
    assert plt.gcf() is fig
    plt.close(fig)
    assert plt.get_fignums() == []
