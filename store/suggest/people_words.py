"""The words the people suggester reads a name's context by.

Titles come from ``nameparser`` (about 800 honorifics, offices and occupations in
many languages) when it is installed, with the roles news writes in lower case
("spokesperson", "striker") added here; the rest are the words that make a
capitalised run an organisation, a place or the start of a sentence rather than a
person. The lists are small on purpose: a run counts as a person only with evidence
(a title, a role, a speech verb, a name already known), so these only have to stop
the common false ones.
"""

from __future__ import annotations

from functools import cache

EXTRA_TITLES = frozenset("""
mr mrs ms dr sir dame lord lady prof president secretary minister chancellor senator governor mayor judge
spokesperson spokesman spokeswoman spokespeople chairman chairwoman chairperson chair boss chief ceo
striker midfielder defender goalkeeper winger coach manager captain skipper player champion
actor actress singer rapper star director producer presenter comedian author novelist writer musician
analyst economist professor lawyer attorney prosecutor officer inspector detective sergeant commissioner
leader deputy shadow premier king queen prince princess pope archbishop bishop rev reverend
founder co-founder executive chief-executive head editor correspondent reporter sculptor artist painter
photographer athlete runner vaulter sprinter impresario holder
""".split())

NOT_TITLES = frozenset("""
united states state uk us federal national security police family first her his most right
royal british english army navy air business computer credit criminal customs discovery district
division field film financial flag flying foreign general grand group high information intelligence
judicial knowledge law legal marketing military municipal political private radio revenue risk
rock social software special staff strategy supreme tax technical television travel voice
""".split())
"""nameparser titles that are also ordinary capitalised words of organisations and
places ("United States", "State Department"): they may be stripped from the front of
a run but are no evidence that a person follows."""

ROLES_BEFORE = frozenset("""
spokesperson spokesman spokeswoman minister secretary president chairman chairwoman chief boss
director executive coach manager striker midfielder defender goalkeeper captain singer actor actress
star rapper comedian presenter author writer novelist analyst economist professor lawyer attorney
prosecutor officer colleague rival leader founder chancellor governor senator mayor judge reporter
correspondent editor producer champion winger skipper designer head deputy envoy ambassador sculptor
artist painter photographer athlete runner vaulter sprinter impresario comic
""".split())
"""Lower-case roles written straight before a name: "spokesperson Adrienne Watson"."""

SPEECH_VERBS = frozenset("""
said says told added stated explained argued insisted warned noted claimed admitted asked wrote
announced commented confirmed continued replied responded remarked urged suggested believes thinks
""".split())

ORG_WORDS = frozenset("""
department ministry council committee commission agency office bureau service services administration
government parliament congress senate assembly court party union league association federation
organisation organization institute institution foundation trust fund bank corporation corp inc ltd
plc llc company co brothers partners associates capital group holdings industries international airlines airways motors systems
technologies media news post times journal herald tribune telegraph guardian mail express chronicle
network channel radio tv studios records pictures university college school academy hospital clinic
church club fc united city rovers athletic wanderers county police army navy force forces patrol
border security guard declaration act treaty agreement convention summit conference festival awards
award prize cup championship open games olympics museum gallery theatre theater centre center
street road avenue square bridge airport station house hall palace tower park gap hemisphere river
lake mountain mountains island islands sea ocean bay valley region province state states kingdom
republic east west north south northern southern eastern western central
""".split())
"""Words that make a capitalised run an organisation, an event or a place."""

PLACES = frozenset("""
africa america asia europe oceania antarctica afghanistan albania algeria argentina armenia australia
austria azerbaijan bahrain bangladesh belarus belgium bolivia bosnia brazil britain bulgaria cambodia
cameroon canada chile china colombia congo croatia cuba cyprus czech denmark ecuador egypt england
eritrea estonia ethiopia finland france georgia germany ghana greece guatemala haiti honduras hungary
iceland india indonesia iran iraq ireland israel italy jamaica japan jordan kazakhstan kenya korea
kosovo kuwait laos latvia lebanon liberia libya lithuania luxembourg malaysia mali malta mexico moldova
mongolia morocco mozambique myanmar nepal netherlands nicaragua niger nigeria norway pakistan palestine
panama paraguay peru philippines poland portugal qatar romania russia rwanda scotland senegal serbia
singapore slovakia slovenia somalia spain sudan sweden switzerland syria taiwan tanzania thailand
tunisia turkey uganda ukraine uruguay uzbekistan venezuela vietnam wales yemen zambia zimbabwe
london paris berlin madrid rome moscow beijing tokyo washington york brussels geneva dublin edinburgh
glasgow cardiff belfast manchester liverpool birmingham leeds chelsea arsenal newcastle everton
angeles california texas florida chicago boston hollywood salvador darién darien
""".split())

COMMON = frozenset("""
a an the this that these those there here it its he she his her him they them their we our you your i
my me us who whom whose which what when where why how and or but nor so yet for of in on at by to from
with without within into onto over under after before during since until while as if than then though
although because about above across against along among around behind below beneath beside between
beyond despite down near off out past per through throughout toward towards up upon via last next
first second third new old many much more most some any all each every both few other another such no
not only also even still just very however meanwhile moreover indeed instead thus therefore yes
according earlier later today yesterday tomorrow now once twice monday tuesday wednesday thursday
friday saturday sunday january february march april may june july august september october november
december one two three four five six seven eight nine ten follow read see look neither either
""".split())
"""Function words and calendar words: capitalised at the start of a sentence or in a
name of an organisation ("Doctors Without Borders"), never part of a person's name."""


@cache
def titles() -> frozenset[str]:
    """nameparser's titles with the news roles added, in lower case and without dots;
    without nameparser, only the roles listed here."""
    try:
        from nameparser.config import CONSTANTS
    except ImportError:
        return EXTRA_TITLES
    return frozenset(str(t).lower().rstrip(".") for t in CONSTANTS.titles) | EXTRA_TITLES


@cache
def evidence_titles() -> frozenset[str]:
    """The titles that say a person follows (not "National", "United")."""
    return titles() - NOT_TITLES


def own_titles() -> frozenset[str]:
    """The roles listed here alone, for measuring what nameparser's list adds."""
    return EXTRA_TITLES


NOT_ROLES = frozenset("rival model member host master bearer her his family".split())
"""Titles that, written in lower case before a capitalised word, name a firm as often
as a person ("rival Google")."""
