"""Near-duplicate suggestions: which earlier suggestions say the same thing as this text?

Texts are normalised with `core.text.search_key` (full-width → half-width, Traditional → Simplified, lower case),
segmented with jieba (precise mode), stripped of punctuation, numbers and a short list of stop words, and
completed with the character bigrams of every run of Chinese characters (marked ``"·"`` so they never mix with
words): the bigrams let "移架阀组" meet "移架" and "阀组" whatever jieba decided. Measured on the test set
(tests/similarity_corpus.py: 27 suggestions, 3 reworded duplicates, one in Traditional script), bigrams keep every
duplicate first and widen the gap to the runner-up (best/runner-up 0.77/0.22, 0.85/0.06, 0.77/0.15 against
0.84/0.25, 0.91/0.09, 0.81/0.17 with words only) and lower the best score of an unrelated text (0.16 against
0.17) and between distinct suggestions (0.25 against 0.31). The vectors are TF-IDF (scikit-learn, sublinear term frequency,
L2 norm) over title + problem + proposal; the score is their cosine.

The index covers every submitted suggestion (every status but draft) and is stored with joblib at
``settings.VAR_DIR / "index" / "suggestions.joblib"``: the vectorizer, the L2-normalised sparse matrix, the ids,
the submission times and the largest id covered. `build_index()` writes it (a temporary file renamed over the
old one, so a reader never sees half a file); the worker task `insight_tasks.rebuild_suggestion_index` (queued
after submissions, at most one waiting) and the command `gongkai build-suggestion-index` call it. Each process
loads the file lazily, memory-mapped (the processes of a server share one copy of the matrix in the page cache),
and loads it again when its modification time changes. The matrix is stored by column: a lookup reads the
columns of its own words only, not the whole matrix.

`similar()` compares a text with the index and, on the fly, with the suggestions submitted since the index was
built (transformed with the index's vectorizer: words unknown to it are ignored until the next rebuild). Without
an index file it builds one in memory from the database at every call — fine for a small installation (up to
MEMORY_INDEX_LIMIT suggestions; beyond, a lookup finds nothing and queues the rebuild instead of keeping a request
waiting for a minute); the first submission queues the task that writes the file. On the fly, the suggestions
newer than the index are segmented at every lookup: the rebuild queued after each submission keeps them few
(bench/suggestions.py measures lookups with 200 of them).

`min_df` is 1 on purpose: the words that make a suggestion recognisable are often in that one suggestion only,
and a later duplicate must still meet them. With min_df=2 the same test set gives an unrelated text 0.36 and two
distinct suggestions up to 0.78 (common words are all that is left): the threshold could not separate them.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba
import joblib
import numpy as np
from django.conf import settings
from django.db.models import Q
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from gongkai.core.text import search_key

from .choices import Status
from .models import Suggestion

logger = logging.getLogger(__name__)
jieba.setLogLevel(logging.WARNING)

MIN_SCORE = 0.2
"""Scores (cosine of TF-IDF vectors, 0–1) below this are not shown: unrelated texts of the same domain share
words like 工作面 or 成本 and stay well under it."""

DUPLICATE_SCORE = 0.6
"""From this score up, reviewers see "possible duplicate"."""

INDEX_VERSION = 1
PLACEHOLDER = "空白"  # the vocabulary of an index of nothing
BIGRAMS = True
# Suggestions submitted up to this long before the newest one of the index are looked at again on the fly (those
# the index holds are skipped): one submitted while the index was being built, whose transaction committed after
# the build read the table, is caught by its submission time.
SLACK = dt.timedelta(minutes=10)
# Without an index file, at most this many suggestions are indexed in memory during a lookup (about a second).
MEMORY_INDEX_LIMIT = 3000

STOP_WORDS = frozenset(
    """
    的 了 和 与 及 或 是 在 对 将 把 被 为 等 中 上 下 里 也 都 就 而 并 并且 以及 由于 因为 所以 如果 可以 可
    能 会 要 需要 应 应该 有 没有 不 很 较 比较 更 最 这 那 这个 那个 这些 那些 其 其中 我 我们 你 他 她 它
    他们 本 该 各 每 一 一个 一些 些 个 进行 通过 实现 提出 建议 问题 希望 目前 现在 存在 情况 方面 工作 有关
    从 向 给 让 使 由 以 于 之 之一 后 前 时 到 还 又 再 已 已经 着 过 啊 吧 呢 吗 如 如何 怎么 什么 一下 一直
    """.split()
)

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORDY = re.compile(r"[\w\u3400-\u9fff]")
_NUMBER = re.compile(r"^[\d.,%]+$")

DOMAIN_WORDS = (
    "综采工作面",
    "液压支架",
    "企务公开",
    "厂务公开",
    "合理化建议",
    "走出去",
    "职代会",
    "公开栏",
    "瓦斯抽采",
    "皮带机",
    "掘进机",
    "采煤机",
    "劳保用品",
    "职工食堂",
)
for _word in DOMAIN_WORDS:
    jieba.add_word(_word)


def words(key: str) -> list[str]:
    """The jieba words of a normalised text (see `search_key`), without punctuation, numbers and stop words."""
    out = []
    for token in jieba.lcut(key):
        token = token.strip()
        if not token or token in STOP_WORDS or _NUMBER.match(token) or not _WORDY.search(token):
            continue
        out.append(token)
    return out


def bigrams(key: str) -> list[str]:
    """The character bigrams of every run of Chinese characters, marked so they are never taken for words."""
    out = []
    for run in _CJK_RUN.findall(key):
        out += ["·" + run[i : i + 2] for i in range(len(run) - 1)]
    return out


def key_tokens(key: str) -> list[str]:
    """The tokenizer of the similarity index: words + bigrams of an already normalised text."""
    return words(key) + bigrams(key) if BIGRAMS else words(key)


def word_tokens(key: str) -> list[str]:
    """Words of two characters or more (themes: the labels are words, and single characters label nothing)."""
    return [w for w in words(key) if len(w) > 1]


def tokenize(text: str) -> list[str]:
    """The tokens of any text (normalised first: Traditional input gives the Simplified tokens)."""
    return key_tokens(search_key(text))


def suggestion_key(title: str, problem: str, proposal: str) -> str:
    """The normalised text of a suggestion, as stored in `Suggestion.search_text`."""
    return search_key(f"{title} {problem} {proposal}")


def make_vectorizer(*, tokenizer=key_tokens, min_df: int | float = 1, max_df: float = 1.0) -> TfidfVectorizer:
    return TfidfVectorizer(
        tokenizer=tokenizer,
        lowercase=False,  # search_key has lowered already
        token_pattern=None,
        sublinear_tf=True,
        min_df=min_df,
        max_df=max_df,
        dtype=np.float32,
    )


# ------------------------------------------------------------------------------------------------- the index


@dataclass
class Index:
    vectorizer: TfidfVectorizer
    matrix: (
        Any  # scipy CSC (column-major: a lookup reads only its words' columns), rows L2-normalised, float32
    )
    ids: np.ndarray  # int64, one per row
    submitted: np.ndarray  # float64 POSIX timestamps, one per row
    max_id: int
    covers_until: float  # timestamp: suggestions submitted later are compared on the fly
    built_at: float
    seconds: float = 0.0
    version: int = INDEX_VERSION

    @property
    def size(self) -> int:
        return len(self.ids)


def _submitted_rows(extra: Q | None = None):
    qs = Suggestion.objects.exclude(status=Status.DRAFT).filter(submitted_at__isnull=False)
    if extra is not None:
        qs = qs.filter(extra)
    return qs.order_by("pk").values_list("pk", "submitted_at", "search_text", "title", "problem", "proposal")


def _key_of(search_text: str, title: str, problem: str, proposal: str) -> str:
    return search_text or suggestion_key(title, problem, proposal)


def build_memory_index() -> Index:
    """An index of every submitted suggestion, built from the database (not saved)."""
    started = time.perf_counter()
    now = time.time()
    ids: list[int] = []
    stamps: list[float] = []
    texts: list[str] = []
    for pk, submitted_at, search_text, title, problem, proposal in _submitted_rows().iterator(
        chunk_size=5000
    ):
        ids.append(pk)
        stamps.append(submitted_at.timestamp())
        texts.append(_key_of(search_text, title, problem, proposal))
    vectorizer = make_vectorizer()
    try:
        matrix = vectorizer.fit_transform(texts).tocsc()
    except ValueError:  # no suggestion yet (or no word in any): a vectorizer of one placeholder word
        vectorizer.fit([PLACEHOLDER])
        matrix = (
            vectorizer.transform(texts).tocsc()
            if texts
            else sparse.csc_matrix((0, len(vectorizer.vocabulary_)), dtype=np.float32)
        )
    return Index(
        vectorizer=vectorizer,
        matrix=matrix,
        ids=np.asarray(ids, dtype=np.int64),
        submitted=np.asarray(stamps, dtype=np.float64),
        max_id=max(ids, default=0),
        covers_until=(max(stamps) if stamps else now),
        built_at=now,
        seconds=time.perf_counter() - started,
    )


def index_path() -> Path:
    return Path(settings.VAR_DIR) / "index" / "suggestions.joblib"


def build_index() -> Index:
    """Build the index of every submitted suggestion and save it (atomically) under settings.VAR_DIR."""
    index = build_memory_index()
    path = index_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".suggestions-", suffix=".joblib.tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            joblib.dump(index.__dict__, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    logger.info("suggestion index: %s suggestions in %.1f s", index.size, index.seconds)
    return index


_lock = threading.Lock()
_loaded: dict[str, tuple[int, Index]] = {}  # path → (mtime_ns, index)


def load_index() -> Index | None:
    """The saved index (loaded once per process, again when the file changes), or None if there is none."""
    path = index_path()
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    key = str(path)
    cached = _loaded.get(key)
    if cached and cached[0] == mtime:
        return cached[1]
    with _lock:
        cached = _loaded.get(key)
        if cached and cached[0] == mtime:
            return cached[1]
        try:
            data = joblib.load(path, mmap_mode="r")
        except FileNotFoundError:  # replaced between stat and open: the next call loads the new one
            return cached[1] if cached else None
        if data.get("version") != INDEX_VERSION:
            logger.warning("suggestion index %s has an old format; rebuild it", path)
            return None
        index = Index(**data)
        _loaded.clear()  # one index per process
        _loaded[key] = (mtime, index)
        return index


# ------------------------------------------------------------------------------------------------- lookups


def _top(scores: np.ndarray, ids: np.ndarray, limit: int) -> list[tuple[int, float]]:
    keep = np.flatnonzero(scores >= MIN_SCORE)
    if not len(keep):
        return []
    if len(keep) > limit:
        keep = keep[np.argpartition(-scores[keep], limit - 1)[:limit]]
    return [(int(ids[i]), float(scores[i])) for i in keep]


def similar(
    text: str,
    *,
    limit: int = 5,
    exclude_id: int | None = None,
    before: dt.datetime | None = None,
) -> list[tuple[int, float]]:
    """The submitted suggestions most similar to `text`, best first, as (suggestion id, score 0–1), only those
    scoring at least MIN_SCORE.

    `exclude_id` leaves one suggestion out (the one being looked at); `before` keeps only the suggestions
    submitted before that moment (a reviewer sees the earlier ones: the first author gets the credit).
    Without a saved index, one is built in memory from the database (fine for a small installation); beyond
    MEMORY_INDEX_LIMIT suggestions, nothing is found until the rebuild that this queues has written the file."""
    key = search_key(text)
    if not key or limit <= 0:
        return []
    index = load_index()
    if index is None:
        if _submitted_rows().count() > MEMORY_INDEX_LIMIT:  # too many to index during a request
            from .insight_tasks import schedule_index_rebuild

            logger.warning("no suggestion index at %s: a rebuild is queued", index_path())
            schedule_index_rebuild()
            return []
        index = build_memory_index()
    query = index.vectorizer.transform([key])
    if not query.nnz:
        return []
    found: list[tuple[int, float]] = []
    if index.size:
        scores = np.asarray(index.matrix[:, query.indices] @ query.data, dtype=np.float64).ravel()
        if before is not None:
            scores[index.submitted >= before.timestamp()] = 0.0
        if exclude_id is not None:
            scores[index.ids == exclude_id] = 0.0
        found = _top(scores, index.ids, limit)
    found += _fresh(index, query, exclude_id=exclude_id, before=before, limit=limit)
    best: dict[int, float] = {}
    for pk, score in found:  # a suggestion both in the index and fresh (rebuilt meanwhile) counts once
        best[pk] = max(score, best.get(pk, 0.0))
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    return [(pk, round(score, 4)) for pk, score in ranked[:limit]]


_fresh_vectors: dict[int, Any] = {}  # suggestion id → its row vector, for the index of _fresh_owner
_fresh_owner: list[tuple[float, int]] = []


def forget() -> None:
    """Drop what this process keeps (the loaded index, the vectors of newer suggestions): for tests."""
    _loaded.clear()
    _fresh_vectors.clear()
    _fresh_owner.clear()


def _fresh(index: Index, query, *, exclude_id, before, limit) -> list[tuple[int, float]]:
    """Suggestions submitted since the index was built, compared on the fly.

    Their vectors are kept per process for the index they were made with (a submitted text never changes), so
    each newer suggestion is segmented once, not at every keystroke of every author."""
    since = dt.datetime.fromtimestamp(index.covers_until, tz=dt.UTC) - SLACK
    extra = Q(submitted_at__gte=since)
    if before is not None:
        extra &= Q(submitted_at__lt=before)
    if exclude_id is not None:
        extra &= ~Q(pk=exclude_id)
    pks = [pk for pk in _submitted_rows(extra).values_list("pk", flat=True) if not _covered(index, pk)]
    if not pks:
        return []
    owner = (index.built_at, index.size)
    if _fresh_owner != [owner] or len(_fresh_vectors) > 100_000:
        _fresh_vectors.clear()
        _fresh_owner[:] = [owner]
    missing = [pk for pk in pks if pk not in _fresh_vectors]
    if missing:
        rows = list(_submitted_rows(Q(pk__in=missing)))
        vectors = index.vectorizer.transform([_key_of(*r[2:]) for r in rows]).tocsr()
        for n, row in enumerate(rows):
            _fresh_vectors[row[0]] = vectors[n]
    pks = [pk for pk in pks if pk in _fresh_vectors]
    if not pks:
        return []
    matrix = sparse.vstack([_fresh_vectors[pk] for pk in pks]).tocsr()
    scores = (matrix @ query.T).toarray().ravel()
    return _top(scores, np.asarray(pks, dtype=np.int64), limit)


def _covered(index: Index, pk: int) -> bool:
    pos = np.searchsorted(index.ids, pk)  # ids are sorted (built in pk order)
    return bool(pos < len(index.ids) and index.ids[pos] == pk)


def score_pair(a: str, b: str) -> float:
    """The similarity of two texts on their own (a vectorizer fitted on the two): for diagnostics and tests."""
    vectorizer = make_vectorizer()
    matrix = vectorizer.fit_transform([search_key(a), search_key(b)])
    return float((matrix[0] @ matrix[1].T).toarray()[0, 0])
