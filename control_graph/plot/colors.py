"""The colours of parties, blocs and states in every plot (see :mod:`control_graph.colors`,
which the web map shares)."""

from control_graph.colors import (
    CONTESTED_COLOR,
    FALLBACK_PALETTE,
    UNKNOWN_COLOR,
    controller_colors,
)

__all__ = ["CONTESTED_COLOR", "FALLBACK_PALETTE", "UNKNOWN_COLOR", "controller_colors"]
