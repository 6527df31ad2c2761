"""Benchmarks: minitorch against PyTorch, in the same process.

``python -m benchmarks --help`` lists the options. The pieces:

* :mod:`benchmarks.cases` -- what is measured: single ops at the tutorial CNN's shapes
  and full training steps of the tutorial MLP, the tutorial CNN and LeNet, each built by
  one function from :mod:`benchmarks.models` that takes the library (``torch`` or
  ``minitorch``) as its argument;
* :mod:`benchmarks.timing` -- how: interleaved repetitions, best of N after warm-up;
* :mod:`benchmarks.epoch` -- one MNIST epoch per library in its own process, with wall
  time and peak memory;
* :mod:`benchmarks.suite` -- runs the cases, checks both libraries agree, profiles;
* :mod:`benchmarks.machine` and :mod:`benchmarks.report` -- what it ran on, and the
  markdown / JSON / PNG outputs (``benchmarks/results/`` by default).

No timing is ever asserted by the tests: speed is a measurement, read as the ratio
minitorch time / torch time on the same machine.
"""

import minitorch
