"""Question understanding: language, what kind of answer is asked for, and which charts, rows
and columns the question names. All vocabulary comes from the store (chart topics, row aliases,
the glossary); this module holds only the grammar of questions (cue patterns), not answers."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

from assistant.lexical import SudachiTokenizer
from assistant.records import Chart, Language

# --- cue patterns: how people ask, independent of the report's content ----------------------
JA_CUES: dict[str, str] = {
    "period": r"調査期間|調査時期|調査日|いつ(から|まで)?(の)?(調査|アンケート)|(調査|アンケート|サーベイ).{0,6}いつ|いつ(実施|行われ|行った)|実施時期|実施期間",
    "respondents": r"何社が回答|何社(に|を)調査|回答(した)?(企業|者|社)(の)?数|回答数は|回答者数|サンプル(数|サイズ)?|n数|母数|対象(企業)?数|調査対象|何社を対象|何人が回答|何社が参加",
    "publisher": r"発行(元|者)|出典は|調査(主体|機関|元|会社)|誰が(この|本)?(調査|レポート|報告書)|どこが(この|本)?(調査|レポート|報告書)|どこの調査|(調査|レポート|報告書)を(実施|発行|作成|行)(した|っ)|(調査|レポート|報告書)の(発行|作成|実施)(元|者|主体)|(調査|レポート|報告書|アンケート)を?(出し|発行し|作っ|作成し|実施し|やっ)[^？?]{0,6}(どこ|誰|だれ)|(調査|レポート|報告書|アンケート)[、,]?(は)?(誰|だれ|どこ)が(やっ|行っ|実施し|作っ|作成し|発行し|出し)",
    "author": r"(著者|筆者|執筆者|所長)(は|って)?(誰|だれ|どなた)|(著者|筆者|執筆者)名|誰が書い|書いたのは(誰|だれ)|書いた人",
    "opinion": r"どう(見て|考え|評価|捉え|思っ)|見解|評価して|考察|筆者は|著者は",
    "title": r"タイトル|題名|報告書の名前|レポートの名前",
    "about": r"(この|本)(報告書|レポート|調査)(は|って)(何|なに)について|何が(分かる|わかる)|何を(扱|調べ)|概要",
    "summary": r"まとめ|要約|要点|結論|主な(結果|発見)|ポイントは",
    "named": r"(おすすめ|お勧め|オススメ|おススメ)の(会社|企業|コンサル|事業者|機関|業者|支援先|専門家)|会社名|社名|どこの(会社|コンサル|業者)|具体的な(会社|企業名|事業者)",
    "topn": r"(上位|トップ|top ?|ベスト)\s*(\d|three|five|ten|三|五)",
    "superlative": r"最も|一番|いちばん|トップ|最多|最少",
    "both": r"両方|それぞれ|どちらも|双方|\bboth\b|\beach of\b|\brespectively\b",
    "exclude": r"を除(く|いて|いた)|以外(で|では|の)|を別にすると|\bexcluding\b|\bother than\b|\bapart from\b|\bbesides\b|\bexcept\b",
    "all": r"すべて|全て|全部|一覧|すべての|全項目|all (the )?(reasons|answers|items|options|purposes|organi[sz]ations|providers|triggers)|list (all|every)|full list|every (reason|answer|item)",
    "ranking": r"最も|一番|いちばん|多い|多かった|上位|トップ|主な|主要|ランキング|順位|ベスト|何が多|どれが多|どこが多|大きい|目立つ",
    "least": r"最も少な|一番少な|少ない|少なかった|最下位|低い",
    "comparison": r"比べ|比較|違い|違う|差は|差が|どちら|どっち|より多|より少な|対して|vs|異なる|同じ|同数|同程度",
    "outcome": r"伸び(た|ました|る)|増え(た|ました)|上がっ(た|て)|改善(した|され)|向上(した|され)|成果|効果(は|が)(あった|出た|出ました)|満足",
    "nth": r"([2-9２-９二三四五])(番目|位)",
    "measure": r"平均(?!より|以上|以下|的|を上回|を下回)|相場|金額|いくら|何円|万円|単価|料金|価格|年収|売上高|市場規模",
    "figure": r"\d+(\.\d+)?\s*(件|社|%|％)|割合|何%|何パーセント|何割|何分の|どれだけ|何社|何件|何人|いくつ|どのくらい|どれくらい|どれぐらい|どのぐらい|どの程度|数は|率|件数|比率|シェア|パーセント|%|数を",
    "concept": r"とは|(誰|だれ)が何を|何をする(もの|の)|って(何|なに)(?!割|件|社|人|%|パーセント|番)|って[？?]$|って.{0,6}(何|なに)[？?]?$|意味|定義|説明して|どういう|どんな(支援|もの|制度|事業|内容)|どのような(もの|支援|制度|事業|内容)|について(教え|説明|知り)|何ですか|なんですか|具体的",
    "why": r"なぜ|何故|どうして|理由|要因|原因|背景|わけ",
    "when": r"いつ|何年|何月|時期",
}
EN_CUES: dict[str, str] = {
    "period": r"survey period|when was (the|this) survey|when (was|were) .*(conducted|carried out|done|run)|fieldwork|survey dates?|when did the survey",
    "respondents": r"how many (companies|firms|businesses|smes|respondents|people|owners)\b(?!.*\b(said|cited|chose|picked|selected|named|gave|mentioned)\b).*\b(answer|respond|surveyed|asked|covered|included|take part|took part|participat|in the survey)|sample size|number of respondents|how many (respondents|answered|responded)|who (answered|responded|was surveyed)",
    "publisher": r"which (company|organi[sz]ation|institute|firm|body)( or (company|organi[sz]ation|institute|firm|body))? (published|conducted|ran|made|did|carried out|is behind)|\b(conducted|ran|carried out|published|produced) (this|the) (survey|report)|who is behind|who (published|conducted|ran|made|did|carried out|produced|wrote|issued)|publisher|which (organization|organisation|institute|company) (published|conducted|ran|made)|source of (the|this) (report|survey)",
    "author": r"\bwho (is|are|was|were) the authors?\b|\bauthors?'s? names?\b|\bauthor of\b|who wrote|written by|\bthe author\?",
    "opinion": r"\bwhat do(es)? the authors? (think|say|suggest|recommend|conclude|make of)|\bhow do(es)? the authors? (see|view|interpret|evaluate|judge)|\bauthors?'s? (view|opinion|take)",
    "title": r"\btitle\b|name of the report",
    "about": r"what is (this|the) (report|survey) about|what does (this|the) (report|survey) (cover|show|say)",
    "superlative": r"\bnumber one\b|#1\b|\bmost\b|\btop\b|\bbiggest\b|\blargest\b|\bleast\b|\bfewest\b|\blowest\b|\bhighest\b",
    "named": r"recommend (a |an |some |any )?(specific |particular |good |reliable )?([a-z\-]+ )?(company|companies|consultant|consultants|consultancy|firm|firms|provider|providers)|which (company|consultant|firm|provider) should|names? of (the )?(companies|consultants|providers)",
    "summary": r"\bconclu(de|des|sion)|\bsummar|\bconclusion|\bkey findings|\bmain findings|\btakeaways?\b",
    "ranking": r"\bwhich (one|type|kind)\b.*\bmore\b|\bnumber one\b|#1\b|\bfirst place|\bmost\b|\btop\b|\bmain\b|\bcommon|\bbiggest|\blargest|\bleading|\brank|\bprimary|\bmajor|\bhighest|\bpopular",
    "least": r"\bleast\b|\bfewest\b|\blowest\b|\bsmallest\b|\bleast common",
    "nth": r"\b(second|third|fourth|fifth|2nd|3rd|4th|5th)\b",
    "measure": r"how much (does|do|would|will|is|are) .*\b(cost|charge|pay|spend)|\bcharges?\b|\bper (month|year|hour)\b|\baverage (cost|price|fee|amount|salary|revenue|spend|budget|monthly|annual|yearly|hourly)|\bon average\b|\bmedian\b|\bmean (cost|price|fee)|\bprice|\bfees?\b|\bsalar|\byen\b|\bdollars?\b|how much does .* cost|market size|\brevenue of",
    "outcome": r"\b(better|actual|real|positive|concrete) results|\b(get|got|see|saw|achieve|achieved) (any |better )?results|\bend up with|\bsee results|\bget results|\bresults\b.*\b(see|get|achiev|show)|\bimprov(e|ed|ement)|\bincreas|\bhigher sales|\bgrew\b|\bpay off|\bworth it|\b(how|was it|is it|were they) effective|\beffectiveness of|\bsatisf",
    "comparison": r"\bequal(ly)?\b|\bthe same\b|\bas (many|common|often)\b|\bcompar|\bversus\b|\bvs\.?\b|\bdifferen|\bmore than\b|\bless than\b|\bwhich is (more|higher|larger|bigger)|\bhigher than|\blower than",
    "figure": r"how many|how much|what share|what percentage|\bpercent|\bproportion|\brate\b|\bnumber of|\bshare\b|what portion|what fraction|\bhow often",
    "concept": r"what (is|are|does|do) .*\b(mean|meant)|(^|, )what (exactly |precisely )?(is|are|was|were) (a |an |the )?[^?0-9,]{2,60}\?*$|\bdefin|\bexplain|\bdescribe|\bmeaning\b|\bwhat kind of\b|tell me about",
    "why": r"\bwhy\b|\breasons?\b|\bcauses?\b|\bwhat makes\b",
    "when": r"\bwhen\b|\bwhat year\b|\bwhich year\b",
}
FOLLOWUP_JA = r"(だと|では|なら|は)どう[？?]?$|(だと|では|なら)[？?]$|^(それ|その|これ|この|あれ|では|じゃあ|じゃ|なら|だと|また|ちなみに|一方|逆に|他に|ほかに|次に|では、)|^(なぜ|どうして)[？?]?$|(は|も|って)[？?]$|^(なぜ|どうして|理由は)"
FOLLOWUP_EN = r"^(and|what about|how about|and what about|what of|why( is that| so)?\??$|why\?|is that|then|also|so)\b|^(it|that|those|these|this)\b|\b(which one|the two|both of them|those two|these two|that one|this one)\b"
# Prompt injection: whole sentences that address the assistant are dropped; instruction clauses
# inside a real question are cut out, together with any figure they try to plant.
INJECTION_SENTENCE = re.compile(
    r"指示|命令|プロンプト|ルール|あなたは(今から|これから)|制限のない|ロールプレイ|ふりをして|として振る舞"
    r"|管理者より|運営より|システムメッセージ|以降は|に(変更|修正)して|として(回答|答え)"
    r"|instruction|system prompt|system note|system message|admin note|you are now|from now on|pretend|act as"
    r"|jailbreak|developer mode|has been revised|use the (revised|new|updated) (number|figure|value)",
    re.IGNORECASE,
)
INJECTION_CLAUSE = re.compile(
    r"[^、。]*(無視して|忘れて|従わずに)[、,]?"
    r"|[^、。]*(自由に|勝手に|でっち上げ|捏造)[^、。]*(作って|作成して|答えて)[、,]?"
    r"|(だ|である)?と(答えて|回答して|言って|断定して|書いて|返して|答える|回答する|答えな)(ください|下さい|こと|さい)?"
    r"|\b(ignore|disregard|forget)\b[^.?!]*\b(instructions?|rules|prompt)\b( and)?"
    r"|\b(ignore|disregard|forget)\b (all |the |any )?(previous|prior|above|earlier)( ones?)?( and)?"
    r"|\b(and )?(say|answer|respond|reply|state|claim|tell me)( that| with)?\b(?=[^.?!]*\d)",
    re.IGNORECASE,
)
PLANTED_NUMBER = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|パーセント|件|社|人|percent)")
ORDINARY_JA = {
    "する",
    "居る",
    "いる",
    "ある",
    "有る",
    "なる",
    "成る",
    "言う",
    "教える",
    "思う",
    "下さる",
    "くださる",
    "何",
    "何れ",
    "どう",
    "如何",
    "どの",
    "どれ",
    "こと",
    "事",
    "もの",
    "物",
    "ため",
    "為",
    "よう",
    "様",
    "方",
    "中",
    "等",
    "的",
    "時",
    "皆",
    "ください",
    "知る",
    "分かる",
    "聞く",
    "見る",
    "ない",
    "無い",
    "できる",
    "出来る",
    "れる",
    "られる",
    "そう",
    "それ",
    "これ",
    "あれ",
    "ここ",
    "その",
    "この",
    "どちら",
    "どっち",
    "誰",
    "どこ",
    "いつ",
    "なぜ",
    "何故",
    "どうして",
    "割合",
    "数",
    "件数",
    "多い",
    "少ない",
    "最も",
    "一番",
    "理由",
    "比較",
    "違い",
    "意味",
    "定義",
    "程度",
    "くらい",
    "ぐらい",
    "位",
    "一",
    "全体",
    "答える",
    "回答",
    "お願い",
    "教え",
    "ます",
    "です",
    "他",
    "ほか",
    "次",
    "上位",
    "主",
    "報告書",
    "レポート",
    "本",
    "調査",
    "結果",
    "今回",
    "では",
    "じゃあ",
    "ところ",
    "場合",
    "について",
    "具体",
    "具体的",
    "説明",
    "詳しい",
    "詳細",
    "パーセント",
    "%",
    "社",
    "件",
    "人",
    "割",
    "率",
    "比率",
    "シェア",
    "どんな",
    "様々",
    "方法",
    "仕方",
    "やり方",
    "手段",
    "情報",
    "内容",
    "ポイント",
    "みる",
    "たい",
    "欲しい",
    "いただく",
    "頂く",
    "実際",
    "本当",
    "そもそも",
    "抑",
    "抑々",
    "一体",
    "結局",
    "どれ位",
    "なに",
    "何処",
    "いくつ",
    "幾つ",
    "どのくらい",
    "おしえる",
    "かける",
    "掛ける",
}
ORDINARY_JA |= {
    "大事",
    "大切",
    "重要",
    "選ぶ",
    "挙げる",
    "選択",
    "含める",
    "知りたい",
    "気になる",
    "どう",
    "ほう",
    "特徴",
    "概要",
    "詳細",
    "仕組み",
    "中身",
    "意味合い",
    "そもそも",
    "抑",
    "抑々",
    "一体",
    "結局",
}
# framing words of requests and follow-ups: 「該当する数値と出典を示して」「さっき…確認して」
ORDINARY_JA |= {
    "該当",
    "数値",
    "数字",
    "出典",
    "根拠",
    "データ",
    "資料",
    "図表",
    "グラフ",
    "ソース",
    "示す",
    "本文",
    "確認",
    "さっき",
    "先ほど",
    "先程",
    "両方",
    "それぞれ",
    "人",
    "場合",
    "紹介",
    "載る",
    "書く",
    "記載",
}
ORDINARY_JA |= {"筆者", "著者", "作者", "執筆者", "質問", "設問", "別", "付く", "就く", "つく", "為る", "有る", "成る"}
GENERIC_JA = {"伴走", "支援", "伴走支援", "企業", "中小企業", "経営者", "会社", "活用", "利用", "受ける", "使う"}
EN_STOP = set(
    """a an the of to in on at for from by with about as is are was were be been being do does did have has had
    what which who whom whose when where why how that this these those it its they them their there here and or
    but not no nor so than then too very can could should would will shall may might must i you we he she me my
    our your his her any some all each every most more less least many much few number share percent percentage
    rate proportion tell me please show give list name say report survey data figure figures question answer
    currently ever also just only other others top main common biggest largest often often? between compare
    versus vs difference different kind kinds type types mean means meaning define definition explain describe
    whats what's let know like get got use used using uses among within per into onto over under than
    into out up down one two own same such only both either neither whether if while during before after again
    real actual actually really true exactly according report's survey's said says anything something
    curious way ways much many try want wants help think thing things kind sort lot lots am i'm really quite
    cannot can't afford able possible option options right correct true false make makes work works
    confirm check verify say says said closing remarks give gives given mention mentions mentioned older newer
    style type word words term count counts number numbers figure figures authors author overall""".split()
)
FACET = re.compile(r"([\u3040-\u30ff\u4e00-\u9fffA-Za-z]{1,8})別")
# breakdowns the question asks for by name (industry, region, company size): none is in this kind of report
FACET_NAMED = re.compile(
    r"(業種|業界|地域|都道府県|エリア|従業員数|従業員規模|企業規模|会社の規模|規模|資本金|売上規模|男女|性別)"
    r"(ごと|別|によって|による|で(の)?違|の違)|従業員が?\d+人|\d+人(以下|未満|以上|規模)"
    r"|\bby (industry|sector|region|prefecture|company size|firm size|size|gender)\b"
    r"|\b(fewer|more|less) than \d+ (employees|staff|workers|people)\b|\bheadcount\b|\b(industry|sector|regional) breakdown"
)
NUM_RANGE = re.compile(r"(\d{2})\s*[~～〜\-－]\s*(\d{2})")


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


# after a kana only: 受けてる -> 受けている, but 育てる and 立てる stay
_JA_CONTRACTIONS = [
    ("てなかった", "ていなかった"),
    ("てない", "ていない"),
    ("てる", "ている"),
    ("てた", "ていた"),
    ("でる", "でいる"),
    ("でない", "でいない"),
]
_EN_CONTRACTIONS = [
    ("n't", " not"),
    ("can not", "cannot"),
    ("won not", "will not"),
    ("'s ", " is "),
    ("'re ", " are "),
    ("'m ", " am "),
    ("'ve ", " have "),
]


_KANJI_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _kanji_number(m: re.Match[str]) -> str:
    tens, ones = m.group(1), m.group(2)
    return str((_KANJI_DIGITS[tens] if tens else 1) * 10 + (_KANJI_DIGITS[ones] if ones else 0))


def colloquial(text: str) -> str:
    """Spoken forms to written ones: 受けてる -> 受けている, 四十代 -> 40代, don't -> do not."""
    text = re.sub(r"([一二三四五六七八九])?十([一二三四五六七八九])?(?=[代歳才番位件社%])", _kanji_number, text)
    text = re.sub(r"([二三四五六七八九])(?=番目)", lambda m: str(_KANJI_DIGITS[m.group(1)]), text)
    for a, b in _JA_CONTRACTIONS:
        text = re.sub(rf"(?<=[\u3041-\u3093]){a}", b, text)
    text = text.replace("’", "'")
    for a, b in _EN_CONTRACTIONS:
        text = re.sub(re.escape(a), b, text, flags=re.IGNORECASE)
    return text.replace("ca not", "cannot")  # can't -> "ca not" after the n't rule


def detect_language(text: str) -> Language:
    """Japanese unless the question is mostly Latin script ("Why do firms not use 伴走支援?")."""
    latin = len(re.findall(r"[A-Za-z]", text))
    japanese = len(re.findall(r"[\u3040-\u30ff\u3400-\u9fff]", text))
    hiragana = len(re.findall(r"[\u3040-\u309f]", text))
    latin_words = len(re.findall(r"[A-Za-z]{2,}", text))
    if latin > 1.5 * japanese or (hiragana == 0 and latin_words >= 2):
        return "en"
    if hiragana or japanese:
        return "ja"
    return "en" if latin else "ja"


BRACKETED = re.compile(
    r"（[^）]{0,200}）|\([^)]{0,200}\)|【[^】]{0,200}】|\[[^\]]{0,200}\]|<[^>]{0,200}>|＜[^＞]{0,200}＞"
)
BRACKET_ORDER = re.compile(
    r"システム|system|指示|命令|ルール|管理者|運営|instruction|答えること|と答え|と回答|として回答|assistant|admin",
    re.IGNORECASE,
)


def strip_injection(text: str) -> tuple[str, bool]:
    """Remove what tries to instruct the assistant; what is left is the question."""
    bracketed = BRACKETED.sub(lambda m: "" if BRACKET_ORDER.search(m.group(0)) else m.group(0), text)
    if bracketed != text:  # （システム：…と答えること） and the like
        return strip_injection(bracketed)[0], True
    parts = [p for p in re.split(r"(?<=[。！？!?])\s*|(?<=\.)\s+|\n+", text) if p and p.strip()]
    kept: list[str] = []
    injected = False
    for p in parts:
        cleaned = INJECTION_CLAUSE.sub("", p)
        if cleaned != p:
            injected = True
            cleaned = PLANTED_NUMBER.sub("", cleaned)
        if INJECTION_SENTENCE.search(cleaned):
            injected = True
            continue
        if cleaned.strip(" 、,."):
            kept.append(cleaned.strip())
    out = "".join(
        k if re.search(r"[\u3040-\u9fff]", k[-1:]) or k.endswith(("。", "？", "！")) else k + " " for k in kept
    )
    return out.strip(), injected


@dataclass(frozen=True)
class Owner:
    chart: str
    kind: str  # topic | row | col | derived | why
    key: str
    strength: float = 1.0  # an abbreviation of the label (DX for DX推進) is weaker evidence


@dataclass
class Match:
    start: int
    end: int
    phrase: str
    owners: list[Owner]
    idf: float


@dataclass
class Analysis:
    question: str  # as asked (normalized whitespace)
    text: str  # the question without injected instructions, NFKC
    lang: Language
    cues: set[str]
    tokens: list[str]  # for BM25: Sudachi tokens, plus glossary expansions for English
    terms: list[str]  # the question's own content terms (normalized forms)
    unknown: list[str]  # content terms the report never uses
    matches: list[Match]
    chart_scores: dict[str, float]
    rows: dict[str, list[str]]
    columns: dict[str, list[str]]
    derived: dict[str, list[str]]
    subject: str | None
    missing_facets: list[str]
    injected: bool
    proper_nouns: list[str] = field(default_factory=list)
    followup: bool = False
    inherited: str | None = None

    def best_chart(self) -> tuple[str | None, float]:
        if not self.chart_scores:
            return None, 0.0
        cid = max(self.chart_scores, key=lambda c: self.chart_scores[c])
        return cid, self.chart_scores[cid]


def _label_core(label: str) -> str:
    return re.sub(r"[（(]※?\d*[)）]", "", label).strip()


def _age_range(label: str) -> tuple[int, int] | None:
    m = re.match(r"^(\d{2})\s*歳?\s*~\s*(\d{2})?", nfkc(label))
    if not m:
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else 150


class Understander:
    """Built once per store: the phrase index over chart vocabulary and the known-term vocabulary."""

    WEIGHTS = {"topic": 1.0, "row": 1.3, "col": 0.5, "derived": 0.8, "why": 1.0}

    def __init__(
        self,
        charts: dict[str, Chart],
        glossary: dict[str, dict[str, list[str]]],
        vocab: set[str],
        tokenizer: SudachiTokenizer,
        report_text: str,
    ) -> None:
        self.charts = charts
        self.tokenizer = tokenizer
        self.glossary = {nfkc(k).lower(): v for k, v in glossary.get("en", {}).items()}
        self.synonyms = {nfkc(k): v for k, v in glossary.get("ja", {}).items()}
        self._synonym_keys = sorted(self.synonyms, key=len, reverse=True)
        self.canonical = sorted((k for k, v in self.glossary.items() if v == ["伴走支援"]), key=len, reverse=True)
        self.report_text = report_text
        self.ja: dict[str, list[Owner]] = defaultdict(list)
        self.en: dict[str, list[Owner]] = defaultdict(list)
        self.ja_why: dict[str, list[Owner]] = defaultdict(list)
        self.en_why: dict[str, list[Owner]] = defaultdict(list)
        self.ranges: list[tuple[tuple[int, int], Owner]] = []
        self._en_patterns: dict[str, re.Pattern[str]] = {}
        self.row_axes: set[str] = set()
        for c in charts.values():
            for t in c.topics:
                self.ja[nfkc(t).replace(" ", "")].append(Owner(c.id, "topic", ""))
            for t in c.topics_en:
                self.en[nfkc(t).lower()].append(Owner(c.id, "topic", ""))
            for t in c.why_topics:
                self.ja_why[nfkc(t)].append(Owner(c.id, "why", ""))
            for t in c.why_topics_en:
                self.en_why[nfkc(t).lower()].append(Owner(c.id, "why", ""))
            for r in c.rows:
                core = _label_core(r.label)
                for a in (core, *r.aliases):
                    if a:
                        part = a != core and a in core
                        strength = min(1.0, math.sqrt(len(a) / len(core))) if part else 1.0
                        self.ja[nfkc(a).replace(" ", "")].append(Owner(c.id, "row", r.key, strength))
                for a in (r.label_en, *r.aliases_en):
                    self.en[nfkc(a).lower()].append(Owner(c.id, "row", r.key))
                rng = _age_range(r.label)
                if rng:
                    self.ranges.append((rng, Owner(c.id, "row", r.key)))
            if c.is_crosstab:
                for col in c.columns:
                    for a in (col.label, *col.aliases):
                        self.ja[nfkc(a).replace(" ", "")].append(Owner(c.id, "col", col.key))
                    for a in (col.label_en, *col.aliases_en):
                        self.en[nfkc(a).lower()].append(Owner(c.id, "col", col.key))
            for d in c.derived:
                for a in d.aliases:
                    self.ja[nfkc(a)].append(Owner(c.id, "derived", d.key))
                for a in d.aliases_en:
                    self.en[nfkc(a).lower()].append(Owner(c.id, "derived", d.key))
            for axis in (c.row_axis, c.title):
                m = re.search(r"(\S+?)別", axis)
                if m:
                    self.row_axes.add(m.group(1)[-2:])
        profiles = {c.id: self._profile(c) for c in charts.values()}
        n = len(profiles)
        self.idf: dict[str, float] = {}
        for phrase in list(self.ja) + list(self.ja_why):
            df = sum(1 for p in profiles.values() if phrase in p) or 1
            self.idf[phrase] = math.log(1 + n / df)
        for phrase in list(self.en) + list(self.en_why):  # whole words: "age" is not in "usage"
            pat = self._en_pattern(phrase)
            df = sum(1 for p in profiles.values() if pat.search(p)) or 1
            self.idf[phrase] = math.log(1 + n / df)
        known = set(vocab)
        for phrase in self.ja:
            known.update(tokenizer.tokens(phrase))
        for terms in self.glossary.values():
            for t in terms:
                known.update(tokenizer.tokens(t))
        self.known = known
        self.en_known = {w for p in list(self.en) + list(self.glossary) for w in re.findall(r"[a-z][a-z'\-]+", p)}

    @staticmethod
    def _profile(c: Chart) -> str:
        parts = [c.title, c.question, c.title_en.lower(), *c.topics, *(t.lower() for t in c.topics_en)]
        for r in c.rows:
            parts += [r.label, *r.aliases, r.label_en.lower(), *(a.lower() for a in r.aliases_en)]
        for col in c.columns:
            parts += [col.label, *col.aliases, col.label_en.lower(), *(a.lower() for a in col.aliases_en)]
        return nfkc(" ".join(parts)).replace(" ", "") + " " + nfkc(" ".join(parts)).lower()

    # ------------------------------------------------------------------------------------------
    def analyze(self, question: str) -> Analysis:
        q = re.sub(r"\s+", " ", question).strip()
        text, injected = strip_injection(nfkc(q))
        lang = detect_language(text or q)
        text = self._to_report_words(colloquial(text))
        text_ja = text.replace(" ", "")
        text_en = text.lower()
        for phrase in self.canonical:  # one English name for the support, so chart phrases can match it
            text_en = re.sub(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", "hands-on support", text_en)
        cues = {k for k, pat in JA_CUES.items() if re.search(pat, text_ja)}
        cues |= {k for k, pat in EN_CUES.items() if re.search(pat, text_en)}
        matches = self._match(text_ja, text_en, self.ja, self.en, lang)
        if "why" in cues:  # reasons and purposes: matched on their own, so a longer label cannot hide them
            matches += self._match(text_ja, text_en, self.ja_why, self.en_why, lang)
        scores: dict[str, float] = defaultdict(float)
        rows: dict[str, list[str]] = defaultdict(list)
        cols: dict[str, list[str]] = defaultdict(list)
        derived: dict[str, list[str]] = defaultdict(list)
        anchored = {o.chart for m in matches for o in m.owners if o.kind != "derived"}
        for m in matches:
            for o in m.owners:
                shared = len({x.chart for x in m.owners if x.kind == "derived"}) > 1
                if o.kind == "derived" and o.chart not in anchored and shared:
                    continue  # 「活用率」 (in several charts) alone picks none; 「一度でも」 (in one) does
                scores[o.chart] += m.idf * self.WEIGHTS[o.kind] * o.strength
                target = {"row": rows, "col": cols, "derived": derived}.get(o.kind)
                if target is not None and o.key not in target[o.chart]:
                    target[o.chart].append(o.key)
        for o in self._age_rows(text_ja, text_en):
            scores[o.chart] += 1.5
            if o.key not in rows[o.chart]:
                rows[o.chart].append(o.key)
        tokens, terms, unknown, proper = self._terms(text, lang, matches)
        subject = self._subject(text_ja, text_en, lang)
        facets = [f for f in FACET.findall(text_ja) if f[-2:] not in self.row_axes and f not in ("性", "特")]
        named = FACET_NAMED.search(text_ja) or FACET_NAMED.search(text_en)
        if named:
            facets.append(next(g for g in named.groups() if g) if any(named.groups()) else named.group(0))
        return Analysis(
            question=q,
            text=text,
            lang=lang,
            cues=cues,
            tokens=tokens,
            terms=terms,
            unknown=unknown,
            matches=matches,
            chart_scores=dict(scores),
            rows=dict(rows),
            columns=dict(cols),
            derived=dict(derived),
            subject=subject,
            missing_facets=facets,
            injected=injected,
            proper_nouns=proper,
        )

    def _match(
        self, text_ja: str, text_en: str, ja: dict[str, list[Owner]], en: dict[str, list[Owner]], lang: Language
    ) -> list[Match]:
        found: list[Match] = []
        for phrase, owners in ja.items():
            ascii_only = not re.search(r"[^\x00-\x7f]", phrase)
            if not phrase or (ascii_only and (lang == "en" or not re.fullmatch(r"[A-Z0-9]+", phrase))):
                continue  # "DX" in an English question is matched by the English phrases
            if re.fullmatch(r"[\u3040-\u309f]{1,2}", phrase):  # e.g. はい: would match inside 報告はいつ
                continue
            start = text_ja.find(phrase)
            while start >= 0:
                found.append(Match(start, start + len(phrase), phrase, list(owners), self.idf[phrase]))
                start = text_ja.find(phrase, start + 1)
        # English phrases are matched on the lower-cased text with spaces; keep separate offsets
        offset = 10_000
        for phrase, owners in en.items():
            if not phrase or phrase in EN_STOP:
                continue
            for hit in self._en_pattern(phrase).finditer(text_en):
                found.append(Match(offset + hit.start(), offset + hit.end(), phrase, list(owners), self.idf[phrase]))
        found.sort(key=lambda x: (-(x.end - x.start), x.start))
        kept: list[Match] = []
        for cand in found:
            same = next((k for k in kept if k.start == cand.start and k.end == cand.end), None)
            if same:
                same.owners.extend(o for o in cand.owners if o not in same.owners)
                continue
            if any(cand.start < k.end and k.start < cand.end for k in kept):
                continue
            kept.append(cand)
        return sorted(kept, key=lambda x: x.start)

    def _to_report_words(self, text: str) -> str:
        """Paraphrases -> the report's own words (glossary synonyms), replaced in place; a key
        that is already part of its replacement (コンサル in コンサルティング会社) is left alone."""
        for key in self._synonym_keys:
            if key not in text:
                continue
            value = "・".join(self.synonyms[key])
            out, i = [], 0
            while (j := text.find(key, i)) >= 0:
                out.append(text[i:j])
                start = j - value.find(key) if key in value else -1
                already = start >= 0 and text[start : start + len(value)] == value
                out.append(key if already else value)
                i = j + len(key)
            text = "".join(out) + text[i:]
        return text

    def _en_pattern(self, phrase: str) -> re.Pattern[str]:
        pat = self._en_patterns.get(phrase)
        if pat is None:
            pat = re.compile(rf"(?<![a-z]){re.escape(phrase)}(?:s|es)?(?![a-z])")
            self._en_patterns[phrase] = pat
        return pat

    def _age_rows(self, text_ja: str, text_en: str) -> list[Owner]:
        if not self.ranges:
            return []
        spans: list[tuple[int, int]] = []
        for m in re.finditer(r"(\d{2})代(以上|以降|前半|後半)?", text_ja):
            lo = int(m.group(1))
            half = {"前半": (lo, lo + 4), "後半": (lo + 5, lo + 9)}
            spans.append(half.get(m.group(2) or "", (lo, 150 if m.group(2) else lo + 9)))
        for m in re.finditer(r"(\d{2})歳(以上|以降|以下|未満)?", text_ja):
            a = int(m.group(1))
            spans.append(
                {"以上": (a, 150), "以降": (a, 150), "以下": (0, a), "未満": (0, a - 1)}.get(m.group(2) or "", (a, a))
            )
        for m in NUM_RANGE.finditer(text_ja):
            spans.append((int(m.group(1)), int(m.group(2))))
        decades = {"twenties": 20, "thirties": 30, "forties": 40, "fifties": 50, "sixties": 60, "seventies": 70}
        for m in re.finditer(r"\b(twenties|thirties|forties|fifties|sixties|seventies)\b", text_en):
            spans.append((decades[m.group(1)], decades[m.group(1)] + 9))
        for m in re.finditer(r"\b(\d0)s\b", text_en):
            lo = int(m.group(1))
            spans.append((lo, lo + 9))
        for m in re.finditer(
            r"(?:over|above|older than|at least) (\d{2})|(\d{2})\+|(\d{2}) (?:and|or) (?:over|older|above)", text_en
        ):
            a = int(next(g for g in m.groups() if g))
            spans.append((a, 150))
        for m in re.finditer(r"(\d{2})\s*(?:to|-|–|and)\s*(\d{2})", text_en):
            spans.append((int(m.group(1)), int(m.group(2))))
        for m in re.finditer(r"(?:under|younger than|below) (\d{2})", text_en):
            spans.append((0, int(m.group(1)) - 1))
        out = []
        for lo, hi in spans:
            for (rlo, rhi), owner in self.ranges:
                if rlo <= hi and lo <= rhi and owner not in out:
                    out.append(owner)
        return out

    def _terms(
        self, text: str, lang: Language, matches: list[Match]
    ) -> tuple[list[str], list[str], list[str], list[str]]:
        analysed = self.tokenizer.analyze(text)
        tokens = [t.norm for t in analysed if t.pos not in {"助詞", "助動詞", "補助記号", "空白", "記号"}]
        terms: list[str] = []
        unknown: list[str] = []
        proper: list[str] = []
        for t in analysed:
            if t.pos not in {"名詞", "動詞", "形容詞", "形状詞"} or t.pos2 in {"数詞", "非自立可能", "代名詞"}:
                continue
            if re.fullmatch(r"[A-Za-z][A-Za-z'\-]*", t.surface):  # English words are handled below
                continue
            # モノ, コト (read as もの, 事): the report's terms, not fillers; レポート stays a filler
            katakana = re.fullmatch(r"[\u30a0-\u30ff]+", t.surface) is not None and t.norm != t.surface
            if (t.norm in ORDINARY_JA and not katakana) or len(t.norm) < 1:
                continue
            terms.append(t.norm)
            known = t.norm in self.known or (t.norm.endswith("的") and t.norm[:-1] in self.known)  # 意欲的
            if t.pos == "名詞" and not known and t.surface not in self.report_text:
                unknown.append(t.surface)  # an unseen verb is a paraphrase; an unseen noun is a new topic
                if t.pos2 == "固有名詞":
                    proper.append(t.surface)
        if lang == "en" or re.search(r"[a-z]{2,}", text.lower()):
            low = text.lower()
            covered: list[tuple[int, int]] = []  # glossary phrases, longest first, without overlaps
            for phrase in sorted(self.glossary, key=len, reverse=True):
                for m in re.finditer(rf"(?<![a-z]){re.escape(phrase)}(?![a-z])", low):
                    if any(m.start() < e and s < m.end() for s, e in covered):
                        continue
                    covered.append((m.start(), m.end()))
                    for ja in self.glossary[phrase]:
                        tokens.extend(self.tokenizer.tokens(ja))
                        terms.extend(x for x in self.tokenizer.tokens(ja) if x not in ORDINARY_JA)
            for m in re.finditer(r"[a-z][a-z'\-]+", low):
                w = m.group(0)
                if w in EN_STOP or any(s <= m.start() < e for s, e in covered):
                    continue
                if w not in self.en_known and w.rstrip("s") not in self.en_known:
                    unknown.append(w)
                    original = text[m.start() : m.end()]
                    if original[:1].isupper() and m.start() > 0 and not re.search(r"[.?!]\s*$", text[: m.start()]):
                        proper.append(original)
        return tokens, terms, unknown, proper

    def _subject(self, text_ja: str, text_en: str, lang: Language) -> str | None:
        m = (
            re.search(r"^(.+?)(?:とは|って(?:何|なに)(?!割|件|社|人|%)|の意味|というのは|ってどういう)", text_ja)
            or re.search(r"^(.+?)って.{0,8}(?:何|なに|どういう|どんな)", text_ja)
            or re.search(r"^(.+?)って[？?]$", text_ja)
            or re.search(r"^([^、。?？]{2,20}?)って(?=.*(何|なに|どういう|どんな|誰が))", text_ja)
        )
        if m:
            s = re.sub(r"^[「『“\"]|[」』”\"]$", "", m.group(1).strip("「」『』“”\"'"))
            if re.match(r"(それ|これ|あれ|その|この|あの)", s):
                return None  # 「それを受けてるって…」 points back; it names nothing
            return s or None
        m = re.search(
            r"what (?:exactly |precisely )?(?:is|are|was|were|does|do) (?:the |a |an )?(?:term |word |concept of )?"
            r"[\"“']?(.+?)[\"”']?(?: mean| stand for)?\s*\??$",
            text_en,
        )
        m = m or re.search(r"\bdefines? (?:the term |the word )?[\"“']?([^?.\"”']+?)[\"”']?\s*[?.]", text_en)
        m = m or re.search(r"\bmeaning of (?:the term |the word )?[\"“']?([^?.\"”']+?)[\"”']?\s*[?.]", text_en)
        if m and lang == "en":
            subject = m.group(1).strip()
            japanese = re.findall(r"[\u3040-\u30ff\u3400-\u9fff]{2,}", subject)
            plain = re.sub(r"\s*\([^)]*\)", "", subject)  # "hands-on (伴走) support" -> "hands-on support"
            mapped = next(
                (
                    self.glossary[key][0]
                    for key in sorted(self.glossary, key=len, reverse=True)  # the report's word for it
                    if re.search(rf"(?<![a-z]){re.escape(key)}(?![a-z])", plain)
                ),
                None,
            )
            if japanese and not (mapped and japanese[0] in mapped):
                return japanese[0]  # "What is 課題解決型 support?" -> 課題解決型
            return mapped or subject  # "hands-on (伴走) support" -> 伴走支援
        return None
