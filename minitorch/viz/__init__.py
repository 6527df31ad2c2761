"""``minitorch.viz``: see the graph and watch backpropagation run.

* :func:`make_dot` draws a tensor's backward graph (torchviz's style) as DOT / SVG;
* :func:`trace_backward` records the engine's steps during ``backward()``;
* :func:`backward_html` writes an offline page that plays those steps on the drawing.

SVG needs Graphviz: the ``dot`` program if installed, else ``pip install 'minitorch[viz]'``.
"""

from .dot import DotGraph, make_dot, saved_values
from .html import backward_html
from .trace import Sent, Step, Tape, trace_backward

__all__ = ["DotGraph", "Sent", "Step", "Tape", "backward_html", "make_dot", "saved_values",
           "trace_backward"]
