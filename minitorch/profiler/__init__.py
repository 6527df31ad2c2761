"""``minitorch.profiler``: PyTorch's profiler API (``profile``, ``record_function``,
``ProfilerActivity``, ``key_averages().table()``, ``export_chrome_trace``) for minitorch's ops.
"""

from .events import EventList, FunctionEvent, FunctionEventAvg
from .profiler import ProfilerActivity, profile, record_function

__all__ = ["EventList", "FunctionEvent", "FunctionEventAvg", "ProfilerActivity", "profile",
           "record_function"]
