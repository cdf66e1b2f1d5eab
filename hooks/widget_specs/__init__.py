"""The widgets' descriptions, one module per widget (the contract is in CONTRIBUTING.md).

Each module defines ``NAME`` (the widget's name on the page and of its ``docs/assets/widgets``
module) and ``SPEC``: its title, invitation, alt text, controls, calls, the "Show the code"
template and ``static`` (a function from the default answers to a matplotlib figure). To add a
widget, write its module and add it to ``MODULES``.
"""

from __future__ import annotations

from hooks.widget_specs import (
                                adam_step,
                                escape,
                                flat_steep,
                                lr_dial,
                                playground,
                                race,
                                ravine,
                                schedules,
                                sgd_adam,
)

MODULES = (lr_dial, escape, sgd_adam, flat_steep, adam_step, schedules, playground, race, ravine)

WIDGETS: dict[str, dict] = {m.NAME: m.SPEC for m in MODULES}
