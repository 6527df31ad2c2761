"""``minitorch.nn``: modules, parameters, initialisation and functional ops (PyTorch's
``torch.nn``).

``Module`` and ``Parameter`` are defined in their own files, which import nothing else
from ``nn``, so the layers and the losses can build on them.
"""

from . import functional, init, utils
from .module import Module
from .modules import *
from .modules import __all__ as _modules_all
from .parameter import Parameter

__all__ = ["Module", "Parameter", "functional", "init", "utils"]
__all__ += _modules_all  # noqa: PLE0605 - the layer names, listed in modules/__init__.py
