"""The benchmark harness behind scripts/bench.py, one module per job.

- ``targets``: sizes of the data and the targets figures are judged against;
- ``synth``: the deterministic synthetic network and events;
- ``runner``: child processes measured through a launcher (wall, CPU, peak RSS);
- ``probe``: measurements inside a fresh Python process (run as a script);
- ``questions``: what is asked, shared by SQLite, PostgreSQL and the profiler;
- ``context``: what each measurement is given, and recording one that fails;
- ``measure_import``, ``measure_cli``, ``measure_engine``, ``measure_pg``: the figures;
- ``report``: the table and the JSON;
- ``profiling``: ``--profile NAME``;
- ``main``: the command line and the order of the measurements.
"""
