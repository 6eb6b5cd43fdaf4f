"""A question asked in words, read into its parts without a model: what it asks (the intent), about what (the
target: kind, name, namespace), and how to narrow the logs it wants (a term, a level, a number of lines).

The reading is deliberately small and general: patterns of how people ask in chat ("why is deployment X in
namespace Y failing?", "show me the logs of pod X since last Thursday", "find 'Peer down' in the logs of X",
"what errors did X log?", "is X healthy?", "is X installed?", "which pods are not running in Z?"). The time
expression is kept as words: it is resolved later against the current time a tool reports (see time_window).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Intent(StrEnum):
    DIAGNOSE = "diagnose"  # why is it failing, what is the issue
    HEALTH = "health"  # is it healthy
    LOGS = "logs"  # show its logs (optionally filtered)
    ERRORS = "errors"  # what errors did it log
    SEARCH = "search"  # find a term in its logs
    EXISTS = "exists"  # is it installed / does it exist
    LIST = "list"  # which objects (in a state)


# Kinds as people name them, to the kind the tools take; "workload" and "app" name any of the workload kinds.
KIND_WORDS = {
    "pod": "pod",
    "pods": "pod",
    "deployment": "deployment",
    "deployments": "deployment",
    "deploy": "deployment",
    "statefulset": "statefulset",
    "statefulsets": "statefulset",
    "sts": "statefulset",
    "daemonset": "daemonset",
    "daemonsets": "daemonset",
    "ds": "daemonset",
    "replicaset": "replicaset",
    "replicasets": "replicaset",
    "job": "job",
    "jobs": "job",
    "cronjob": "cronjob",
    "cronjobs": "cronjob",
    "service": "service",
    "services": "service",
    "svc": "service",
    "node": "node",
    "nodes": "node",
    "pvc": "persistentvolumeclaim",
    "pvcs": "persistentvolumeclaim",
    "persistentvolumeclaim": "persistentvolumeclaim",
    "persistentvolumeclaims": "persistentvolumeclaim",
    "ingress": "ingress",
    "ingresses": "ingress",
    "configmap": "configmap",
    "configmaps": "configmap",
    "workload": None,
    "workloads": None,
    "app": None,
    "apps": None,
    "application": None,
    "applications": None,
    "container": None,
    "containers": None,
}
_PLURAL_KINDS = frozenset(w for w in KIND_WORDS if (w.endswith("s") and w[:-1] in KIND_WORDS) or w == "ingresses")
LEVELS = ("ERROR", "WARN", "WARNING", "FATAL", "CRITICAL", "INFO", "DEBUG", "PANIC", "EXCEPTION")

# Words that are never the name of the thing asked about.
_STOPWORDS = frozenset(
    """a an the my our your their its this that these those it is are was were be been being am do does did
    what which who whom whose why how when where there here any some all each every no not none
    of for from in on at to into with without by about as and or but if then than so since until between
    after before during last past next today yesterday ago week weeks month months day days hour hours
    minute minutes second seconds line lines entries entry lately recently now currently
    show me tell give get list find search grep look looking check explain investigate debug troubleshoot
    figure out see print post display fetch pull read dump
    logs log logged logging output errors error exceptions exception warnings warning messages message
    issue issues problem problems wrong failing failed fails fail failure crash crashing crashed crashes
    crashloop crashloopbackoff backoff pending running stuck restarting restarts restart broken down up
    healthy unhealthy health ok okay fine working work status state happening happened going on
    installed install deployed exist exists existing present available
    namespace namespaces cluster kubernetes k8s please can could would should will you i we us
    that contain contains containing mentioning mention mentions matching match matches word term
    cause causes caused root reason reasons fix fixed fixing resolve solve help happen happens mean means
    oom oomkilled killed evicted imagepullbackoff errimagepull containercreating terminating completed
    slow slowly latency high low memory cpu disk usage""".split()  # noqa: SIM905 - a word list reads better as words
)
_BEFORE_NAME = frozenset({"with", "of", "for", "about", "on", "is", "does", "did", "from"})
_NAME = r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?"
_NAMESPACE = [
    re.compile(rf"\b(?:in|from|within|of)\s+(?:the\s+)?(?:namespace|ns)\s+[`'\"]?({_NAME})[`'\"]?"),
    re.compile(rf"\b(?:in|from|within|of)\s+(?:the\s+)?[`'\"]?({_NAME})[`'\"]?\s+(?:namespace|ns)\b"),
    re.compile(rf"(?:^|\s)(?:-n|--namespace[= ])\s*({_NAME})\b"),
    re.compile(rf"\bnamespace[:=]\s*[`'\"]?({_NAME})"),
]
# Straight quotes, and the curly ones chat clients type (written as escapes: they look like other characters).
_QUOTED = re.compile("'([^']+)'|\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|\u2018([^\u2019]+)\u2019")
_BACKTICKED = re.compile(r"`([^`]+)`")
_LIMIT = re.compile(
    r"\b(?:last|latest|recent|first|top|tail)\s+(\d{1,5})\b"
    r"(?!\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|[smhdw])\b)"
    r"|\b(\d{1,5})\s+(?:[\w-]+\s+){0,3}?(?:lines?|logs?|entries|messages|errors)\b"
)
_UNQUOTED_TERM = re.compile(
    r"\b(?:containing|contain|contains|mentioning|mention|mentions|matching|with the (?:word|term|text))\s+"
    r"([A-Za-z0-9_.:/-]+)"
)
_FIND_IN_LOGS = re.compile(
    r"\b(?:find|search(?: for)?|grep(?: for)?|look for)\s+(?!the\s+logs?\b)(?:the\s+(?:text|word|term|string)\s+)?"
    r"([^'\"`]+?)\s+in\s+(?:the\s+)?(?:logs?|output)\b",
    re.IGNORECASE,
)
_SEARCH_VERB = re.compile(r"\b(?:find|search|grep|look(?:ing)? for|occurrences? of|lines? with)\b")
_LOGS = re.compile(r"\blogs?\b|\blog lines\b|\bprinted\b|\boutput\b|\bstdout\b")
_ERRORS = re.compile(r"\b(?:errors?|exceptions?|failures?|stack ?traces?|tracebacks?|panics?)\b")
_ERRORS_ASKED = re.compile(
    r"\b(?:what|which|any|show|list|summari[sz]e|count|were there|check|scan|look)\b[^?]*"
    r"\b(?:errors?|exceptions?|warnings?)\b"
    r"|\berror logs?\b|\berrors? (?:did|does|has|have|were|in)\b|\blogged\b"
)
_HEALTH = re.compile(
    r"\b(?:healthy|health|ok|okay|fine|working(?: (?:fine|properly|correctly))?|up and running|alright|all right)\b"
    r"|\bstatus of\b|\bhow is\b|\bhow's\b|\bcheck on\b|^\s*(?:is|are)\b[^?]*\b(?:running|up|ready|available)\b"
)
_DIAGNOSE = re.compile(
    r"\b(?:why|what(?:'s| is)? (?:the )?(?:issue|problem|wrong|cause|reason|going on|happening)|root cause|"
    r"failing|failed|fails|crash\w*|not (?:working|starting|running|ready)|stuck|pending|unhealthy|broken|"
    r"investigate|debug|troubleshoot|diagnos\w+|restart\w*|oom\w*|error state)\b"
)
_EXISTS = re.compile(
    r"\b(?:installed|install(?:ation)?|deployed|exists?|present)\b|\bis there (?:an? )?\b|\bdo (?:we|i) have\b"
    r"|\bdoes [^?]* run\b"
)
_LIST = re.compile(
    r"^\s*(?:which|list|what|show(?: me)?(?: all)?(?: the)?|are there any|how many|name the)\b[^?]*?\b"
    r"(pods|deployments|statefulsets|daemonsets|jobs|cronjobs|services|nodes|pvcs|persistentvolumeclaims|"
    r"workloads|ingresses|replicasets)\b"
)
_LIST_SCOPE = re.compile(
    r"\b(?:pods|deployments|statefulsets|daemonsets|jobs|cronjobs|services|pvcs|workloads)\s+(?:are\s+)?in\s+"
    rf"(?:the\s+)?({_NAME})\b"
)
_NOT_A_NAMESPACE = frozenset(
    {
        "cluster",
        "crashloopbackoff",
        "crashloop",
        "pending",
        "error",
        "state",
        "status",
        "trouble",
        "a",
        "an",
        "my",
        "all",
    }
)
_STATE_WORDS = re.compile(
    r"\b(not running|not ready|pending|crash\w*|failing|failed|restarting|evicted|completed|running|"
    r"unhealthy|oom\w*|image ?pull\w*|terminating|unschedulable)\b"
)


@dataclass(frozen=True)
class Target:
    """What the question is about; any part may be missing (the name is then searched for, or asked for)."""

    name: str | None = None
    kind: str | None = None
    namespace: str | None = None


@dataclass(frozen=True)
class LogFilter:
    term: str | None = None  # lines containing this text
    level: str | None = None  # lines of this level or worse (ERROR, WARN, ...)
    limit: int | None = None  # the most recent N lines

    @property
    def empty(self) -> bool:
        return self.term is None and self.level is None and self.limit is None


@dataclass(frozen=True)
class Question:
    text: str
    intent: Intent
    target: Target
    log_filter: LogFilter = LogFilter()
    state: str | None = None  # for a listing: the state asked about ("not running", "pending", ...)


def parse_question(text: str) -> Question:
    raw = " ".join(text.split())
    lower = raw.lower()
    quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(raw)]
    backticked = _BACKTICKED.findall(raw)
    namespace = _namespace(lower)
    term = _term(raw, lower, quoted)
    level = _level(raw, lower, term)
    intent = _intent(lower, term)
    limit = _limit(lower) if intent in (Intent.LOGS, Intent.ERRORS, Intent.SEARCH) else None
    kind, name = _target(lower, backticked, quoted, namespace, term)
    if name and namespace is None:
        namespace = _namespace_after(lower, name)
    state = None
    if intent is Intent.LIST and namespace is None:
        # "which pods in warehouse are not running?": a listing's "in <name>" is its namespace.
        scoped = _LIST_SCOPE.search(lower)
        namespace = scoped.group(1) if scoped and scoped.group(1) not in _NOT_A_NAMESPACE else None
    if intent is Intent.LIST:
        listed = _LIST.search(lower)
        kind = KIND_WORDS.get(listed.group(1)) if listed else kind
        found = _STATE_WORDS.search(lower[listed.end() :] if listed else lower)
        state = found.group(1) if found else None
        name = None
    if intent is Intent.ERRORS and level is None and term is None:
        level = "ERROR"
    return Question(
        text=raw,
        intent=intent,
        target=Target(name=name, kind=kind, namespace=namespace),
        log_filter=LogFilter(term=term, level=level, limit=limit),
        state=state,
    )


def _namespace(lower: str) -> str | None:
    for pattern in _NAMESPACE:
        match = pattern.search(lower)
        if match and match.group(1) not in _STOPWORDS:
            return match.group(1)
    return None


def _term(raw: str, lower: str, quoted: list[str]) -> str | None:
    """The text the lines must contain: a quoted phrase, or the word after "containing"/"mentioning"."""
    for phrase in quoted:
        if not _looks_like_name(phrase) or phrase.upper() in LEVELS or " " in phrase:
            return phrase
        # A quoted name right after a search verb is a term too: find 'timeout' in the logs of x
        position = raw.find(phrase)
        before = lower[max(0, position - 20) : position]
        if _SEARCH_VERB.search(before) or re.search(r"contain\w*\s*.?$", before):
            return phrase
    match = _FIND_IN_LOGS.search(raw)
    if match and match.group(1).lower() not in _STOPWORDS:
        return match.group(1)
    match = _UNQUOTED_TERM.search(raw)
    if match and match.group(1).lower() not in _STOPWORDS:
        return match.group(1)
    return None


def _namespace_after(lower: str, name: str) -> str | None:
    """ "payment-processor in production-65", "the web deployment in shop": a name right after the target is its
    namespace, unless it is a word (a state, "the cluster")."""
    kinds = "|".join(k for k in KIND_WORDS if k.isalpha())
    match = re.search(rf"{re.escape(name)}(?:\s+(?:{kinds}))?\s+in\s+(?:the\s+)?({_NAME})\b", lower)
    if match is None or match.group(1) in _STOPWORDS or match.group(1) in _NOT_A_NAMESPACE:
        return None
    return match.group(1)


def _level(raw: str, lower: str, term: str | None) -> str | None:
    if term is not None and term.upper() in LEVELS:
        return None  # the level is the term itself ("contain ERROR"): filtered as written
    for word in re.findall(r"\b[A-Z]{4,9}\b", raw):
        if word in LEVELS and word not in ("INFO", "DEBUG"):
            return "WARN" if word == "WARNING" else word
    if re.search(r"\bwarn(?:ing)?s?\b", lower) and not _ERRORS.search(lower):
        return "WARN"
    return None


def _intent(lower: str, term: str | None) -> Intent:
    if _LIST.search(lower) and not re.search(r"\blogs?\b", lower):
        return Intent.LIST
    if re.search(r"\binstalled\b|\bis there an?\b|\bdo (?:we|i) have\b|\bdoes \S+ exist\b|\bexists?\b", lower):
        return Intent.EXISTS
    if term is not None and (_SEARCH_VERB.search(lower) or _LOGS.search(lower)):
        return Intent.SEARCH if _SEARCH_VERB.search(lower) else Intent.LOGS
    if _ERRORS_ASKED.search(lower) and not re.search(r"\bwhy\b", lower):
        return Intent.ERRORS
    if _LOGS.search(lower):
        return Intent.LOGS
    if _HEALTH.search(lower) and not re.search(r"\bwhy\b|\bunhealthy\b", lower):
        return Intent.HEALTH
    if _EXISTS.search(lower) and not _DIAGNOSE.search(lower):
        return Intent.EXISTS
    return Intent.DIAGNOSE


def _limit(lower: str) -> int | None:
    match = _LIMIT.search(lower)
    if match is None:
        return None
    value = int(match.group(1) or match.group(2))
    return value if 0 < value <= 10_000 else None


def _looks_like_name(token: str) -> bool:
    return bool(re.fullmatch(_NAME, token.lower())) and len(token) <= 253


def _target(
    lower: str, backticked: list[str], quoted: list[str], namespace: str | None, term: str | None
) -> tuple[str | None, str | None]:
    """The kind and the name asked about."""
    excluded = {namespace, (term or "").lower()}
    text = _QUOTED.sub(lambda m: " " if (next(g for g in m.groups() if g) == term) else m.group(0), lower)
    for pattern in _NAMESPACE:
        text = pattern.sub(" ", text)
    kind = _kind(text)
    # 1. A name in backticks, or a quoted name that is not the search term.
    for token in [*backticked, *quoted]:
        token = token.strip().lower()
        if token not in excluded and _looks_like_name(token) and token not in _STOPWORDS:
            return _kind_from_name(kind, token), _bare(token)
    words = re.findall(r"[a-z0-9][a-z0-9./_-]*[a-z0-9]|[a-z0-9]", text.replace("`", " ").replace("'s ", " "))
    candidates = [w for w in words if w not in _STOPWORDS and w not in excluded and not _is_noise(w)]
    # 2. Right after a kind word ("deployment X", "pod X"), or right before it ("the X deployment").
    for index, word in enumerate(words):
        if word in KIND_WORDS and word not in _PLURAL_KINDS:
            for near in (words[index + 1 : index + 2], words[max(0, index - 1) : index]):
                if near and near[0] in candidates:
                    return _kind_from_name(KIND_WORDS[word] or kind, near[0]), _bare(near[0])
    # 3. The sentence's subject: "redis is pending, why?", "checkout keeps restarting".
    subject = re.match(
        r"\s*(?:the\s+|my\s+|our\s+)?([a-z0-9][a-z0-9.-]*)\s+(?:is|are|keeps|has|was|won't|doesn't|"
        r"can't|cannot|fails|failed|crashes|crashed|stays|seems|looks)\b",
        text,
    )
    if subject and subject.group(1) in candidates and subject.group(1) not in KIND_WORDS:
        return _kind_from_name(kind, subject.group(1)), _bare(subject.group(1))
    # 4. A name shaped like a Kubernetes name (hyphens or digits), then any remaining word after a preposition.
    shaped = [w for w in candidates if re.search(r"[-.\d]", w) and w not in KIND_WORDS]
    if shaped:
        return _kind_from_name(kind, shaped[0]), _bare(shaped[0])
    for index, word in enumerate(words[:-1]):
        following = words[index + 1]
        if word in _BEFORE_NAME and following in candidates and following not in KIND_WORDS:
            return _kind_from_name(kind, words[index + 1]), _bare(words[index + 1])
    return kind, None


def _kind(text: str) -> str | None:
    # Whole tokens: "payment-service" names a thing, not the kind Service.
    for word in re.findall(r"[a-z0-9][a-z0-9./_-]*[a-z0-9]|[a-z]", text):
        if word in KIND_WORDS and word not in _PLURAL_KINDS and KIND_WORDS[word]:
            return KIND_WORDS[word]
    return None


def _kind_from_name(kind: str | None, name: str) -> str | None:
    if "/" in name:  # deployment/x, as kubectl writes it
        prefix = name.split("/", 1)[0]
        return KIND_WORDS.get(prefix, kind)
    return kind


def _bare(name: str) -> str:
    return name.split("/", 1)[1] if "/" in name else name


def _is_noise(word: str) -> bool:
    """Dates, times, numbers and sizes are never a name."""
    return bool(re.fullmatch(r"[\d.:/-]+[a-z]{0,3}|\d{4}-\d{2}-\d{2}\S*|v?\d+(?:\.\d+)*", word))
