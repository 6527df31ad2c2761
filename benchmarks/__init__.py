"""Benchmarks: minitorch against PyTorch, each library in its own fresh processes.

``python -m benchmarks --help`` lists the options. The pieces:

* :mod:`benchmarks.cases` -- what is measured: single ops at the tutorial CNN's shapes
  and full training steps of the tutorial MLP, the tutorial CNN and LeNet, each built by
  one function from :mod:`benchmarks.models` that takes the library (``torch`` or
  ``minitorch``) as its argument;
* :mod:`benchmarks.isolated` -- how: each case in fresh processes that import only one
  library (ABBA order, best of each); :mod:`benchmarks.timing` -- best of N after
  warm-up, and the labelled ``--in-process`` mode (both libraries interleaved in one
  process, which misleads: their thread pools compete for the cores);
* :mod:`benchmarks.epoch` -- one MNIST epoch per library in its own process, with wall
  time and peak memory;
* :mod:`benchmarks.suite` -- runs the cases, checks both libraries agree, profiles;
* :mod:`benchmarks.machine` and :mod:`benchmarks.report` -- what it ran on, and the
  markdown / JSON / PNG outputs (``benchmarks/results/`` by default).

No timing is ever asserted by the tests: speed is a measurement, read as the ratio
minitorch time / torch time on the same machine.

This package imports neither library: a torch worker process must not import minitorch
(importing minitorch changes process-wide settings, see ``minitorch/_process_tweaks.py``).
"""
