"""The optimizer family tree on the home page (docs/index.md): who builds on whom, when, and the
one idea each step adds.

``NODES`` is the one description of the tree. The figure is drawn from it (each node's box and
text carry a link to its chapter, so the SVG opened on its own is clickable), and the page's
nested list of links, the tree for screen readers and keyboards, is checked against it by
``tests/test_guide_family.py`` (same names, years, links and nesting). A node's ``parent`` is the
method it changes; ``also`` names a second method it borrows from (drawn dashed).
"""

from __future__ import annotations

from dataclasses import dataclass

from guide.claims import claim
from guide.registry import checks, figure, number


@dataclass(frozen=True)
class Node:
    key: str
    name: str
    year: int
    idea: str
    page: str                 # docs-relative link target, "momentum.md#nesterov-momentum"
    parent: str | None
    family: str
    col: int
    row: float
    also: str | None = None


NODES: tuple[Node, ...] = (
    Node("sgd", "SGD", 1951, "a step against the gradient of a random mini-batch",
         "sgd.md", None, "sgd", 0, 2),
    Node("momentum", "Momentum", 1964, "a velocity that keeps a share of the past steps",
         "momentum.md", "sgd", "sgd", 1, 1),
    Node("nesterov", "Nesterov", 1983, "the gradient taken where the velocity is heading",
         "momentum.md#nesterov-momentum", "momentum", "sgd", 2, 0),
    Node("lars", "LARS", 2017, "each layer's step scaled to a share of its weights' norm",
         "large-batch.md#lars", "momentum", "layer", 2, 1),
    Node("adagrad", "AdaGrad", 2011, "a rate per parameter, from the sum of its squared gradients",
         "adaptive.md#adagrad", "sgd", "adaptive", 1, 3),
    Node("rmsprop", "RMSprop", 2012, "a moving average instead of the sum, so old gradients fade",
         "adaptive.md#rmsprop", "adagrad", "adaptive", 2, 3),
    Node("adam", "Adam", 2015, "RMSprop's divisor on a momentum average, both bias-corrected",
         "adam.md", "rmsprop", "adaptive", 3, 3, also="momentum"),
    Node("adamw", "AdamW", 2019, "weight decay taken out of the gradient",
         "adamw.md", "adam", "adaptive", 4, 3),
    Node("lamb", "LAMB", 2020, "LARS's layer-wise trust ratio on Adam's direction",
         "large-batch.md#lamb", "adamw", "layer", 5, 1, also="lars"),
    Node("radam", "RAdam", 2020, "no division until the second moment has enough samples",
         "modern.md#radam-adam-that-waits-for-its-variance-estimate", "adam", "modern", 4, 4),
    Node("adafactor", "Adafactor", 2018, "the second moment of a matrix kept as a row and a column",
         "modern.md#adafactor-the-second-moment-in-a-row-and-a-column", "adam", "modern", 4, 5),
    Node("muon", "Muon", 2024, "a matrix's momentum step with its singular values set to one",
         "modern.md#muon-orthogonalised-momentum-for-weight-matrices", "nesterov", "modern", 3, 0),
    Node("lion", "Lion", 2023, "only the sign of a momentum blend: every coordinate moves by the rate",
         "modern.md#lion-only-the-sign", "adamw", "modern", 5, 3),
    Node("sf_adamw", "Schedule-free AdamW", 2024,
         "an average of the iterates instead of a decaying schedule",
         "modern.md#schedule-free-adamw-the-average-is-the-model", "adamw", "modern", 5, 4),
)

BY_KEY = {n.key: n for n in NODES}

#: Colour index (optdocs.plots.style.color) and legend label of each family.
FAMILIES = {"sgd": (0, "gradient and momentum"), "adaptive": (1, "per-parameter rates"),
            "layer": (2, "per-layer trust ratios"), "modern": (3, "since 2018 (today's)")}


def children(key: str | None) -> list[Node]:
    """The nodes whose ``parent`` is ``key``, in the order of ``NODES``."""
    return [n for n in NODES if n.parent == key]


def depth(node: Node) -> int:
    """Generations from the root (SGD is 0)."""
    return 0 if node.parent is None else 1 + depth(BY_KEY[node.parent])


def site_url(page: str) -> str:
    """The link a node carries inside the SVG, which is served as figures/family-tree.svg:
    ``adam.md`` becomes ``../adam/`` (directory URLs), anchors are kept."""
    path, _, anchor = page.partition("#")
    if not path.endswith(".md"):
        raise ValueError(f"page must name a Markdown file, got {page!r}")
    return f"../{path[:-3]}/" + (f"#{anchor}" if anchor else "")


@checks
def claims() -> None:
    """The tree's structure: one root, and every method younger than what it builds on."""
    roots = [n.key for n in NODES if n.parent is None]
    claim(roots == ["sgd"], "the tree has one root, SGD", roots=roots)
    for n in NODES:
        for source in (n.parent, n.also):
            if source is not None:
                claim(source in BY_KEY and BY_KEY[source].year <= n.year,
                      "each method is no older than the methods it builds on",
                      node=n.key, builds_on=source)
    cells = [(n.col, n.row) for n in NODES]
    claim(len(set(cells)) == len(cells), "no two boxes of the figure share a place", cells=cells)


number("family_count")(lambda: len(NODES))
number("family_first_year")(lambda: min(n.year for n in NODES))
number("family_last_year")(lambda: max(n.year for n in NODES))


BOX_W, BOX_H = 0.88, 0.78


def _wrap(text: str, width: int = 27) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width))


def _edge(ax, a: Node, b: Node, color: str, dashed: bool) -> None:
    from matplotlib.patches import FancyArrowPatch

    start = (a.col + BOX_W / 2, -a.row)
    end = (b.col - BOX_W / 2, -b.row)
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color=color,
                                 linewidth=1.2, linestyle="--" if dashed else "-",
                                 shrinkA=0, shrinkB=1, zorder=1))


@figure("family-tree",
        alt="The optimizer family tree as a diagram, from SGD (1951) on the left to the "
            "optimizers of 2023 and 2024 on the right: momentum, Nesterov and Muon along the "
            "top; AdaGrad, RMSprop, Adam and AdamW along the middle, with RAdam, Adafactor, "
            "Lion and schedule-free AdamW after Adam and AdamW; LARS and LAMB, the layer-wise "
            "methods, between them. The list under the figure gives the same tree, with links.",
        caption="Read each arrow as \"adds one idea to\": the label under a name is the idea it "
                "brings. Solid arrows mark the main line; dashed arrows a second parent. The "
                "list below links every name to its chapter.")
def _():
    from matplotlib.patches import FancyBboxPatch

    from optdocs.plots.style import INK, color, new_figure

    fig, ax = new_figure(width=9.6, height=5.8)
    fig.set_layout_engine("none")
    ax.set_position((0, 0, 1, 1))
    ax.set_xlim(-0.5, 5.5)
    ax.set_ylim(-5.55, 0.55)
    ax.axis("off")
    for n in NODES:
        c = color(FAMILIES[n.family][0])
        for source, dashed in ((n.parent, False), (n.also, True)):
            if source is not None:
                _edge(ax, BY_KEY[source], n, INK if not dashed else c, dashed)
        url = site_url(n.page)
        box = FancyBboxPatch((n.col - BOX_W / 2, -n.row - BOX_H / 2), BOX_W, BOX_H,
                             boxstyle="round,pad=0,rounding_size=0.06", facecolor=c, alpha=0.12,
                             edgecolor="none", zorder=2)
        edge = FancyBboxPatch((n.col - BOX_W / 2, -n.row - BOX_H / 2), BOX_W, BOX_H,
                              boxstyle="round,pad=0,rounding_size=0.06", facecolor="none",
                              edgecolor=c, linewidth=1.6, zorder=3)
        edge.set_url(url)
        ax.add_patch(box)
        ax.add_patch(edge)
        label = f"{n.name} · {n.year}"
        title = ax.text(n.col, -n.row + 0.2, label, ha="center", va="center",
                        fontsize=8.2 if len(label) < 20 else 5.8, fontweight="bold", color=c,
                        zorder=4)
        title.set_url(url)
        ax.text(n.col, -n.row - 0.12, _wrap(n.idea), ha="center", va="center", fontsize=6.4,
                color=INK, zorder=4, linespacing=1.15)
    for fam, (i, label) in FAMILIES.items():
        y = -4.4 - 0.3 * list(FAMILIES).index(fam)
        ax.plot([-0.4, -0.25], [y, y], color=color(i), linewidth=3)
        ax.text(-0.2, y, label, va="center", fontsize=7.5, color=INK)
    ax.plot([1.15, 1.35], [-5.35, -5.35], color=INK, linestyle="--", linewidth=1.2)
    ax.text(1.4, -5.35, "also takes from", va="center", fontsize=7.5, color=INK)
    return fig
