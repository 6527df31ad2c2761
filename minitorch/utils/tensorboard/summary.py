r"""``Summary`` protocol buffers for each kind of data, laid out as PyTorch writes them.

Every function takes NumPy-convertible data (minitorch Tensors, NumPy arrays, Python
numbers) and returns a ``tensorboard.compat.proto.summary_pb2.Summary``; the protobuf
classes and their encoding come from the ``tensorboard`` package. The layouts (tags,
plugin names, value fields) are PyTorch's, so TensorBoard shows a minitorch run exactly
as it shows a PyTorch one:

=============  ==========================================================================
scalar         ``simple_value`` (or a ``DT_FLOAT``/``DT_DOUBLE`` tensor with ``new_style``)
histogram      a ``HistogramProto``: counts over bucket *right* edges, plus min/max/sum
image          a PNG in ``Summary.Image`` (HWC uint8; floats are scaled by 255)
text           a ``DT_STRING`` tensor tagged ``<tag>/text_summary`` (plugin ``text``)
pr curve       a 6 x T float tensor: TP, FP, TN, FN, precision, recall (plugin ``pr_curves``)
hparams        three summaries: experiment, session start, session end (plugin ``hparams``)
=============  ==========================================================================
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from tensorboard.compat.proto.summary_pb2 import (
    HistogramProto,
    Summary,
    SummaryMetadata,
)
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.pr_curve.plugin_data_pb2 import PrCurvePluginData
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData

__all__ = [
    "HistogramProto",
    "Summary",
    "convert_to_hwc",
    "histogram",
    "hparams",
    "image",
    "make_grid",
    "make_np",
    "pr_curve",
    "scalar",
    "text",
    "to_png",
]


def make_np(x: Any, name: str = "value") -> np.ndarray:
    """``x`` (a minitorch Tensor, NumPy array, or Python number) as a NumPy array."""
    from minitorch import Tensor

    if isinstance(x, np.ndarray):
        return x
    if isinstance(x, Tensor):
        return x.detach().cpu().numpy()
    if isinstance(x, (bool, int, float, np.generic)):
        return np.array([x])
    if hasattr(x, "detach") and hasattr(x, "numpy"):  # a torch.Tensor, e.g. from interop
        return x.detach().cpu().numpy()
    raise NotImplementedError(
        f"{name}: got {type(x).__name__}, but a minitorch Tensor, NumPy array or number "
        "is expected"
    )


def scalar(
    tag: str, value: Any, new_style: bool = False, double_precision: bool = False
) -> Summary:
    """One number. ``value`` must hold exactly one element (after squeezing)."""
    arr = make_np(value, "scalar_value").squeeze()
    if arr.ndim != 0:
        raise AssertionError(
            f"add_scalar: scalar_value should contain one element (0 dimensions), but got "
            f"shape {tuple(make_np(value).shape)} ({arr.size} elements); use add_scalars "
            "for several curves or add_histogram for a distribution"
        )
    number = float(arr)
    if not new_style:
        return Summary(value=[Summary.Value(tag=tag, simple_value=number)])
    proto = (
        TensorProto(double_val=[number], dtype="DT_DOUBLE")
        if double_precision
        else TensorProto(float_val=[number], dtype="DT_FLOAT")
    )
    meta = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
    return Summary(value=[Summary.Value(tag=tag, tensor=proto, metadata=meta)])


def tensorflow_bins() -> list[float]:
    r"""TensorBoard's default bucket edges: :math:`\pm 10^{-12} \cdot 1.1^k` up to
    :math:`10^{20}`, and 0 (1,549 edges: fine near zero, geometric further out)."""
    edges, v = [], 1e-12
    while v < 1e20:
        edges.append(v)
        v *= 1.1
    return [-e for e in reversed(edges)] + [0] + edges


def histogram(tag: str, values: Any, bins: Any, max_bins: int | None = None) -> Summary:
    """A histogram of ``values`` (flattened) over ``bins`` (edges, or a NumPy rule name).

    TensorBoard stores only each bucket's *right* edge, so the result keeps the buckets
    from the one just before the first non-empty bucket to the last non-empty one (an
    empty bucket on the left carries the leftmost edge). ``max_bins`` merges runs of
    adjacent buckets (zero-padded at the end) so that at most ``max_bins`` remain.
    """
    arr = make_np(values, "values").astype(float).reshape(-1)
    if arr.size == 0:
        raise ValueError("add_histogram: values has no element")
    if isinstance(bins, str):  # a NumPy rule: edges from the finite values only
        finite = arr[np.isfinite(arr)]
        bins = np.histogram_bin_edges(finite if finite.size else np.zeros(1), bins=bins)
    counts, limits = np.histogram(arr, bins=bins)  # values outside the edges are not counted
    if max_bins is not None and len(counts) > max_bins:
        group = len(counts) // max_bins
        counts = np.pad(counts, (0, -len(counts) % group)).reshape(-1, group).sum(axis=1)
        limits = np.append(limits[:-1:group], limits[-1])
    nonzero = np.flatnonzero(counts)
    if nonzero.size == 0:  # every value outside the edges: keep the first bucket
        first, last = 0, 0
    else:
        first, last = int(nonzero[0]), int(nonzero[-1])
    kept = counts[first - 1 : last + 1] if first > 0 else np.concatenate([[0], counts[: last + 1]])
    edges = limits[first : last + 2]
    with np.errstate(invalid="ignore", over="ignore"):  # NaN/inf propagate, as in PyTorch
        total, squares = arr.sum(), arr.dot(arr)
    proto = HistogramProto(
        min=arr.min(),
        max=arr.max(),
        num=len(arr),
        sum=total,
        sum_squares=squares,
        bucket_limit=edges.tolist(),
        bucket=kept.tolist(),
    )
    return Summary(value=[Summary.Value(tag=tag, histo=proto)])


def make_grid(images: np.ndarray, ncols: int = 8) -> np.ndarray:
    """Tile an ``(N, C, H, W)`` batch into one ``(3, H * rows, W * min(N, ncols))`` image.

    This is TensorBoard's own grid of ``add_images`` (row-major, no padding, zeros in
    the unused cells; grayscale repeated to RGB), not ``vision.utils.make_grid``.
    """
    if images.shape[1] == 1:
        images = np.repeat(images, 3, axis=1)
    if images.ndim != 4 or images.shape[1] not in (3, 4):
        raise AssertionError(
            f"add_images: expected 1, 3 or 4 channels per image, got shape {images.shape}"
        )
    n, c, h, w = images.shape
    cols = min(n, ncols)
    rows = -(-n // cols)
    padded = np.zeros((rows * cols, c, h, w), dtype=images.dtype)
    padded[:n] = images
    grid = padded.reshape(rows, cols, c, h, w).transpose(2, 0, 3, 1, 4)
    return grid.reshape(c, rows * h, cols * w)


def convert_to_hwc(arr: np.ndarray, dataformats: str) -> np.ndarray:
    """Reorder ``arr`` from ``dataformats`` (NCHW, NHWC, CHW, HWC, HW, WH, ...) to HWC."""
    fmt = dataformats.upper()
    if len(set(fmt)) != len(fmt) or not set(fmt) <= set("NCHW") or not {"H", "W"} <= set(fmt):
        raise AssertionError(
            f"dataformats={dataformats!r} is not a valid layout: use letters from N, C, H, W "
            "once each, with H and W (e.g. 'CHW', 'HWC', 'HW', 'NCHW')"
        )
    if arr.ndim != len(fmt):
        raise AssertionError(
            f"img_tensor has {arr.ndim} dimensions (shape {tuple(arr.shape)}) but "
            f"dataformats={dataformats!r} needs {len(fmt)}"
        )
    if len(fmt) == 4:
        nchw = arr.transpose([fmt.index(ch) for ch in "NCHW"])
        return make_grid(nchw).transpose(1, 2, 0)
    if len(fmt) == 3:
        if "C" not in fmt:
            raise AssertionError(
                f"dataformats={dataformats!r}: a 3-d image needs a C axis (CHW or HWC)"
            )
        hwc = arr.transpose([fmt.index(ch) for ch in "HWC"])
        return np.repeat(hwc, 3, axis=2) if hwc.shape[2] == 1 else hwc
    hw = arr.transpose([fmt.index(ch) for ch in "HW"])
    return np.stack([hw, hw, hw], axis=2)


def to_png(hwc: np.ndarray) -> bytes:
    """Encode an HWC uint8 image (1, 3 or 4 channels) as PNG with Pillow."""
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(
            "writing images to TensorBoard needs Pillow: pip install pillow "
            "(or pip install 'minitorch[tensorboard,vision]')"
        ) from err
    buf = io.BytesIO()
    Image.fromarray(hwc[..., 0] if hwc.shape[2] == 1 else hwc).save(buf, format="PNG")
    return buf.getvalue()


def image(tag: str, img: Any, dataformats: str = "NCHW") -> Summary:
    """One image (a batch becomes a grid). uint8 is taken as is; any other dtype is
    taken to lie in [0, 1] and scaled by 255; then clipped to [0, 255] (NaN gives 0)."""
    arr = make_np(img, "img_tensor")
    hwc = convert_to_hwc(arr, dataformats)
    if hwc.shape[2] not in (1, 3, 4):
        raise AssertionError(
            f"img_tensor: expected 1, 3 or 4 channels, got {hwc.shape[2]} "
            f"(shape {tuple(arr.shape)} with dataformats={dataformats!r})"
        )
    if hwc.dtype != np.uint8:
        scaled = np.nan_to_num(hwc.astype(np.float32) * 255, nan=0.0, posinf=255, neginf=0)
        hwc = scaled.clip(0, 255).astype(np.uint8)
    height, width, channels = hwc.shape
    proto = Summary.Image(
        height=height, width=width, colorspace=channels, encoded_image_string=to_png(hwc)
    )
    return Summary(value=[Summary.Value(tag=tag, image=proto)])


def text(tag: str, text_string: str) -> Summary:
    """A string (Markdown in TensorBoard's Text tab)."""
    if not isinstance(text_string, str):
        raise TypeError(f"add_text: text_string must be a str, got {type(text_string).__name__}")
    meta = SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(
            plugin_name="text", content=TextPluginData(version=0).SerializeToString()
        )
    )
    proto = TensorProto(
        dtype="DT_STRING",
        string_val=[text_string.encode("utf_8")],
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]),
    )
    return Summary(value=[Summary.Value(tag=tag + "/text_summary", metadata=meta, tensor=proto)])


def _pr_summary(tag: str, data: np.ndarray, num_thresholds: int) -> Summary:
    content = PrCurvePluginData(version=0, num_thresholds=num_thresholds).SerializeToString()
    meta = SummaryMetadata(
        plugin_data=SummaryMetadata.PluginData(plugin_name="pr_curves", content=content)
    )
    proto = TensorProto(
        dtype="DT_FLOAT",
        float_val=data.reshape(-1).tolist(),
        tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=s) for s in data.shape]),
    )
    return Summary(value=[Summary.Value(tag=tag, metadata=meta, tensor=proto)])


def pr_curve(
    tag: str, labels: Any, predictions: Any, num_thresholds: int = 127, weights: Any = None
) -> Summary:
    r"""A precision-recall curve at ``num_thresholds`` (at most 127) thresholds.

    Prediction :math:`p` falls in bucket :math:`\lfloor p (T-1) \rfloor`; threshold
    :math:`t` counts as positive the buckets :math:`\ge t`, so TP and FP are reverse
    cumulative sums of the weighted label counts per bucket, TN = FP[0] - FP,
    FN = TP[0] - TP, precision = TP / max(TP + FP, 1e-7), recall = TP / max(TP + FN, 1e-7).
    """
    labels = make_np(labels, "labels")
    predictions = make_np(predictions, "predictions")
    if labels.shape != predictions.shape:
        raise ValueError(
            f"add_pr_curve: labels {tuple(labels.shape)} and predictions "
            f"{tuple(predictions.shape)} must have the same shape"
        )
    num_thresholds = min(int(num_thresholds), 127)
    if num_thresholds < 2:
        raise ValueError(f"add_pr_curve: num_thresholds must be at least 2, got {num_thresholds}")
    w = 1.0 if weights is None else make_np(weights, "weights").astype(np.float64)
    buckets = np.floor(predictions * (num_thresholds - 1)).astype(np.int32)
    pos = labels.astype(np.float64)
    span = (0, num_thresholds - 1)
    tp_b, _ = np.histogram(buckets, bins=num_thresholds, range=span, weights=pos * w)
    fp_b, _ = np.histogram(buckets, bins=num_thresholds, range=span, weights=(1.0 - pos) * w)
    tp = np.cumsum(tp_b[::-1])[::-1]
    fp = np.cumsum(fp_b[::-1])[::-1]
    tn, fn = fp[0] - fp, tp[0] - tp
    precision = tp / np.maximum(1e-7, tp + fp)
    recall = tp / np.maximum(1e-7, tp + fn)
    return _pr_summary(tag, np.stack((tp, fp, tn, fn, precision, recall)), num_thresholds)


def hparams(
    hparam_dict: dict, metric_dict: dict, hparam_domain_discrete: dict | None = None
) -> tuple[Summary, Summary, Summary]:
    """The hparams plugin's experiment, session-start and session-end summaries.

    Values may be bool, int, float, str, a one-element Tensor, or ``None`` (skipped);
    ``hparam_domain_discrete`` maps a name to the list of values it can take.
    """
    from tensorboard.compat.proto import struct_pb2
    from tensorboard.plugins.hparams import metadata
    from tensorboard.plugins.hparams.api_pb2 import (
        DataType,
        Experiment,
        HParamInfo,
        MetricInfo,
        MetricName,
        Status,
    )
    from tensorboard.plugins.hparams.plugin_data_pb2 import (
        HParamsPluginData,
        SessionEndInfo,
        SessionStartInfo,
    )

    from minitorch import Tensor

    if not isinstance(hparam_dict, dict) or not isinstance(metric_dict, dict):
        raise TypeError("hparam_dict and metric_dict should be dictionary.")
    domains = hparam_domain_discrete or {}
    if not isinstance(domains, dict):
        raise TypeError("parameter: hparam_domain_discrete should be a dictionary, nothing logged.")
    for k, v in domains.items():
        if k not in hparam_dict or not isinstance(v, list) or not all(
            isinstance(d, type(hparam_dict[k])) for d in v
        ):
            raise TypeError(
                f"parameter: hparam_domain_discrete[{k}] should be a list of same type as "
                f"hparam_dict[{k}]."
            )
    start = SessionStartInfo()
    infos = []
    for k, v in hparam_dict.items():
        if v is None:
            continue
        if isinstance(v, Tensor):
            v = float(make_np(v).reshape(-1)[0])
        if isinstance(v, (int, float)):  # bools too (True is an int), as PyTorch does
            field, dtype = "number_value", "DATA_TYPE_FLOAT64"
        elif isinstance(v, str):
            field, dtype = "string_value", "DATA_TYPE_STRING"
        else:  # PyTorch raises ValueError here
            raise ValueError(  # noqa: TRY004
                f"hparam_dict[{k!r}]: value should be one of int, float, str, bool, or "
                f"Tensor, got {type(v).__name__}"
            )
        setattr(start.hparams[k], field, v)
        domain = None
        if k in domains:
            domain = struct_pb2.ListValue(values=[struct_pb2.Value(**{field: d}) for d in domains[k]])
        infos.append(HParamInfo(name=k, type=DataType.Value(dtype), domain_discrete=domain))

    def wrap(tag: str, **content: Any) -> Summary:
        data = HParamsPluginData(version=metadata.PLUGIN_DATA_VERSION, **content)
        meta = SummaryMetadata(
            plugin_data=SummaryMetadata.PluginData(
                plugin_name=metadata.PLUGIN_NAME, content=data.SerializeToString()
            )
        )
        return Summary(value=[Summary.Value(tag=tag, metadata=meta)])

    experiment = Experiment(
        hparam_infos=infos, metric_infos=[MetricInfo(name=MetricName(tag=k)) for k in metric_dict]
    )
    return (
        wrap(metadata.EXPERIMENT_TAG, experiment=experiment),
        wrap(metadata.SESSION_START_INFO_TAG, session_start_info=start),
        wrap(
            metadata.SESSION_END_INFO_TAG,
            session_end_info=SessionEndInfo(status=Status.Value("STATUS_SUCCESS")),
        ),
    )
