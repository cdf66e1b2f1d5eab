"""Build-time content of the guide: one module per chapter, ``guide/<slug>.py``.

Each chapter module registers the figures and numbers its page uses, and the checks of its
sentences, with the decorators of :mod:`guide.registry` (claims: :mod:`guide.claims`);
:mod:`guide.render` computes them, and the MkDocs hook ``hooks/figures.py`` puts them into the
site. Modules whose name starts with an underscore are helpers and are not imported on their own.
"""
