"""Steps 1–3 for one question: normalize → grammar analysis (phrases, cues, terms) → intents.

Built once per store. The intent model is trained on the exemplars on first use and cached
beside the store build, keyed by the exemplars, the featurizer and the build.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np

from assistant.qa import intent
from assistant.qa.analysis import Analysis
from assistant.qa.cues import cues_in
from assistant.qa.followup import after_named_row
from assistant.qa.grammar import Understander
from assistant.qa.lexicon import en_stop, question_words
from assistant.qa.normalize import Normalizer
from assistant.qa.readings import ReadingIndex
from assistant.qa.resources import understanding_fingerprint
from assistant.records import Chart

ASKING_MIN_EXEMPLARS = 2
MAX_ANALYSIS_CHARS = 300  # what the grammar reads of one question: its head and its tail


def bounded(text: str, limit: int = MAX_ANALYSIS_CHARS) -> str:
    """A long question keeps its start and its end (an instruction run before the real question)."""
    if len(text) <= limit:
        return text
    return text[: limit // 2] + "。" + text[-(limit // 2) :]


class QuestionReader:
    def __init__(self, understander: Understander, charts: dict[str, Chart], report_text: str, cache_dir: Path) -> None:
        self.understander = understander
        self.charts = charts
        tok = understander.tokenizer
        labels = " ".join(
            " ".join((c.title, *c.topics, *(x for r in c.rows for x in (r.label, *r.aliases)))) for c in charts.values()
        )
        self.exemplars = intent.read_exemplars()
        vocab = [
            report_text,
            labels,
            " ".join(question_words()),
            *(t for t, _ in self.exemplars if not re.search("[a-z]", t)),
        ]
        english = set(en_stop()) | understander.en_known
        self.normalize = Normalizer(ReadingIndex(tok, vocab, primary=2), english=english)
        asking = [t for t, labels in self.exemplars if "chitchat" not in labels]
        # words many exemplars share are how people ask (ざっくり, 結論); one exemplar's 契約 is a topic
        uses = Counter(w for t in asking for w in set(tok.tokens(self.normalize(t))))
        understander.add_known({w for w, n in uses.items() if n >= ASKING_MIN_EXEMPLARS})
        key = intent.cache_key(intent.exemplars_text(), cache_dir.name, understanding_fingerprint())
        self.intents = intent.load_or_train(cache_dir, key, self.featurize)

    def featurize(self, text: str) -> np.ndarray:
        norm = self.normalize(text)
        return intent.features(norm, self._cues(norm))

    @staticmethod
    def _cues(norm: str) -> set[str]:
        return cues_in(norm.replace(" ", ""), norm.lower())

    def read(self, question: str) -> Analysis:
        norm = bounded(self.normalize(bounded(question, 2 * MAX_ANALYSIS_CHARS)))
        a = self.understander.analyze(norm)
        asks = self.intents.predict(norm, self._cues(norm))
        a = after_named_row(self.charts, a)  # 「コンサルの次に多いのは？」: the place below the row named
        return replace(a, question=re.sub(r"\s+", " ", question).strip(), asks=asks)
