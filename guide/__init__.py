"""Build-time content of the guide: one module per chapter, ``guide/<slug>.py``.

Each chapter module registers the figures and numbers its page uses with the decorators of
:mod:`guide.registry`; the MkDocs hook ``hooks/figures.py`` imports them all and renders them into
the site. Modules whose name starts with an underscore are helpers and are not imported on their own.
"""
