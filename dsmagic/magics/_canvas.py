"""``%canvas FILE``: open a pipeline file in the canvas editor."""

from __future__ import annotations

from IPython.core.magic import Magics, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments

from dsmagic.magics._parsing import parse_arguments, user_namespace


@magics_class
class CanvasMagics(Magics):
    @magic_arguments()
    @argument("file", nargs="?", default=None,
              help="The .dspipe.json file to edit (created if missing).")  # fmt: skip
    @argument("--template", "-t", default=None,
              help="Start a new file from a template (e.g. classification).")  # fmt: skip
    @argument("--height", type=int, default=640, help="Height in pixels (default 640).")
    @line_magic
    def canvas(self, line: str = ""):
        """Open the pipeline canvas: ``%canvas churn.dspipe.json``.

        The file is the source of truth: every edit is saved to it. The widget is also
        stored in the variable ``_canvas`` (``_canvas.pipeline`` is the Pipeline).
        """
        args = parse_arguments(self.canvas, line)
        from dsmagic.widget import Canvas

        widget = Canvas(args.file, template=args.template, height=args.height)
        user_namespace(self)["_canvas"] = widget
        return widget
