"""Ingestion: corpus files -> normalized sections -> chunks + chart tables -> embedded store.

Stages are pure functions over the records in `assistant.records`; only `ingest.store` writes.
Run as `python -m ingest [PATH ...] [--store DIR]`.
"""
