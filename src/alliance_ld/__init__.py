"""alliance-ld: a linked-data publication of international military alliances and partnerships."""

from .errors import (
    AllianceLDError,
    DataSyntaxError,
    InputError,
    MissingInputError,
    QuerySyntaxError,
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
    "Store",
    "ShapeViolationError",
    "__version__",
    "load_default",
]
