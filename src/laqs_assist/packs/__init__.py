"""Framework packs: data folders loaded into plain typed objects.

The loader (and YAML) is imported only when a pack is actually parsed, so a start-up served from the pack cache
does not pay for it.
"""

from .cache import open_pack
from .model import Aspect, Criterion, Pack, Question

__all__ = ["Aspect", "Criterion", "Pack", "Question", "load_pack", "open_pack"]


def __getattr__(name: str):
    if name == "load_pack":
        from .loader import load_pack

        return load_pack
    raise AttributeError(name)
