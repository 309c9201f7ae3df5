"""The understanding pipeline end to end on the real store: intents, plans with parts, partly
covered questions, advice from the report's views, short refusals, and bounded cost."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.qa import intent
from assistant.records import Turn

pytestmark = pytest.mark.slow


def ask(service: Any, q: str, history: list[str] | None = None) -> Any:
    return service.ask(q, history or [])


def test_intent_model_is_learned_and_cross_validated() -> None:
    examples = intent.read_exemplars()
    assert len(examples) >= 500 and sum(len(labels) > 1 for _, labels in examples) >= 100
    model, rep = intent.train(examples, lambda t: intent.features(t))
    assert set(rep["labels"]) >= {"value", "top", "base", "period", "citation", "share", "sum", "advice", "why"}
    for label, scores in rep["labels"].items():  # out-of-fold, not training accuracy
        assert scores["f1"] >= 0.5, (label, scores)
    got = model.predict("この設問の回答企業数と回答総数、調査期間、出典を教えてください")
    assert {"base", "period", "citation"} <= set(got)


def test_intent_model_is_cached_beside_the_build(tmp_path: Path) -> None:
    calls: list[str] = []

    def featurize(t: str) -> np.ndarray:
        calls.append(t)
        return intent.features(t)

    first = intent.load_or_train(tmp_path, "k", featurize)
    trained = len(calls)
    second = intent.load_or_train(tmp_path, "k", featurize)
    assert trained > 0 and len(calls) == trained  # the second start reads the cache
    assert first.labels == second.labels and np.allclose(first.coef, second.coef)


def test_a_support_request_gets_every_part(real_service: Any) -> None:
    a = ask(
        real_service, "支援元の最多項目の件数と、この設問の回答企業数・回答総数、調査期間を出典付きでお願いします。"
    )
    for part in ("148", "205", "303", "2023年8月21日", "フォーバル GDXリサーチ研究所"):
        assert part in a.answer, part
    assert not a.abstained and "1-3" in {c.section for c in a.citations}


def test_operations_show_their_arithmetic(real_service: Any) -> None:
    share = ask(real_service, "What share of the 347 non-using companies cited cost as a reason?")
    assert "140 ÷ 347 = 40.3%" in share.answer
    total = ask(real_service, "「自ら調べて」と「外的要因の変化から」を足すと何件？")
    assert "27 + 18 = 45" in total.answer
    diff = ask(real_service, "課題解決型と施策実行型の件数の差ってどれくらい？")
    assert "126 − 80 = 46" in diff.answer


def test_partly_covered_answers_the_covered_clause(real_service: Any) -> None:
    a = ask(real_service, "コンサル会社から受けてる会社数と、費用の相場を教えて")
    assert not a.abstained and "148" in a.answer and "記載がありません" in a.answer
    conditional = ask(real_service, "業種別だと、製造業の伴走支援の活用率はどれくらいですか？")
    assert conditional.abstained  # the figure is asked for a group the report does not have


def test_unfamiliar_surfaces_are_understood(real_service: Any) -> None:
    assert "53.1" in ask(real_service, "ばんそうしえん いちども うけたこと ない かいしゃって なんぱーせんと？").answer
    romaji = ask(real_service, "konsaru gaisha kara shien uketeru tte kaitou, nan ken datta?")
    assert "148" in romaji.answer and romaji.language == "ja"
    assert "162" in ask(real_service, "Why don't firms use 伴走支援?").answer
    assert "37.1" in ask(real_service, "伴走支援って今うけてる会社どのくらいいるの？").answer  # a label on its reading


def test_advice_is_the_reports_own_view(real_service: Any) -> None:
    a = ask(real_service, "費用が心配で伴走支援に踏み出せんとよ。どげんしたらよか？")
    assert not a.abstained and a.kind == "advice" and "報告書の見解" in a.answer
    assert all(c.quote in a.answer for c in a.citations if c.chart is None)  # quoted, not invented
    off_topic = ask(real_service, "うち借入の返済がきつくて、リスケした方がいいか迷ってる。どう思う？")
    assert off_topic.abstained


def test_what_the_next_issue_will_report_is_answered_from_the_reports_own_sentences(real_service: Any) -> None:
    for q in ("次の号では何を報告する予定って？", "What will the next issue of the report cover?"):
        a = ask(real_service, q)
        assert not a.abstained and "伴走支援による効果" in a.answer and "中小企業が求める伴走支援" in a.answer
    outcome = ask(real_service, "伴走支援を受けて売上は伸びた？")  # a result the report defers: still said missing
    assert "扱っていません" in outcome.answer and "次号" in outcome.answer


def test_why_a_group_is_not_shown_is_answered_from_the_charts_note(real_service: Any) -> None:
    why = ask(real_service, "年齢別のグラフに30代前半がないのはなんで？")
    assert not why.abstained and "10未満" in why.answer and why.citations[0].chart == "1-2-age"
    figure = ask(real_service, "30代前半の活用率は？")  # the figure itself is still not there
    assert figure.abstained and "記載がありません" in figure.answer and "10未満" in figure.answer


def test_advice_on_a_situation_the_report_describes_brings_what_it_says_answers_it(real_service: Any) -> None:
    """The column describes a situation, then (across a chunk boundary) what answers it."""
    a = ask(real_service, "ツールを導入したのに社員が使いこなせない。どうしたらいい？")
    assert a.kind == "advice" and "使いこなせていない" in a.answer
    assert "こうした状況を打破すべく" in a.answer and "“コト”の提供" in a.answer


def test_refusal_is_short_and_names_near_topics(real_service: Any) -> None:
    a = ask(real_service, "大阪府にある中小企業の数を教えてください")
    assert a.abstained and "記載がありません" in a.answer
    assert a.answer.count("「") <= 3 and len(a.answer) < 200


@pytest.mark.parametrize(
    ("question", "history"),
    [
        (("自由に" * 700)[:2000], [("無視し" * 700)[:2000]] * 10),
        ("ﷺ" * 2000, ["それ、" + "ﷺ" * 1990] * 10),
        ("tsu" * 666, ["ばんそう" * 500] * 10),
        ("受けてない理由" * 280, ["それは？" * 500] * 10),
    ],
)
def test_understanding_cost_is_bounded(real_service: Any, question: str, history: list[str]) -> None:
    real_service._cache.clear()
    t0 = time.perf_counter()
    real_service.understand(question, [Turn(h) for h in history])
    assert time.perf_counter() - t0 < 0.25  # a bound, not the target: `make bench` times it; backtracking takes seconds


def test_the_benchs_hostile_inputs_cost_little_each(real_service: Any) -> None:
    from assistant.bench.answers import HOSTILE_CHARS, HOSTILE_TURNS, hostile_inputs

    cases = hostile_inputs(seed=3)
    assert {k for k, _q, _h in cases} == {"mixed", "ja", "en", "followup"}
    for _kind, question, history in cases[:8]:
        assert len(question) == HOSTILE_CHARS and len(history) == HOSTILE_TURNS
        assert all(len(h) == HOSTILE_CHARS for h in history)
        t0 = time.perf_counter()
        real_service.understand(question, [Turn(h) for h in history])
        assert time.perf_counter() - t0 < 0.25


def test_a_question_complete_in_itself_reads_no_earlier_turn(real_service: Any) -> None:
    real_service._cache.clear()
    a = real_service.understand("伴走支援を受けていない理由で一番多いのは何ですか？", [Turn("税理士の件数は何件？")])
    assert not a.followup and "税理士の件数は何件？" not in real_service._cache
    b = real_service.understand("それって全体の何割？", [Turn("税理士の件数は何件？")])
    assert b.followup and "税理士の件数は何件？" in real_service._cache


def test_order_of_a_chart(real_service: Any) -> None:
    assert "7番目" in ask(real_service, "目的の中で人材育成は何番目？").answer
    zero = ask(real_service, "きっかけで0件だった項目ある？").answer
    assert "社員からの要望" in zero and "0件" in zero
    tie = ask(real_service, "支援元で件数が同じになってるところってある？").answer
    assert "公認会計士" in tie and "その他" in tie
    premise = ask(real_service, "GX推進が目的の1位だったって聞いたけど、何件やった？").answer
    assert "43" in premise and "6番目" in premise and "売上拡大" in premise
    second = ask(real_service, "きっかけで2番目に多いのは？（その他は除いて）").answer
    assert "自ら調べて" in second and "27" in second


def test_measures_are_named_and_computed(real_service: Any) -> None:
    ever = ask(real_service, "DXを高めたいと思ってない層の「一度でも受けたことある」割合って合計何％？").answer
    assert "22.0% + 9.4% = 31.4%" in ever
    usage = ask(real_service, "伴走支援の活用率は？").answer
    assert "37.1" in usage and "46.9" in usage  # currently receiving, and the report's headline total
    count = ask(real_service, "45～49歳で今受けてる人って、人数にしたら何人くらい？").answer
    assert "104 × 45.2% = 47.0" in count


def test_groups_a_chart_leaves_out_are_named(real_service: Any) -> None:
    a = ask(real_service, "30代前半の経営者の利用状況と、35～39歳の現在受けている割合を教えてください")
    assert not a.abstained and "34.1" in a.answer and "35～39歳より若い年齢層" in a.answer and "10未満" in a.answer


def test_every_clause_is_answered(real_service: Any) -> None:
    a = ask(real_service, "伴走支援ってそもそも何？普通のコンサルと何がちゃうの？")
    assert not a.abstained and "自走化" in a.answer and a.citations[0].section == "intro"
    b = ask(real_service, "その2つ、全体の何%ずつって書いてあった？", ["DX推進が目的の件数は？", "売上拡大は？"])
    assert "19%" in b.answer and "17%" in b.answer


def test_premises_about_bases_and_years_are_corrected(real_service: Any) -> None:
    a = ask(real_service, "回答者は1,000社で、年齢別はn=900でしたよね。年齢別で一番活用してる層は？")
    assert "552" in a.answer and "45～49歳" in a.answer and "1,000" not in a.answer
    b = ask(real_service, "この調査って2022年に実施されたんですよね？期間を正確にお願いします")
    assert not b.abstained and "2023年8月21日" in b.answer


def test_the_askers_numbers_are_never_repeated(real_service: Any) -> None:
    """A group the report does not have is named by the chart's own edge, never by the asker's numbers."""
    from assistant.eval import load_report_numbers, unsupported_numbers

    numbers = load_report_numbers(Path(__file__).resolve().parents[1] / "corpus")
    for q in (
        "30～34歳と45～49歳の活用状況を比べたいです",
        "従業員50人以下の会社に絞ると、伴走支援の活用率は何％ですか？",
        "コンサル会社が148件ってことだけど、その中で満足してる会社の割合は？1,234社中で",
    ):
        a = ask(real_service, q)
        assert not unsupported_numbers(a.answer, numbers), (q, a.answer)
    assert "35～39歳より若い年齢層" in ask(real_service, "30～34歳と45～49歳の活用状況を比べたいです").answer


def test_a_clause_the_report_cannot_answer_is_named_not_dropped(real_service: Any) -> None:
    # a figure plus a definition the report never gives: the count, then what is missing
    a = ask(real_service, "税理士から支援を受けてる会社は何件？あと契約期間って普通どのくらい？")
    assert "40" in a.answer and "記載がありません" in a.answer and not a.abstained
    # a figure plus the names of providers, which the report never gives
    b = ask(real_service, "How many firms get support from a tax accountant, and which firms are they?")
    assert "40" in b.answer and "does not cover" in b.answer


def test_advice_gives_the_reports_view_with_the_figures_of_the_askers_situation(real_service: Any) -> None:
    a = ask(
        real_service,
        "電話で売り込みがあって伴走支援を勧められた。みんなもそういうきっかけで始めてるもの？やってみるべき？",
    )
    assert not a.abstained and a.kind == "advice"
    assert "120" in a.answer  # the sales-contact figure bears on the situation, and comes first
    assert a.answer.index("120") < a.answer.index("報告書の見解")
    assert any(c.chart is None for c in a.citations)  # and the report's own words, cited


def test_why_on_a_chart_of_reasons_adds_the_reports_reading(real_service: Any) -> None:
    a = ask(real_service, "伴走支援を使ってない会社が多いのは、どういう理由だと報告書は見てるの？")
    assert "162" in a.answer  # the chart's top reason
    quotes = [c.quote for c in a.citations if c.chart is None]
    assert any("二の足" in q or "イメージ" in q for q in quotes), quotes  # the authors' reading of it


def test_prose_questions_meet_their_sentence_through_the_questions_it_answers(real_service: Any) -> None:
    # no word of the sentence is used: 「コト」の支援 is found through questions like this one
    a = ask(real_service, "国の支援がモノからコトに移ってきたのはどうして？")
    assert not a.abstained
    assert any(c.section == "column" for c in a.citations)
    index = real_service.composer.context.passages
    assert index is not None and len(index) >= 1000
    top = np.argsort(-index.scores("伴走支援が広まった背景って何？", normalized=False))[:2]
    texts = [real_service.composer.context.sentences[int(i)].text for i in top]
    assert any("広がりました" in t for t in texts), texts  # the intro's reason sentence, beside its definition


def test_a_misspelt_loanword_still_finds_its_row(real_service: Any) -> None:
    ans = ask(real_service, "コンサルテング会社から支援を受けてる会社の件数は？")
    assert not ans.abstained and "148" in ans.answer


def test_a_request_for_names_gets_what_the_report_says_and_that_it_names_none(real_service: Any) -> None:
    ans = ask(real_service, "どこの自治体が無料の伴走支援をやってるの？")
    assert not ans.abstained
    assert "挙げていません" in ans.answer and "自治体によって異なる" in ans.answer


def test_an_askers_own_age_picks_the_age_row(real_service: Any) -> None:
    ans = ask(real_service, "I'm 47 and have never used this kind of support. Is that common for my age?")
    assert not ans.abstained and "45.2" in ans.answer and "n=532" in ans.answer


def test_a_follow_up_asking_who_answered_gets_the_base_of_the_chart_just_discussed(real_service: Any) -> None:
    ans = ask(real_service, "それって何社が答えたの？", ["受けていない理由で一番多いのは？"])
    assert "347" in ans.answer and "552" not in ans.answer


def test_worst_without_other_is_the_least_common_real_row(real_service: Any) -> None:
    ans = ask(real_service, "きっかけでワーストはどれ？その他は抜きで")
    assert "最も少ない" in ans.answer and "「その他」" not in ans.answer.split("。")[0]


def test_a_kana_term_with_a_suffix_meets_the_reports_compound(real_service: Any) -> None:
    ans = ask(real_service, "じそうかって何？")
    assert not ans.abstained and "自走化" in ans.answer


def test_a_measure_asked_across_a_dimension_goes_to_that_cross_tab(real_service: Any) -> None:
    ans = ask(real_service, "今は受けてないけど昔は受けてた、って割合が一番少ない年齢層は？")
    assert "n=532" in ans.answer and "4.7" in ans.answer


def test_an_age_range_in_kana_picks_its_row(real_service: Any) -> None:
    ans = ask(
        real_service, "よんじゅうごさい から よんじゅうきゅうさい の しゃちょうで いま うけてる ひとの わりあいは？"
    )
    assert "45.2" in ans.answer


def test_a_later_clause_inherits_what_the_earlier_one_named(real_service: Any) -> None:
    ans = ask(real_service, "前回調査より伴走支援を受けてる会社は増えた？現在の割合は？")
    assert not ans.abstained and "37.1" in ans.answer and "記載がありません" in ans.answer


def test_a_breakdown_not_covered_beside_a_covered_figure_answers_the_figure(real_service: Any) -> None:
    ans = ask(real_service, "How does usage differ by region, and what share of firms have ever used it overall?")
    assert not ans.abstained and "46.9" in ans.answer and "region" in ans.answer


def test_a_row_named_with_words_apart_is_found_in_the_chart_asked_about(real_service: Any) -> None:
    ans = ask(real_service, "受けない理由で、コストと効果がいまいち分からないの、どっちが多い？")
    assert "140" in ans.answer and "135" in ans.answer


def test_the_title_comes_with_its_subtitle(real_service: Any) -> None:
    ans = ask(real_service, "報告書の正式なタイトルと副題を教えて")
    assert "中小企業と伴走支援" in ans.answer and "共に走る" in ans.answer


def test_a_group_the_report_never_splits_by_is_refused_in_kana_and_romaji(real_service: Any) -> None:
    for q in ("だんせいけいえいしゃだけの かつようりつは？", "seizougyou no katsuyouritsu wa?"):
        ans = ask(real_service, q)
        assert ans.abstained and "絞った数値" in ans.answer, (q, ans.answer)


def test_a_group_and_a_measure_named_by_the_simple_chart_go_to_the_cross_tab(real_service: Any) -> None:
    ans = ask(real_service, "年代別で55～59歳の「受けている」と「過去に受けた」の数値を教えて")
    assert "n=532" in ans.answer and "55～59歳" in ans.answer


def test_next_group_after_one_age_group_is_the_following_group(real_service: Any) -> None:
    ans = ask(real_service, "次の年代は？", ["40～44歳の経営者の活用状況は？"])
    assert "45～49歳" in ans.answer and "45.2" in ans.answer


def test_nth_from_the_bottom_without_other(real_service: Any) -> None:
    ans = ask(real_service, "きっかけで下から2番目はどれ？その他は数えないで")
    assert "2番目に少ない" in ans.answer and "「その他」" not in ans.answer.split("。")[0]


def test_a_wrong_publisher_in_the_question_is_corrected(real_service: Any) -> None:
    ans = ask(real_service, "このレポートって東京商工リサーチが発行したんだよね？")
    assert "フォーバル" in ans.answer


def test_a_clause_about_results_of_support_is_named_as_missing(real_service: Any) -> None:
    ans = ask(real_service, "伴走支援で売上は伸びた？それと受けている理由の1位は？")
    assert "109" in ans.answer and "記載がありません" in ans.answer


def test_a_definition_asked_around_the_term_is_answered(real_service: Any) -> None:
    for q in (
        "自走化って最近よく聞くけど、ざっくり言うとどういうこと？",
        "The report talks about a third party. Who does it mean?",
    ):
        ans = ask(real_service, q)
        assert not ans.abstained, q


def test_english_ranks_are_ordinals(real_service: Any) -> None:
    ans = ask(real_service, "Where does promoting GX rank among the purposes?")
    assert "6th" in ans.answer


def test_romaji_long_vowels_written_with_a_hyphen(real_service: Any) -> None:
    ans = ask(real_service, "ima uketeiru kaisha wa nan pa-sento desu ka?")
    assert "37.1" in ans.answer


def test_why_the_report_does_not_answer_is_said_beside_the_fact(real_service: Any) -> None:
    ans = ask(real_service, "60代以上で使う人が少ないのはなぜ？")
    assert "その理由は報告書に記載がありません" in ans.answer and "4割以下" in ans.answer


def test_who_wrote_it_and_what_it_is_about_in_casual_japanese(real_service: Any) -> None:
    assert "平良" in ask(real_service, "この報告書を書いた人は誰？").answer
    assert "n=552" in ask(real_service, "これって何の調査なの？").answer


def test_a_wrong_claim_about_the_top_row_is_corrected_without_side_parts(real_service: Any) -> None:
    ans = ask(real_service, "受けてない理由の1位は「効果が不明瞭だから」で300件、で合ってる？")
    assert "必要性を感じないから" in ans.answer and "162" in ans.answer
    assert "0件の項目" not in ans.answer and "300" not in ans.answer


def test_survey_statistics_the_report_lacks_are_refused(real_service: Any) -> None:
    for q in ("このアンケートの回収率はどれくらい？", "How was the sample chosen, and what's the margin of error?"):
        assert ask(real_service, q).abstained, q
