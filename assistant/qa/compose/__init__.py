"""Answer composition, by answer kind: charts, report text, survey facts and abstentions."""

from assistant.qa.compose.dispatch import Composer, compose

__all__ = ["Composer", "compose"]
