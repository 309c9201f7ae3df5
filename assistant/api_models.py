"""The request contract of the JSON API, built from settings so that every input limit (question
length, history turns, the size of each turn) is declared in the OpenAPI schema and enforced by
pydantic before any work is done: an oversized history fails in validation, not in analysis.

No `from __future__ import annotations` here: the route below is annotated with a model class
made at run time, and FastAPI must see the class itself, not its name.
"""

import re
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from assistant.settings import Settings

MAX_HISTORY_ANSWER_CHARS = 20_000  # an earlier answer echoed back as history; ours are far shorter
MAX_FIGURES = 50
# a question holds at least one visible character (JSON Schema regexes search, so no anchors)
# (not whitespace, not a control character, not an invisible format mark: what clean_text keeps)
VISIBLE = (
    r"[^\s\x00-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u180e\u200b-\u200f"
    r"\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)


class FigureRef(BaseModel):
    """Of an earlier answer's figures only the chart id is read (for follow-ups)."""

    model_config = ConfigDict(extra="ignore")
    table: str | None = Field(default=None, max_length=40)


def request_model(settings: Settings) -> type[BaseModel]:
    q = settings.max_question_chars
    turn = create_model(
        "HistoryTurn",
        __config__=ConfigDict(extra="ignore"),
        __doc__="An earlier answer as this API returned it; only these fields are read.",
        question=(str, Field(min_length=1, max_length=q)),
        answer=(str, Field(default="", max_length=MAX_HISTORY_ANSWER_CHARS)),
        figures=(list[FigureRef], Field(default_factory=list, max_length=MAX_FIGURES)),
    )
    item = Annotated[str, Field(max_length=q)] | turn
    return create_model(
        "AskRequest",
        __config__=ConfigDict(extra="ignore"),
        question=(
            str,
            Field(
                min_length=1,
                max_length=q,
                pattern=VISIBLE,
                description="The question, in Japanese or English.",
                examples=["伴走支援を受けていない理由は？"],
            ),
        ),
        history=(
            list[item],  # type: ignore[valid-type]
            Field(
                default_factory=list,
                max_length=settings.max_history_turns,
                description="Earlier turns, oldest first: question strings or answer objects as returned by this API.",
            ),
        ),
    )


def ask_route(model: type[BaseModel], handle: Callable[[Any], dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """The /api/ask endpoint, typed with the model made from settings."""

    def ask(req: model) -> dict[str, Any]:  # type: ignore[valid-type]
        """Answer one question with numbered citations; abstains when the report has no evidence."""
        return handle(req)

    return ask


def history_index(loc: tuple[Any, ...]) -> int | None:
    """history[i] in a validation error's location, if it is there."""
    if len(loc) >= 3 and loc[:2] == ("body", "history") and isinstance(loc[2], int):
        return loc[2]
    return None


def is_blank(text: str) -> bool:
    return re.search(VISIBLE, text) is None
