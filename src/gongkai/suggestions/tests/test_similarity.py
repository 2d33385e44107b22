"""Near-duplicates: the tokenizer, the index (built, saved, reloaded), `similar` and the rebuild task/command."""

from __future__ import annotations

import datetime as dt
import os
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from gongkai.core.text import search_key, to_traditional
from gongkai.suggestions import insight_tasks, similarity
from gongkai.suggestions.choices import Status

from .conftest import make_suggestion
from .similarity_corpus import ALL, NEAR_DUPLICATES, UNRELATED


@pytest.fixture(autouse=True)
def index_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    similarity.forget()
    yield tmp_path
    similarity.forget()


@pytest.fixture
def corpus(alice, bob):
    """Every suggestion of the corpus, a day apart (the first submitted 60 days ago), alternating authors."""
    start = timezone.now() - dt.timedelta(days=60)
    out = []
    for n, (category, title, problem, proposal) in enumerate(ALL):
        out.append(
            make_suggestion(
                alice if n % 2 else bob,
                category=category,
                title=title,
                problem=problem,
                proposal=proposal,
                submitted=start + dt.timedelta(days=n),
            )
        )
    return out


def _text(parts) -> str:
    return " ".join(parts)


def test_tokens_are_words_and_bigrams_without_punctuation_numbers_or_stop_words():
    tokens = similarity.tokenize("建议：井下巷道增设应急照明灯，每隔50米1盏。")
    assert "巷道" in tokens and "应急" in tokens and "·照明" in tokens
    assert "建议" not in tokens and "，" not in tokens and "50" not in tokens and "。" not in tokens
    assert not any(t.strip() == "" for t in tokens)


def test_traditional_input_gives_the_simplified_tokens():
    text = "主运输巷道停电时一片漆黑，人员撤离困难。"
    assert similarity.tokenize(to_traditional(text)) == similarity.tokenize(text)
    assert to_traditional(text) != text


@pytest.mark.parametrize("saved", [True, False], ids=["saved index", "in-memory index"])
def test_a_reworded_duplicate_is_found_first(corpus, saved):
    if saved:
        similarity.build_index()
    for original, reworded in NEAR_DUPLICATES:
        found = similarity.similar(_text(reworded))
        assert found, reworded
        assert found[0][0] == corpus[original].pk, (reworded[0], found)
        assert found[0][1] >= similarity.DUPLICATE_SCORE
        assert all(score >= similarity.MIN_SCORE for _pk, score in found)
        assert [s for _pk, s in found] == sorted((s for _pk, s in found), reverse=True)


def test_the_traditional_duplicate_scores_like_its_simplified_spelling(corpus):
    similarity.build_index()
    original, reworded = NEAR_DUPLICATES[1]
    assert to_traditional(_text(reworded)) == _text(reworded)  # the probe is in Traditional script
    simplified = search_key(_text(reworded))
    assert similarity.similar(_text(reworded)) == similarity.similar(simplified)


def test_an_unrelated_text_finds_nothing(corpus):
    similarity.build_index()
    assert similarity.similar(_text(UNRELATED)) == []
    assert similarity.similar("") == []
    assert similarity.similar("，。！？ 123") == []


def test_exclude_and_before(corpus):
    similarity.build_index()
    original, reworded = NEAR_DUPLICATES[0]
    target = corpus[original]
    assert similarity.similar(_text(reworded))[0][0] == target.pk
    assert target.pk not in dict(similarity.similar(_text(reworded), exclude_id=target.pk))
    assert target.pk not in dict(similarity.similar(_text(reworded), before=target.submitted_at))
    assert target.pk in dict(
        similarity.similar(_text(reworded), before=target.submitted_at + dt.timedelta(seconds=1))
    )
    # the same holds for suggestions compared on the fly (newer than the index)
    later = make_suggestion(
        target.author, title=target.title, problem=target.problem, proposal=target.proposal
    )
    found = dict(similarity.similar(_text(reworded), limit=10))
    assert later.pk in found and target.pk in found
    assert later.pk not in dict(similarity.similar(_text(reworded), exclude_id=later.pk, limit=10))
    assert later.pk not in dict(similarity.similar(_text(reworded), before=later.submitted_at, limit=10))


def test_limit(corpus):
    assert len(similarity.similar("食堂 饭菜 职工食堂 夜班 价格", limit=2)) == 2
    assert similarity.similar("食堂 饭菜", limit=0) == []


def test_drafts_are_not_compared(alice):
    original, reworded = NEAR_DUPLICATES[0]
    _c, title, problem, proposal = ALL[original]
    make_suggestion(alice, status=Status.DRAFT, title=title, problem=problem, proposal=proposal)
    assert similarity.similar(_text(reworded)) == []
    similarity.build_index()
    assert similarity.similar(_text(reworded)) == []


def test_index_is_saved_reloaded_and_new_suggestions_are_compared_on_the_fly(corpus, index_dir, alice):
    index = similarity.build_index()
    path = index_dir / "index" / "suggestions.joblib"
    assert path.exists() and not list(path.parent.glob(".suggestions-*"))  # no temporary file left
    assert index.size == len(corpus) and index.max_id == max(s.pk for s in corpus)
    assert list(index.ids) == sorted(s.pk for s in corpus)
    loaded = similarity.load_index()
    assert loaded is similarity.load_index()  # loaded once
    assert loaded.size == len(corpus) and (loaded.matrix != index.matrix).nnz == 0
    norms = np.sqrt(np.asarray(loaded.matrix.multiply(loaded.matrix).sum(axis=1)).ravel())
    assert np.allclose(norms, 1.0, atol=1e-5)

    # a suggestion submitted after the build is found although the index does not hold it
    new = make_suggestion(
        alice,
        title="井下安装无线通信基站",
        problem="井下手机没有信号，出了事故联系不上地面调度。",
        proposal="在主要巷道安装矿用无线通信基站，实现井下手机通话和人员定位。",
    )
    probe = "井下手机没有信号，建议主要巷道装矿用无线通信基站，可以通话和定位人员"
    assert similarity.similar(probe)[0][0] == new.pk
    assert similarity.load_index().size == len(corpus)

    # rebuilt: the new file (new mtime) is loaded by the next lookup
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns - 10**9))  # make sure the next write changes mtime
    similarity.load_index()
    similarity.build_index()
    reloaded = similarity.load_index()
    assert reloaded is not loaded and reloaded.size == len(corpus) + 1 and reloaded.max_id == new.pk
    assert similarity.similar(probe)[0][0] == new.pk


def test_no_index_and_no_suggestion(db):
    assert similarity.load_index() is None
    assert similarity.similar("井下巷道增设应急照明灯") == []
    index = similarity.build_index()
    assert index.size == 0
    assert similarity.similar("井下巷道增设应急照明灯") == []


def test_bigrams_help(monkeypatch):
    """The measurement behind similarity.BIGRAMS (see the module's docstring): with bigrams, each duplicate
    stands further above the runner-up, and the unrelated text and distinct suggestions score lower."""
    docs = [search_key(_text(t[1:])) for t in ALL]

    def measure(bigrams: bool):
        monkeypatch.setattr(similarity, "BIGRAMS", bigrams)
        vectorizer = similarity.make_vectorizer()
        matrix = vectorizer.fit_transform(docs)
        ratios = []
        for original, reworded in NEAR_DUPLICATES:
            scores = (matrix @ vectorizer.transform([search_key(_text(reworded))]).T).toarray().ravel()
            order = np.argsort(-scores)
            assert order[0] == original
            ratios.append(scores[order[0]] / scores[order[1]])
        unrelated = (matrix @ vectorizer.transform([search_key(_text(UNRELATED))]).T).toarray().max()
        cross = (matrix @ matrix.T).toarray()
        np.fill_diagonal(cross, 0)
        return ratios, unrelated, cross.max()

    words_only, with_bigrams = measure(False), measure(True)
    assert all(b > w for b, w in zip(with_bigrams[0], words_only[0], strict=True))
    assert with_bigrams[1] < words_only[1] < similarity.MIN_SCORE
    assert with_bigrams[2] < words_only[2]


def test_score_pair():
    original, reworded = NEAR_DUPLICATES[2]
    assert similarity.score_pair(_text(ALL[original][1:]), _text(reworded)) > similarity.score_pair(
        _text(ALL[original][1:]), _text(UNRELATED)
    )


# ------------------------------------------------------------------------------------------------- rebuilding


def _waiting_rebuilds() -> int:
    return DBTaskResult.objects.filter(
        task_path=insight_tasks.rebuild_suggestion_index.module_path, status=TaskResultStatus.READY
    ).count()


def test_rebuilds_are_queued_after_commit_and_at_most_one_waits(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        insight_tasks.schedule_index_rebuild()
    assert _waiting_rebuilds() == 0  # nothing before the commit
    for callback in callbacks:
        callback()
    assert _waiting_rebuilds() == 1
    row = DBTaskResult.objects.get()
    assert row.run_after > timezone.now()  # a little later: a burst of submissions costs one rebuild
    with django_capture_on_commit_callbacks(execute=True):
        insight_tasks.schedule_index_rebuild()
        insight_tasks.schedule_index_rebuild()
    assert _waiting_rebuilds() == 1


def test_the_rebuild_task_writes_the_index(corpus, index_dir):
    result = insight_tasks.rebuild_suggestion_index.call()
    assert result["suggestions"] == len(corpus)
    assert similarity.load_index().size == len(corpus)


def test_the_command_builds_the_index_and_reports_counts(corpus, index_dir):
    out = StringIO()
    call_command("build_suggestion_index", stdout=out)
    assert f"{len(corpus)} suggestions indexed" in out.getvalue()
    assert (index_dir / "index" / "suggestions.joblib").exists()


def test_without_an_index_too_many_suggestions_queue_a_rebuild_instead(
    corpus, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(similarity, "MEMORY_INDEX_LIMIT", len(corpus) - 1)
    original, reworded = NEAR_DUPLICATES[0]
    with django_capture_on_commit_callbacks(execute=True):
        assert similarity.similar(_text(reworded)) == []
    assert _waiting_rebuilds() == 1
    insight_tasks.rebuild_suggestion_index.call()
    assert similarity.similar(_text(reworded))[0][0] == corpus[original].pk
