"""``python -m control_graph`` runs the command line."""

from control_graph.cli import main

main()
