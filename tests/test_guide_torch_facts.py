"""What the guide says about torch, against what torch did (tests/data/torch_reference.json).

The package's own parity tests are tests/test_torch_parity.py; these check the guide's words."""

import json
import re
from pathlib import Path

from guide import training

ROOT = Path(__file__).resolve().parents[1]
FACTS = json.loads((ROOT / "tests" / "data" / "torch_reference.json").read_text())["facts"]


def test_training_chapter_quotes_torch_default_lrs():
    torch_class = {"Momentum": "SGD", "Nesterov": "SGD"}
    for name, lr in training.TORCH_DEFAULT_LR.items():
        assert lr == FACTS["defaults"][torch_class.get(name, name)]["lr"], name


def test_training_chapter_quotes_torch_scheduler_warning():
    quoted = re.search(r'\("(Detected call of [^"]+)"\)', (ROOT / "docs" / "training.md").read_text())
    warnings = FACTS["steplr_3_before_optimizer"]["warnings"]
    assert quoted and any(quoted.group(1) in w for w in warnings), warnings
