"""Random number generation: ``Generator``, ``manual_seed`` and the default generator.

minitorch draws from NumPy's PCG64 generator.  Seeding makes runs reproducible, but the
numbers differ from PyTorch's (a different algorithm): to compare with PyTorch, create
data in one library and copy it to the other.
"""

from __future__ import annotations

import numpy as np


class Generator:
    """A source of random numbers with its own state (PyTorch's ``torch.Generator``)."""

    def __init__(self, device="cpu") -> None:
        self.device = device
        self._seed = 67280421310721  # PyTorch's default seed value
        self._np = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed: int) -> Generator:
        """Reset the state from ``seed``; returns the generator."""
        seed = int(seed)
        self._seed = seed
        self._np = np.random.Generator(np.random.PCG64(seed & 0xFFFFFFFFFFFFFFFF))
        return self

    def seed(self) -> int:
        """Seed from the operating system's entropy; returns the new seed."""
        s = int(np.random.SeedSequence().entropy) & 0xFFFFFFFFFFFFFFFF
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self):
        from .tensor import Tensor

        state = self._np.bit_generator.state
        raw = np.frombuffer(repr(state).encode(), dtype=np.uint8).copy()
        return Tensor._wrap(raw.astype(np.int64))

    def set_state(self, state) -> None:
        import ast

        text = bytes(np.asarray(state._data, dtype=np.uint8)).decode()
        self._np.bit_generator.state = ast.literal_eval(text)


default_generator = Generator()
# Like PyTorch, the default generator starts from the operating system's entropy, so an
# unseeded program differs run to run (``initial_seed()`` tells the seed used); a new
# ``Generator()`` starts from PyTorch's fixed default seed instead.
default_generator.seed()


def _gen(generator: Generator | None) -> np.random.Generator:
    return (generator or default_generator)._np


def manual_seed(seed: int) -> Generator:
    """Seed the default generator (and CuPy's, when present) for reproducible runs."""
    default_generator.manual_seed(seed)
    from . import _backend

    if _backend._cupy is not None:
        _backend._cupy.random.seed(int(seed) & 0xFFFFFFFF)
    return default_generator


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state) -> None:
    default_generator.set_state(new_state)
