"""``python -m benchmarks.conv_paths`` (the per-layer path timings of docs/PERFORMANCE.md):
its layer table is the benchmark models' and its machinery runs. No timing is asserted."""

from __future__ import annotations

import math

import minitorch
from benchmarks import conv_paths, models


def _conv3x3_layers(model) -> list[tuple[int, int, int]]:
    return sorted((m.in_channels, m.out_channels, m.stride[0]) for m in model.modules()
                  if isinstance(m, minitorch.nn.Conv2d) and m.kernel_size == (3, 3))


def test_layer_table_is_the_models_3x3_convolutions():
    for name in ("resnet", "vgg"):
        table = {(c, o, s) for _, c, o, _, s, _ in conv_paths.LAYERS[name]}
        assert sorted(table) == sorted(set(_conv3x3_layers(getattr(models, name)(minitorch))))


def test_every_path_runs_and_the_chosen_one_is_among_them():
    times, paths, choice = conv_paths.time_layer(2, 16, 8, 8, 2, True, repeats=1)
    assert paths == ["im2col", "shifted"] and choice in paths
    assert all(math.isfinite(t) and t > 0 for t in times.values())
    times, paths, _ = conv_paths.time_layer(2, 3, 4, 8, 1, False, repeats=1)
    assert paths == ["im2col", "fourier", "winograd", "shifted", "direct"]
    assert len(times) == 2 * len(paths)
    times, paths, _ = conv_paths.time_layer(4, 16, 8, 8, 2, True, repeats=1, parts=2)
    assert paths == ["im2col", "shifted", "im2col/2", "shifted/2"]
    assert all(math.isfinite(t) and t > 0 for t in times.values())


def test_other_models_choices_are_listed():
    rows = conv_paths.other_choices()
    assert len(rows) == len(conv_paths.OTHERS) == 18
    assert {p.split("/")[0] for _, p in rows} <= {"im2col", "fourier", "direct"}
