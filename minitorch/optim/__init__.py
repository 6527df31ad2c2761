"""Optimizers and learning-rate schedulers, as in ``torch.optim``.

>>> opt = minitorch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
>>> sched = minitorch.optim.lr_scheduler.StepLR(opt, step_size=10)
>>> for epoch in range(30):
...     for x, y in loader:
...         opt.zero_grad()
...         loss_fn(model(x), y).backward()
...         opt.step()
...     sched.step()
"""

from minitorch.optim import lr_scheduler
from minitorch.optim.adagrad import Adagrad
from minitorch.optim.adam import Adam
from minitorch.optim.adamw import AdamW
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.rmsprop import RMSprop
from minitorch.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
