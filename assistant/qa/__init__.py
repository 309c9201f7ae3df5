"""Question answering, one module per step: normalize → evidence → intent → plan → compose.

Every step is built once per store and costs milliseconds per question. Vocabulary, readings,
dialect forms, cue words and intent exemplars are data files in `assistant/data/`.
"""
