"""``SummaryWriter``: PyTorch's TensorBoard logger, writing through the tensorboard package.

Each ``add_*`` call builds a ``Summary`` protobuf (:mod:`.summary`), wraps it in an
``Event`` with the step and wall time, and hands it to TensorBoard's own
``EventFileWriter``, which queues it and appends it to
``<log_dir>/events.out.tfevents.<time>.<host>.<pid>.<n><suffix>`` from a background
thread (records, CRCs and protobuf encoding are all the package's). ``tensorboard
--logdir runs`` then shows the run. ``add_scalars`` writes one sub-run per key
(``<log_dir>/<main_tag>_<key>``), so TensorBoard draws the curves in one chart.
"""

from __future__ import annotations

import os
import socket
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event, SessionLog
from tensorboard.compat.proto.summary_pb2 import Summary
from tensorboard.summary.writer.event_file_writer import EventFileWriter

from . import summary as S
from ._graph import build_graph

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["FileWriter", "SummaryWriter"]


class FileWriter:
    """One event file in ``log_dir`` (TensorBoard's ``EventFileWriter``), plus step/time."""

    def __init__(
        self, log_dir: str, max_queue: int = 10, flush_secs: int = 120, filename_suffix: str = ""
    ) -> None:
        log_dir = str(log_dir)
        try:
            self.event_writer = EventFileWriter(log_dir, max_queue, flush_secs, filename_suffix)
        except OSError as err:
            raise type(err)(
                err.errno, f"SummaryWriter: cannot write to log_dir {log_dir!r}: {err.strerror}"
            ) from err

    def get_logdir(self) -> str:
        return self.event_writer.get_logdir()

    def add_event(self, event: Event, step: int | None = None, walltime: float | None = None):
        event.wall_time = time.time() if walltime is None else walltime
        if step is not None:
            event.step = int(step)
        self.event_writer.add_event(event)

    def add_summary(self, summary: Summary, global_step: int | None = None,
                    walltime: float | None = None) -> None:
        self.add_event(Event(summary=summary), global_step, walltime)

    def flush(self) -> None:
        self.event_writer.flush()

    def close(self) -> None:
        self.event_writer.close()


def _encode(tag: str) -> str:
    """Escape ``%``, ``/`` and ``\\`` so a tag is one path component (projector folders)."""
    return tag.replace("%", "%25").replace("/", "%2f").replace("\\", "%5c")


class SummaryWriter:
    """Write TensorBoard event files: scalars, images, histograms, text, graphs, ...

    Parameters
    ----------
    log_dir : str, optional
        Where to write. Default ``runs/<Mon>DD_HH-MM-SS_<hostname><comment>``.
    comment : str
        Suffix of the default ``log_dir`` (ignored when ``log_dir`` is given).
    purge_step : int, optional
        After a crash at step :math:`T+X` and a restart at :math:`T`, events with step
        :math:`\\ge T` in the same ``log_dir`` are hidden by TensorBoard.
    max_queue : int
        Events held in memory before a write is forced (default 10).
    flush_secs : int
        Seconds between background flushes (default 120).
    filename_suffix : str
        Added to every event file's name.

    Notes
    -----
    After :meth:`close`, a further ``add_*`` opens a new event file in the same
    ``log_dir`` (as PyTorch does); ``close`` twice does nothing.
    """

    def __init__(
        self,
        log_dir: str | None = None,
        comment: str = "",
        purge_step: int | None = None,
        max_queue: int = 10,
        flush_secs: int = 120,
        filename_suffix: str = "",
    ) -> None:
        if not log_dir:
            stamp = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", stamp + "_" + socket.gethostname() + comment)
        self.log_dir = os.fspath(log_dir)
        self.purge_step = purge_step
        self.max_queue = max_queue
        self.flush_secs = flush_secs
        self.filename_suffix = filename_suffix
        self.file_writer: FileWriter | None = None
        self.all_writers: dict[str, FileWriter] | None = None
        self._get_file_writer()
        self.default_bins = S.tensorflow_bins()

    def _get_file_writer(self) -> FileWriter:
        """The main event file, (re)opened on demand: also after ``close()``."""
        if self.file_writer is None or self.all_writers is None:
            self.file_writer = FileWriter(
                self.log_dir, self.max_queue, self.flush_secs, self.filename_suffix
            )
            self.all_writers = {self.file_writer.get_logdir(): self.file_writer}
            if self.purge_step is not None:
                self.file_writer.add_event(
                    Event(step=self.purge_step, file_version="brain.Event:2")
                )
                self.file_writer.add_event(
                    Event(step=self.purge_step, session_log=SessionLog(status=SessionLog.START))
                )
                self.purge_step = None
        return self.file_writer

    def get_logdir(self) -> str:
        """The directory this writer writes to."""
        return self.log_dir

    def _add(self, summary: Summary, global_step: Any, walltime: float | None) -> None:
        self._get_file_writer().add_summary(summary, global_step, walltime)

    # ---- numbers -------------------------------------------------------------------
    def add_scalar(
        self,
        tag: str,
        scalar_value: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        new_style: bool = False,
        double_precision: bool = False,
    ) -> None:
        """Log one number (a float, or a one-element Tensor/array) at ``global_step``.

        NaN and infinities are written as they are (TensorBoard draws them as gaps).
        """
        self._add(S.scalar(tag, scalar_value, new_style, double_precision), global_step, walltime)

    def add_scalars(
        self,
        main_tag: str,
        tag_scalar_dict: dict,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Log several curves in one chart: each key goes to the sub-run
        ``<log_dir>/<main_tag with '/' as '_'>_<key>`` under the tag ``main_tag``."""
        if not isinstance(tag_scalar_dict, dict):
            raise TypeError(
                f"add_scalars: tag_scalar_dict must be a dict, got {type(tag_scalar_dict).__name__}"
            )
        walltime = time.time() if walltime is None else walltime
        root = self._get_file_writer().get_logdir()
        assert self.all_writers is not None
        for key, value in tag_scalar_dict.items():
            sub = root + "/" + main_tag.replace("/", "_") + "_" + key
            writer = self.all_writers.get(sub)
            if writer is None:
                writer = FileWriter(sub, self.max_queue, self.flush_secs, self.filename_suffix)
                self.all_writers[sub] = writer
            writer.add_summary(S.scalar(main_tag, value), global_step, walltime)

    def add_histogram(
        self,
        tag: str,
        values: Any,
        global_step: int | None = None,
        bins: Any = "tensorflow",
        walltime: float | None = None,
        max_bins: int | None = None,
    ) -> None:
        """Log the distribution of ``values``. ``bins``: ``'tensorflow'`` (TensorBoard's
        default edges), a NumPy rule name (``'auto'``, ``'fd'``, ...) or a list of edges."""
        if isinstance(bins, str) and bins == "tensorflow":
            bins = self.default_bins
        self._add(S.histogram(tag, values, bins, max_bins), global_step, walltime)

    def add_histogram_raw(
        self,
        tag: str,
        min: float,
        max: float,
        num: int,
        sum: float,
        sum_squares: float,
        bucket_limits: Any,
        bucket_counts: Any,
        global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Log a histogram already counted: ``bucket_counts[i]`` values up to ``bucket_limits[i]``."""
        limits = _array(bucket_limits, "bucket_limits")
        counts = _array(bucket_counts, "bucket_counts")
        if len(limits) != len(counts):
            raise ValueError("len(bucket_limits) != len(bucket_counts), see the document.")
        proto = S.HistogramProto(min=min, max=max, num=num, sum=sum, sum_squares=sum_squares,
                                 bucket_limit=limits.tolist(), bucket=counts.tolist())
        self._add(S.Summary(value=[S.Summary.Value(tag=tag, histo=proto)]), global_step, walltime)

    def add_pr_curve(
        self,
        tag: str,
        labels: Any,
        predictions: Any,
        global_step: int | None = None,
        num_thresholds: int = 127,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """Log a precision-recall curve of binary ``labels`` against ``predictions`` in [0, 1]."""
        self._add(S.pr_curve(tag, labels, predictions, num_thresholds, weights),
                  global_step, walltime)

    def add_pr_curve_raw(
        self,
        tag: str,
        true_positive_counts: Any,
        false_positive_counts: Any,
        true_negative_counts: Any,
        false_negative_counts: Any,
        precision: Any,
        recall: Any,
        global_step: int | None = None,
        num_thresholds: int = 127,
        weights: Any = None,
        walltime: float | None = None,
    ) -> None:
        """Log a precision-recall curve from counts already computed per threshold."""
        rows = [_array(v, name).astype(np.float64) for v, name in (
            (true_positive_counts, "true_positive_counts"),
            (false_positive_counts, "false_positive_counts"),
            (true_negative_counts, "true_negative_counts"),
            (false_negative_counts, "false_negative_counts"),
            (precision, "precision"), (recall, "recall"))]
        if len({len(r) for r in rows}) != 1:
            raise ValueError(
                f"add_pr_curve_raw: the six arrays must have one length, got {[len(r) for r in rows]}"
            )
        self._add(S._pr_summary(tag, np.stack(rows), min(int(num_thresholds), 127)),
                  global_step, walltime)

    def add_hparams(
        self,
        hparam_dict: dict,
        metric_dict: dict,
        hparam_domain_discrete: dict | None = None,
        run_name: str | None = None,
        global_step: int | None = None,
    ) -> None:
        """Log one run's hyperparameters and final metrics to the HParams tab.

        Written to the sub-run ``<log_dir>/<run_name>`` (default: the current time), with
        each metric also logged there as a scalar.
        """
        exp, start, end = S.hparams(hparam_dict, metric_dict, hparam_domain_discrete)
        if not run_name:
            run_name = str(time.time())
        logdir = os.path.join(self._get_file_writer().get_logdir(), run_name)
        with SummaryWriter(log_dir=logdir) as w:
            fw = w._get_file_writer()
            for s in (exp, start, end):
                fw.add_summary(s, global_step)
            for k, v in metric_dict.items():
                w.add_scalar(k, v, global_step)

    # ---- images, text, figures ---------------------------------------------------------
    def add_image(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "CHW",
    ) -> None:
        """Log one image: ``(3, H, W)`` by default; ``dataformats`` 'HWC', 'HW', ... for
        others. Floats are taken in [0, 1], uint8 in [0, 255]."""
        self._add(S.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_images(
        self,
        tag: str,
        img_tensor: Any,
        global_step: int | None = None,
        walltime: float | None = None,
        dataformats: str = "NCHW",
    ) -> None:
        """Log a batch ``(N, 3, H, W)`` (or NHWC) as one grid, 8 images a row."""
        self._add(S.image(tag, img_tensor, dataformats), global_step, walltime)

    def add_figure(
        self,
        tag: str,
        figure: Any,
        global_step: int | None = None,
        close: bool = True,
        walltime: float | None = None,
    ) -> None:
        """Render a matplotlib figure (or a list of them, as a grid) and log it as an image."""
        if isinstance(figure, list):
            img = np.stack([_figure_to_chw(f, close) for f in figure])
            self.add_image(tag, img, global_step, walltime, dataformats="NCHW")
        else:
            self.add_image(tag, _figure_to_chw(figure, close), global_step, walltime)

    def add_text(
        self, tag: str, text_string: str, global_step: int | None = None,
        walltime: float | None = None,
    ) -> None:
        """Log a string (rendered as Markdown in the Text tab)."""
        self._add(S.text(tag, text_string), global_step, walltime)

    # ---- structure -----------------------------------------------------------------
    def add_graph(
        self, model: Any, input_to_model: Any = None, verbose: bool = False,
        use_strict_trace: bool = True,
    ) -> None:
        """Run ``model(input_to_model)`` once and log its autograd graph (Graphs tab).

        Nodes are the ``grad_fn`` nodes, grouped by the module that made them, with the
        parameters (and their shapes) as leaves. ``verbose`` prints the node list;
        ``use_strict_trace`` is accepted for PyTorch compatibility (no JIT trace is used).
        """
        graph = build_graph(model, input_to_model)
        if verbose:
            for node in graph.node:
                print(f"{node.name} = {node.op}({', '.join(node.input)})")
        self._get_file_writer().add_event(Event(graph_def=graph.SerializeToString()))

    def add_embedding(
        self,
        mat: Any,
        metadata: list | None = None,
        label_img: Any = None,
        global_step: int | None = None,
        tag: str = "default",
        metadata_header: list | None = None,
    ) -> None:
        """Write ``mat`` (N x D) for the Projector tab, with optional labels and thumbnails.

        Files go to ``<log_dir>/<step:05d>/<tag>/``: ``tensors.tsv``, ``metadata.tsv``,
        ``sprite.png`` (``label_img`` (N, C, H, W) tiled in a square); the writer's
        ``projector_config.pbtxt`` lists every embedding logged so far.
        """
        from google.protobuf import text_format
        from tensorboard.plugins.projector.projector_config_pb2 import (
            EmbeddingInfo,
            ProjectorConfig,
        )

        mat = S.make_np(mat, "mat")
        if mat.ndim != 2:
            raise AssertionError(
                f"add_embedding: mat should be 2-D (N points x D features), got shape {mat.shape}"
            )
        if metadata is not None and len(metadata) != mat.shape[0]:
            raise AssertionError(
                f"add_embedding: {len(metadata)} metadata labels for {mat.shape[0]} points"
            )
        images = None if label_img is None else S.make_np(label_img, "label_img")
        if images is not None and (images.ndim != 4 or images.shape[0] != mat.shape[0]):
            raise AssertionError(
                f"add_embedding: label_img should be (N, C, H, W) with N = {mat.shape[0]}, "
                f"got shape {images.shape}"
            )
        step = 0 if global_step is None else global_step
        subdir = f"{str(step).zfill(5)}/{_encode(tag)}"
        logdir = self._get_file_writer().get_logdir()
        path = os.path.join(logdir, subdir)
        if os.path.exists(path) and not os.path.isdir(path):
            raise NotADirectoryError(f"Path: `{path}` exists, but is a file. Cannot proceed.")
        os.makedirs(path, exist_ok=True)
        info = EmbeddingInfo(tensor_name=f"{tag}:{str(step).zfill(5)}",
                             tensor_path=f"{subdir}/tensors.tsv")
        if metadata is not None:
            if metadata_header:
                rows = ["\t".join(str(e) for e in row) for row in [metadata_header, *metadata]]
            else:
                rows = [str(x) for x in metadata]
            _write(os.path.join(path, "metadata.tsv"), ("\n".join(rows) + "\n").encode())
            info.metadata_path = f"{subdir}/metadata.tsv"
        if images is not None:
            _write(os.path.join(path, "sprite.png"), _sprite(images))
            info.sprite.image_path = f"{subdir}/sprite.png"
            info.sprite.single_image_dim.extend([images.shape[3], images.shape[2]])
        lines = ("\t".join(str(v) for v in row.tolist()) + "\n" for row in mat)
        _write(os.path.join(path, "tensors.tsv"), "".join(lines).encode())
        if not hasattr(self, "_projector_config"):
            self._projector_config = ProjectorConfig()
        self._projector_config.embeddings.extend([info])
        _write(os.path.join(logdir, "projector_config.pbtxt"),
               text_format.MessageToString(self._projector_config).encode())

    # ---- not provided ----------------------------------------------------------------
    def _not_provided(self, name: str) -> None:
        raise NotImplementedError(
            f"SummaryWriter.{name} is not provided by minitorch (see the README's differences "
            "from PyTorch); log images with add_image/add_images and numbers with add_scalar"
        )

    def add_video(self, tag: str, vid_tensor, global_step: int | None = None, fps: int = 4,
                  walltime: float | None = None) -> None:
        """Not provided: raises ``NotImplementedError``."""
        self._not_provided("add_video")

    def add_audio(self, tag: str, snd_tensor, global_step: int | None = None,
                  sample_rate: int = 44100, walltime: float | None = None) -> None:
        """Not provided: raises ``NotImplementedError``."""
        self._not_provided("add_audio")

    def add_mesh(self, tag: str, vertices, colors=None, faces=None, config_dict=None,
                 global_step: int | None = None, walltime: float | None = None) -> None:
        """Not provided: raises ``NotImplementedError``."""
        self._not_provided("add_mesh")

    def add_onnx_graph(self, prototxt) -> None:
        """Not provided: raises ``NotImplementedError`` (use add_graph)."""
        self._not_provided("add_onnx_graph")

    def add_image_with_boxes(self, tag: str, img_tensor, box_tensor,
                             global_step: int | None = None, walltime: float | None = None,
                             rescale: int = 1, dataformats: str = "CHW",
                             labels=None) -> None:
        """Not provided: raises ``NotImplementedError``."""
        self._not_provided("add_image_with_boxes")

    def add_custom_scalars(self, layout) -> None:
        """Not provided: raises ``NotImplementedError`` (use add_scalars)."""
        self._not_provided("add_custom_scalars")

    # ---- lifetime ------------------------------------------------------------------
    def flush(self) -> None:
        """Write every pending event to disk now."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()

    def close(self) -> None:
        """Flush and close every event file (a later ``add_*`` opens a new one)."""
        if self.all_writers is None:
            return
        for writer in self.all_writers.values():
            writer.flush()
            writer.close()
        self.file_writer = self.all_writers = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _array(values: Any, name: str) -> np.ndarray:
    """A flat array from a Tensor, an array or a list (the ``*_raw`` methods take lists)."""
    if isinstance(values, (list, tuple)):
        return np.asarray(values).reshape(-1)
    return S.make_np(values, name).reshape(-1)


def _write(path: str, data: bytes) -> None:
    """Write a whole file, or nothing: a temporary name, then an atomic rename."""
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _sprite(images: np.ndarray) -> bytes:
    """``(N, C, H, W)`` thumbnails in [0, 1] tiled ``ceil(sqrt(N))`` a row, on a square
    canvas as wide as the grid (the Projector's sprite sheet), as PNG."""
    cols = int(np.ceil(images.shape[0] ** 0.5))
    grid = S.make_grid(images, ncols=cols)[:3]
    square = np.zeros((grid.shape[2], grid.shape[2], 3))
    square[: grid.shape[1]] = grid.transpose(1, 2, 0)
    return S.to_png(np.uint8(np.nan_to_num(square * 255).clip(0, 255)))


def _figure_to_chw(figure: Any, close: bool) -> np.ndarray:
    """Render a matplotlib figure with the Agg backend to a (3, H, W) uint8 array."""
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    w, h = figure.canvas.get_width_height()
    rgba = np.frombuffer(canvas.buffer_rgba(), dtype=np.uint8).reshape(h, w, 4)
    if close:
        plt.close(figure)
    return np.ascontiguousarray(rgba[:, :, :3].transpose(2, 0, 1))
