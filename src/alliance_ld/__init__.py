"""alliance-ld: a linked-data publication of international military alliances and partnerships."""

from .errors import (
    AllianceLDError,
    DataSyntaxError,
    InputError,
    MissingInputError,
    QuerySyntaxError,
    ReasonerError,
    ShapeViolationError,
)
from .store import Store, load_default

__version__ = "0.1.0"

__all__ = [
    "AllianceLDError",
    "DataSyntaxError",
    "InputError",
    "MissingInputError",
    "QuerySyntaxError",
    "ReasonerError",
    "Store",
    "ShapeViolationError",
    "__version__",
    "load_default",
]
