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
from minitorch.optim.adadelta import Adadelta
from minitorch.optim.adagrad import Adagrad
from minitorch.optim.adam import Adam
from minitorch.optim.adamax import Adamax
from minitorch.optim.adamw import AdamW
from minitorch.optim.asgd import ASGD
from minitorch.optim.lbfgs import LBFGS
from minitorch.optim.nadam import NAdam
from minitorch.optim.optimizer import Optimizer
from minitorch.optim.radam import RAdam
from minitorch.optim.rmsprop import RMSprop
from minitorch.optim.rprop import Rprop
from minitorch.optim.sgd import SGD

__all__ = [
           "ASGD",
           "LBFGS",
           "SGD",
           "Adadelta",
           "Adagrad",
           "Adam",
           "AdamW",
           "Adamax",
           "NAdam",
           "Optimizer",
           "RAdam",
           "RMSprop",
           "Rprop",
           "lr_scheduler",
]
