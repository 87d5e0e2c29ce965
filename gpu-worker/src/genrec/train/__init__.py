"""The training kit every model shares: ``TrainConfig`` and the layered resolver (``config``), the
epoch loop with checkpoints, early stopping and an epoch callback (``loop``), the command line
(``cli``), checkpoints (``checkpoint``), ``--set`` overrides (``overrides``) and result files
(``results``). Models supply only a ``loop.Task``: model, loss, batches and validation."""

from genrec.train.config import PRESET_NAMES, TrainConfig
from genrec.train.loop import FitState, Task, Validation, fit

__all__ = ["PRESET_NAMES", "FitState", "Task", "TrainConfig", "Validation", "fit"]
