"""Numbers read out in Korean, for dual transcriptions: `70%` -> `(70%)/(칠십 퍼센트)`.

KsponSpeech writes a number as `(spelling)/(pronunciation)`: the digits as written, then the
Hangul words said. `suggest` finds the numbers in a line that are not yet in a dual form and
offers each one's dual form; `reading` gives the words for one number with its unit. Nothing
here changes a transcript: the editor offers a suggestion and the labeller accepts it or not.

How a number is read (the spacing follows the conventions' own examples, `(3시)/(세 시)`,
`(5분)/(오 분)만`: number and counter apart, a particle glued after the dual form):
- Sino-Korean by default (`num2words`, lang 'ko': 만 not 일만, 일억, a space after each 만
  group as Hangul spelling wants): `5,000원` 오천 원, `1만 원` 만 원, `2024년` 이천이십사 년.
- native Korean before the counters in NATIVE_COUNTERS (`3시` 세 시, `20살` 스무 살, `2명`
  두 명), for the last two digits only from 100 up (`101개` 백한 개); 시 is native up to 12
  (`14시` 십사 시), 대 when the number is not a round ten (`2대` 두 대, `20대` 이십 대).
- special words: `6월` 유월, `10월` 시월, `1번째` 첫 번째; `제3장` is Sino-Korean (제삼).
- decimals digit by digit after 점 (`3.14` 삼 점 일사), fractions as said (`1/2` 이분의 일),
  symbols as words (`%` 퍼센트, `$20` 이십 달러, `5km` 오 킬로미터), clock times (`2:30` 두 시
  삼십 분), phone numbers and codes with a leading zero digit by digit with 공 (`010-1234-5678`
  공일공 일이삼사 오육칠팔).
- a date, a time or a duration is one suggestion: `3시 10분` -> `(3시 10분)/(세 시 십 분)`.

Where the reading cannot be told from the text, nothing is offered rather than a guess: a
range (`3~4개`: 서너 개? 삼사 개?), digits glued to Latin letters (`5G`, `mp3`), a date
written with dots or slashes (`2024.3.1`, `3/15`), `째` (`2째`), numbers of 경 and up, and a
native counter followed by a word ending this module does not know (`3살구` is not 세 살 +
구). Digits glued to a counter not listed here get a Sino-Korean reading, the word outside:
`(3)/(삼)단원`.

Offsets index the NFC text, as in `workbench.text.markup`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from num2words import num2words  # type: ignore[import-untyped]

from workbench.text.conventions import Profile, load_profile
from workbench.text.markup import nfc, parse

__all__ = ["NATIVE_COUNTERS", "SINO_COUNTERS", "Suggestion", "native", "reading", "sino", "suggest"]

NATIVE_COUNTERS = frozenset(
    {
        "개",
        "명",
        "사람",
        "마리",
        "살",
        "시",
        "시간",
        "달",
        "번째",
        "잔",
        "권",
        "병",
        "장",
        "벌",
        "켤레",
        "그루",
        "송이",
        "자루",
        "채",
        "척",
        "통",
        "줄",
        "모금",
        "알",
        "방울",
        "조각",
        "봉지",
        "상자",
        "박스",
        "판",
        "쌍",
        "짝",
        "가지",
        "곳",
        "군데",
        "배",
        "바퀴",
        "끼",
        "걸음",
        "개비",
        "포기",
        "접시",
        "그릇",
        "숟가락",
        "마디",
        "다발",
        "컵",
    }
)
SINO_COUNTERS = frozenset(
    {  # read Sino-Korean anyway; listed for the space before them
        "분",
        "분기",
        "초",
        "원",
        "년",
        "년대",
        "년도",
        "월",
        "일",
        "층",
        "호",
        "호선",
        "번",
        "번지",
        "등",
        "위",
        "회",
        "회차",
        "차",
        "주",
        "주일",
        "주년",
        "개월",
        "개국",
        "개년",
        "학년",
        "세",
        "세기",
        "세트",
        "시즌",
        "인",
        "인분",
        "도",
        "점",
        "퍼센트",
        "프로",
        "킬로",
        "미터",
        "센티",
        "그램",
        "리터",
        "달러",
        "엔",
        "위안",
        "유로",
        "파운드",
        "페이지",
        "쪽",
        "단계",
        "박",
        "평",
        "부",
        "편",
        "화",
        "기",
        "교시",
        "동",
        "대",
    }
)
_COUNTERS = sorted(NATIVE_COUNTERS | SINO_COUNTERS, key=len, reverse=True)
# What may follow a counter in the same word: particles and endings (`5시쯤에`, `3개예요`).
_ENDINGS = sorted(
    {
        "이",
        "가",
        "은",
        "는",
        "을",
        "를",
        "에",
        "서",
        "게",
        "의",
        "도",
        "만",
        "과",
        "와",
        "로",
        "으",
        "나",
        "요",
        "예",
        "였",
        "었",
        "어",
        "야",
        "다",
        "고",
        "랑",
        "면",
        "라",
        "지",
        "죠",
        "께",
        "반",
        "간",
        "인",
        "씩",
        "쯤",
        "째",
        "밖",
        "까지",
        "부터",
        "보다",
        "처럼",
        "입니다",
        "짜리",
        "하고",
        "인데",
        "정도",
        "만큼",
        "마다",
        "한테",
        "동안",
        "즈음",
        "니까",
        "잖아",
    },
    key=len,
    reverse=True,
)
_UNSURE = ("째",)  # glued to digits: 첫째, 둘째, 셋째... not read here
_SYMBOLS = {  # written right after the number; the longer first
    "%": "퍼센트",
    "℃": "도",
    "°C": "도",
    "°": "도",
    "km": "킬로미터",
    "kg": "킬로그램",
    "cm": "센티미터",
    "mm": "밀리미터",
    "mg": "밀리그램",
    "ml": "밀리리터",
    "mL": "밀리리터",
    "m": "미터",
    "g": "그램",
    "L": "리터",
}
_SIGNS = {"$": "달러", "₩": "원", "€": "유로", "¥": "엔", "£": "파운드"}  # written before it
_SPECIAL = {("월", 6): "유월", ("월", 10): "시월", ("번째", 1): "첫 번째"}
_CHAINS = (("년", "월", "일"), ("년", "개월", "주", "일"), ("시", "분", "초"), ("시간", "분", "초"))
_DIGIT_WORDS = "영일이삼사오육칠팔구"
_NATIVE_ONES = ("", "한", "두", "세", "네", "다섯", "여섯", "일곱", "여덟", "아홉")
_NATIVE_TENS = ("", "열", "스물", "서른", "마흔", "쉰", "예순", "일흔", "여든", "아흔")
_MAGNITUDES = {"백": 100, "천": 1000, "만": 10**4, "억": 10**8, "조": 10**12}
_TOO_LARGE = 10**16  # 경 and up: not said in speech; such long digit strings are codes

_START = re.compile(r"[$₩€¥£]?\d")
_PHONE = re.compile(r"\d{2,4}-\d{3,4}-\d{4}")
_CLOCK = re.compile(r"(\d{1,2}):(\d\d)")
_FRACTION = re.compile(r"(\d+)/(\d+)")
# a magnitude is not the start of a counter or particle: 3조각 is 세 조각, 2만큼 이만큼
_NOT_MAGNITUDE = "|".join(
    sorted({w[1:] for w in [*_COUNTERS, *_ENDINGS] if len(w) > 1 and w[0] in _MAGNITUDES})
)
_PART = re.compile(
    r"(\d{1,3}(?:,\d{3})+(?![\d,])|\d+)"  # 5,000 or 5000
    r"(\.\d+)?"  # .14
    rf"((?:[백천]?[만억조]|[백천])(?!{_NOT_MAGNITUDE}))?"  # 만, 5천만, 2억
)
_RUN = re.compile(r"[\w.,:/~\-$₩€¥£%°℃]*", re.ASCII)  # what a number that cannot be read spans
_HANGUL = re.compile(r"[가-힣]*")
_LATIN = re.compile(r"[A-Za-z]")
_NUMERIC_PUNCT = ".,:/-"  # between digits: part of one number


@dataclass(frozen=True)
class Suggestion:
    start: int
    end: int
    original: str  # the text at start:end
    dual_form: str  # what replaces it: (original)/(reading)


@dataclass(frozen=True)
class _Read:
    start: int
    end: int
    words: str
    unit: str = ""  # the counter, for joining a date or time into one


def sino(n: int) -> str:
    """Sino-Korean words for n >= 0: 0 영, 10000 만, 100000000 일억, 1200000 백이십만."""
    return str(num2words(n, lang="ko"))


def native(n: int) -> str:
    """Native Korean words for n >= 1 as said before a counter (한, 두, 스무, 스물한), the
    hundreds and above Sino-Korean: 101 백한, 120 백스무, 10001 만 한."""
    head, tail = n - n % 100, n % 100
    words = _NATIVE_TENS[tail // 10] + _NATIVE_ONES[tail % 10]
    words = "스무" if tail == 20 else words
    if not head:
        return words
    return sino(head) + (" " if head % 10**4 == 0 and words else "") + words


def reading(token: str) -> str | None:
    """The words said for a number with its unit (`70%` 칠십 퍼센트, `3시 10분` 세 시 십 분);
    text around it is kept (`오후 2시` 오후 두 시). None when the token has no digits, or
    digits this module does not read (see the module's notes)."""
    text = nfc(token)
    reads = _group(text, _scan(text))
    digits = [i for i, ch in enumerate(text) if ch.isdecimal()]
    if not digits or not all(any(r.start <= i < r.end for r in reads) for i in digits):
        return None
    out, at = [], 0
    for r in reads:
        out += [text[at : r.start], r.words]
        at = r.end
    return "".join([*out, text[at:]])


def suggest(
    text: str, caret: int | None = None, *, profile: Profile | str = "kspon"
) -> list[Suggestion]:
    """The numbers in `text` outside dual forms (and tags), each with its dual form, in order;
    with `caret`, only the one the caret is in or right after. The dual syntax is the
    profile's; a profile without one raises ValueError."""
    profile = load_profile(profile)
    if profile.dual is None:
        raise ValueError(f"conventions {profile.name!r} have no dual transcription")
    d = profile.dual
    text = nfc(text)
    parsed = parse(text, profile)
    taken = [(p.start, p.end) for w in parsed.words for p in w.pieces if p.kind != "text"]
    taken += parsed.malformed
    out = []
    for r in _group(text, _scan(text)):
        if any(a < r.end and r.start < b for a, b in taken):
            continue
        if caret is not None and not r.start <= caret <= r.end:
            continue
        original = text[r.start : r.end]
        form = f"{d.open}{original}{d.close}{d.separator}{d.open}{r.words}{d.close}"
        out.append(Suggestion(r.start, r.end, original, form))
    return out


# ---- finding numbers


def _scan(text: str) -> list[_Read]:
    """Every number read in `text`, one `_Read` per number with its unit, in order."""
    out: list[_Read] = []
    i = 0
    while (m := _START.search(text, i)) is not None:
        start = m.start()
        read = _number_at(text, start) if _left_ok(text, start) else None
        if read is not None and (not text[read.end - 1].isdecimal() or _right_ok(text, read.end)):
            out.append(read)
            i = read.end
        else:
            i = _past_run(text, start)
    return out


def _past_run(text: str, start: int) -> int:
    """Where the characters of a number that is not read end: `3~4`, `5G`, `2024.3.1`."""
    m = _RUN.match(text, start)
    return max(m.end() if m else 0, start + 1)


def _group(text: str, reads: list[_Read]) -> list[_Read]:
    """Dates, times and durations as one: `2024년 3월 1일`, `3시 10분`, `1년 2개월`."""
    out: list[_Read] = []
    for r in reads:
        last = out[-1] if out else None
        if last and text[last.end : r.start] in ("", " ") and _chained(last.unit, r.unit):
            out[-1] = _Read(last.start, r.end, f"{last.words} {r.words}", r.unit)
        else:
            out.append(r)
    return out


def _chained(first: str, then: str) -> bool:
    return any(first in c and then in c and c.index(first) < c.index(then) for c in _CHAINS)


def _left_ok(text: str, i: int) -> bool:
    before = text[i - 1] if i else ""
    return not (
        before.isdecimal() or _LATIN.match(before) or (before and before in _NUMERIC_PUNCT + "~_")
    )


def _right_ok(text: str, i: int) -> bool:
    after, then = text[i : i + 1], text[i + 1 : i + 2]
    if after.isdecimal() or _LATIN.match(after) or after == "~":
        return False
    return not (after and after in _NUMERIC_PUNCT and then.isdecimal())


def _number_at(text: str, i: int) -> _Read | None:
    """The number (with its unit) starting at `i`, or None where it is not read."""
    sign = _SIGNS.get(text[i])
    if sign:
        amount = _amount_at(text, i + 1)
        return _Read(i, amount.end, f"{amount.words()} {sign}") if amount else None
    for pattern, words in ((_PHONE, _phone), (_CLOCK, _clock), (_FRACTION, _fraction)):
        m = pattern.match(text, i)
        if m and _right_ok(text, m.end()):
            said = words(m)
            return _Read(i, m.end(), said) if said else None
    amount = _amount_at(text, i)
    if amount is None:
        return None
    return _with_unit(text, i, amount, sino_only=_after_je(text, i))


# ---- amounts: 5,000 / 3.14 / 2억 5천만 / 007


@dataclass(frozen=True)
class _Amount:
    end: int
    value: int = 0
    decimals: str = ""  # digits after the point: 3.14 -> "14"
    magnitude: str = ""  # kept as written after a decimal: 1.5만 -> 일 점 오만
    code: str = ""  # digits with a leading zero (007): said one by one when no unit follows

    def words(self) -> str:
        if self.decimals:
            digits = "".join(_DIGIT_WORDS[int(d)] for d in self.decimals)
            return f"{sino(self.value)} 점 {digits}{self.magnitude}"
        return sino(self.value)


def _amount_at(text: str, i: int) -> _Amount | None:
    m = _PART.match(text, i)
    if m is None:
        return None
    number, decimals, magnitude = m.group(1), m.group(2), m.group(3) or ""
    if decimals:
        whole = int(number.replace(",", ""))
        return _Amount(m.end(), whole, decimals[1:], magnitude) if whole < _TOO_LARGE else None
    if number.startswith("0") and len(number) > 1 and not magnitude:
        return _Amount(m.end(), int(number), code=number)
    value, end, big = _part_value(m), m.end(), _big(magnitude)
    while big:  # 2억 5천만, 1만 2천, 3만 5000: each part under the one before
        nxt = _PART.match(text, end + (text[end : end + 1] == " "))
        if nxt is None or nxt.group(2) or (not nxt.group(3) and len(nxt.group(1)) < 3):
            break
        if _part_value(nxt) >= big:
            break
        value, end, big = value + _part_value(nxt), nxt.end(), _big(nxt.group(3) or "")
    return _Amount(end, value) if value < _TOO_LARGE else None


def _part_value(m: re.Match[str]) -> int:
    value = int(m.group(1).replace(",", ""))
    for ch in m.group(3) or "":
        value *= _MAGNITUDES[ch]
    return value


def _big(magnitude: str) -> int:
    """The 만, 억 or 조 that ends a magnitude (천만 -> 10**4), else 0."""
    last = magnitude[-1:]
    return _MAGNITUDES[last] if last and last in "만억조" else 0


def _spell_digits(digits: str) -> str:
    return "".join("공" if d == "0" else _DIGIT_WORDS[int(d)] for d in digits)


def _phone(m: re.Match[str]) -> str:
    return " ".join(_spell_digits(part) for part in m.group().split("-"))


def _clock(m: re.Match[str]) -> str | None:
    hour, minute = int(m.group(1)), int(m.group(2))
    if hour > 24 or minute > 59:
        return None
    said = _counted(hour, "시")
    return f"{said} {sino(minute)} 분" if minute else said


def _fraction(m: re.Match[str]) -> str | None:
    """`1/2` 이분의 일; only a proper fraction of a small denominator, as `3/15` and `12/25`
    are dates more often than not."""
    top, bottom = int(m.group(1)), int(m.group(2))
    return f"{sino(bottom)}분의 {sino(top)}" if top < bottom <= 10 else None


# ---- units: symbols, counters


def _with_unit(text: str, i: int, amount: _Amount, sino_only: bool) -> _Read | None:
    end = amount.end
    for symbol, word in _SYMBOLS.items():
        if text.startswith(symbol, end) and not _LATIN.match(text[end + len(symbol) :][:1]):
            return _Read(i, end + len(symbol), f"{amount.words()} {word}")
    if text.startswith(_UNSURE, end):
        return None
    alone = _Read(i, end, _spell_digits(amount.code) if amount.code else amount.words())
    counter, after = _counter_at(text, end)
    if not counter:
        return alone
    whole = not amount.decimals and not sino_only
    if not _ends_word(text, after):
        if whole and _is_native(amount.value, counter) and text[end] != " ":
            return None  # 3살구: not 세 살 + 구, and maybe not 삼 살구 either
        return alone
    if not whole:
        return _Read(i, after, f"{amount.words()} {counter}", counter)
    return _Read(i, after, _counted(amount.value, counter), counter)


def _counter_at(text: str, end: int) -> tuple[str, int]:
    """The counter right after the number (glued, or after one space), and where it ends."""
    at = end + (text[end : end + 1] == " ")
    for counter in _COUNTERS:
        if text.startswith(counter, at):
            return counter, at + len(counter)
    return "", end


def _ends_word(text: str, i: int) -> bool:
    """Whether the Hangul from `i` to the end of the word is particles and endings only."""
    m = _HANGUL.match(text, i)
    return _endings(m.group() if m else "")


def _endings(rest: str) -> bool:
    """Whether `rest` is a run of known endings (`쯤에`: 쯤 + 에)."""
    ends = {0}  # where a run of endings read so far may end
    for k in range(len(rest)):
        if k in ends:
            ends |= {k + len(e) for e in _ENDINGS if rest.startswith(e, k)}
    return len(rest) in ends


def _is_native(value: int, counter: str) -> bool:
    if value < 1:
        return False
    if counter == "시":
        return value <= 12
    if counter == "대":
        return value % 10 != 0
    return counter in NATIVE_COUNTERS


def _counted(value: int, counter: str) -> str:
    """`value` said before `counter`: 세 시, 스무 살, 유월, 첫 번째, 오천 원."""
    special = _SPECIAL.get((counter, value))
    if special:
        return special
    return f"{native(value) if _is_native(value, counter) else sino(value)} {counter}"


def _after_je(text: str, i: int) -> bool:
    """`제3장`, `제1회`: an ordinal number, Sino-Korean whatever the counter."""
    return text[i - 1 : i] == "제" and (i < 2 or not text[i - 2].isalnum())
