"""The demo district 海滨区 and its campaign (``manage.py seed_demo``), and the volume generators the
benchmarks load millions of rows with.

Every demo record goes through the apps' own rules or bulk imports, so the demo is also a long test of
them; the volume generators write past the rules (COPY / bulk_create) and mark the summaries stale. No
production app imports this package (minyi/demo/tests/test_layout.py checks it).
"""
