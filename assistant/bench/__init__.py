"""Benchmark of the assistant against a naive LangChain RAG baseline, measured in the same run.

    python -m assistant.bench [--store DIR] [--qa tests/qa.jsonl] [--json] [--quick]

One module per measure: `retrieval` (section@k over a weight × chunk-size grid), `answers` (warm
latency and answer quality), `startup` (ingest time, cold start, peak memory of a fresh process)
and `load` (many clients over HTTP, through `assistant.loadtest`). `baseline` is the naive RAG,
`common` the shared process and statistics helpers, `report` the summary and every printed table,
`run` the orchestrator and `__main__` the command line.
"""
