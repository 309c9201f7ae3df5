"""Cited Q&A over the survey report 「中小企業と伴走支援」.

Importing this package loads nothing heavy: no model, no store, no network.
"""
