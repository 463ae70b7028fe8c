"""Framework packs: data folders loaded into plain typed objects."""

from .loader import load_pack, load_pack_cached
from .model import Aspect, Criterion, Pack, Question

__all__ = ["Aspect", "Criterion", "Pack", "Question", "load_pack", "load_pack_cached"]
