"""Build pandas DataFrames whose text columns keep NumPy's ``object`` dtype.

pandas 3 infers its string dtype from object arrays of text, turning ``None``
into ``NaN``; feedsim's tables document ``object`` columns with ``None`` where
a value is missing, the same under pandas 2 and 3.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["object_frame"]


def object_frame(columns: Mapping[str, np.ndarray], index: pd.Index | None = None) -> pd.DataFrame:
    """A DataFrame of equal-length arrays; ``object`` arrays stay ``object``.

    Examples
    --------
    >>> import numpy as np
    >>> df = object_frame({"role": np.array(["quiet", None], dtype=object), "n": np.arange(2)})
    >>> str(df["role"].dtype), df["role"].tolist()
    ('object', ['quiet', None])
    """
    if index is None:
        n = len(next(iter(columns.values()))) if columns else 0
        index = pd.RangeIndex(n)
    data = {k: pd.Series(v, index=index, dtype=object, copy=False) if np.asarray(v).dtype == object
            else pd.Series(v, index=index, copy=False) for k, v in columns.items()}
    return pd.DataFrame(data, index=index)
