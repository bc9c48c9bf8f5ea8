"""One display mixin for every dsmagic rich output.

An object that shows itself in a notebook says three things: its data (JSON), a static
HTML view and a text view. :class:`RichDisplay` turns them into the output bundle:

- ``application/vnd.dsmagic.<kind>.v1+json``: the data, drawn by the renderer that
  ships with dsmagic's JupyterLab extension (charts included), so the notebook stores
  data and not the code that draws it;
- ``text/html``: a static, self-contained view (escaped text, one CSS scope, no script)
  for every front end without the extension (VS Code, Colab, GitHub, nbconvert);
- ``text/plain``: always.

The model is scikit-learn's HTML repr mixin: the classes only provide the parts.
"""

from __future__ import annotations

from dsmagic._display._mixin import KINDS, RichDisplay, jsonable, mime_type

__all__ = ["KINDS", "RichDisplay", "jsonable", "mime_type"]
