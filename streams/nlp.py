"""Loading the spaCy pipeline once per process.

The model name is a setting so an operator can swap the PyPI re-upload we pin for the
official ``en_core_web_sm`` package without a code change.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import spacy
from spacy.language import Language

from borderwatch.errors import BorderwatchError, Problem


@lru_cache(maxsize=4)
def load_nlp(model: str) -> Language:
    try:
        nlp: Any = spacy.load(model)
    except OSError as exc:
        raise BorderwatchError(
            Problem(
                "N001",
                f"spaCy model {model!r} is not installed ({exc}); install it with pip, "
                "or set BORDERWATCH_SPACY_MODEL",
            )
        ) from exc
    return nlp  # type: ignore[no-any-return]
