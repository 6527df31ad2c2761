"""TensorBoard logging, as ``torch.utils.tensorboard``: ``from minitorch.utils.tensorboard
import SummaryWriter``, then ``tensorboard --logdir runs``.

Needs the ``tensorboard`` package (the ``[tensorboard]`` extra); images also need Pillow
and ``add_figure`` needs matplotlib.
"""

try:
    import tensorboard
except ImportError as err:  # pragma: no cover - exercised by a test with the import blocked
    raise ImportError(
        "minitorch.utils.tensorboard needs the tensorboard package: "
        "pip install tensorboard (or pip install 'minitorch[tensorboard]')"
    ) from err

from .writer import FileWriter, SummaryWriter

__all__ = ["FileWriter", "SummaryWriter"]
