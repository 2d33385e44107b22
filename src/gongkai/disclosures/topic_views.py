"""Pages of topic requests (点题公开): the list, a request with its second button, a new request, the answer."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from gongkai.core.access import AccessDenied
from gongkai.org.forms import UnitChoiceField
from gongkai.org.models import Unit

from . import topic_actions, topic_queries
from .choices import TopicStatus
from .models import Category, TopicRequest

PAGE_SIZE = 30


class TopicForm(forms.Form):
    unit = UnitChoiceField(label=gettext_lazy("Unit asked"), queryset=Unit.objects.none())
    title = forms.CharField(label=gettext_lazy("Topic"), max_length=topic_actions.TITLE_MAX)
    text = forms.CharField(
        label=gettext_lazy("What employees want to know"),
        max_length=topic_actions.TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = (
            units if units is not None else Unit.objects.none()
        )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why the unit does not disclose this topic"),
        min_length=topic_actions.REASON_MIN,
        max_length=topic_actions.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class AnswerDraftForm(forms.Form):
    category = forms.ModelChoiceField(label=gettext_lazy("Category"), queryset=Category.objects.none())
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Body"), widget=forms.Textarea(attrs={"rows": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = Category.objects.filter(active=True)


def _error_text(exc: Exception) -> str:
    if isinstance(exc, AccessDenied):
        return _("You do not have the role needed to do this here.")
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _get(request: HttpRequest, pk: int) -> TopicRequest:
    topic = topic_queries.topic_for(request.user, pk)
    if topic is None:
        raise Http404
    return topic


@login_required
def topic_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    if state not in topic_queries.STATES:
        state = ""
    q = request.GET.get("q", "").strip()[:50]
    page = Paginator(topic_queries.topics(request.user, state=state, q=q), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context: dict[str, object] = {"page": page, "state": state, "q": q}
    if _htmx(request):
        return render(request, "disclosures/topics/_rows.html", context)
    context["counts"] = topic_queries.state_counts(request.user)
    context["can_propose"] = topic_queries.proposable_units(request.user).exists()
    return render(request, "disclosures/topics/list.html", context)


def _render_detail(request: HttpRequest, topic: TopicRequest, **extra) -> HttpResponse:
    context = {
        "topic": topic,
        "answers": topic_queries.answers(request.user, topic),
        "can_second": topic_actions.can_second(request.user, topic) and not getattr(topic, "seconded", False),
        "can_answer": topic_actions.can_answer(request.user, topic) and topic.status == TopicStatus.OPEN,
        **extra,
    }
    return render(request, "disclosures/topics/detail.html", context)


@login_required
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, _get(request, pk))


@login_required
@require_POST
def topic_second(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get(request, pk)
    error = ""
    try:
        topic_actions.second(actor=request.user, request=topic)
    except (ValidationError, AccessDenied) as exc:
        error = _error_text(exc)
    if not _htmx(request):
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("You seconded this request."))
        return redirect("disclosures:topic", pk=pk)
    topic = _get(request, pk)
    context = {
        "topic": topic,
        "can_second": topic_actions.can_second(request.user, topic) and not getattr(topic, "seconded", False),
        "error": error,
    }
    return render(request, "disclosures/topics/_second.html", context)


@login_required
def topic_new(request: HttpRequest) -> HttpResponse:
    units = topic_queries.proposable_units(request.user)
    form = TopicForm(request.POST or None, units=units, initial={"unit": units.last()})
    if request.method == "POST" and form.is_valid():
        try:
            topic = topic_actions.propose(actor=request.user, **form.cleaned_data)
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(
                request, _("Your request has been sent to %(unit)s.") % {"unit": topic.unit.name}
            )
            return redirect("disclosures:topic", pk=topic.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "disclosures/topics/new.html", {"form": form}, status=status)


def _answer_page(request: HttpRequest, topic: TopicRequest, decline_form=None, draft_form=None, status=200):
    if not topic_actions.can_answer(request.user, topic):
        raise Http404
    context = {
        "topic": topic,
        "decline_form": decline_form or DeclineForm(),
        "draft_form": draft_form or AnswerDraftForm(initial={"title": topic.title}),
        "answers": topic_queries.answers(request.user, topic),
    }
    return render(request, "disclosures/topics/answer.html", context, status=status)


@login_required
def topic_answer(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get(request, pk)
    if topic.status != TopicStatus.OPEN:
        messages.info(request, _("This request has already been answered."))
        return redirect("disclosures:topic", pk=pk)
    return _answer_page(request, topic)


@login_required
@require_POST
def topic_decline(request: HttpRequest, pk: int) -> HttpResponse:
    topic = _get(request, pk)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            topic_actions.decline(actor=request.user, request=topic, reason=form.cleaned_data["reason"])
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("The request has been answered."))
            return redirect("disclosures:topic", pk=pk)
    return _answer_page(request, topic, decline_form=form, status=400)


@login_required
@require_POST
def topic_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a draft disclosure that answers the request; publishing it marks the request answered."""
    from . import actions

    topic = _get(request, pk)
    if not topic_actions.can_answer(request.user, topic):
        raise Http404
    if topic.status != TopicStatus.OPEN:
        messages.error(request, _("This request has already been answered."))
        return redirect("disclosures:topic", pk=pk)
    form = AnswerDraftForm(request.POST)
    if form.is_valid():
        try:
            disclosure = actions.create_draft(
                actor=request.user,
                unit=topic.unit,
                category=form.cleaned_data["category"],
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
                topic_request=topic,
            )
        except (ValidationError, AccessDenied) as exc:
            form.add_error(None, _error_text(exc))
        else:
            messages.success(request, _("Draft started: submit it for review to publish the answer."))
            return redirect(reverse("disclosures:detail", args=[disclosure.pk]))
    return _answer_page(request, topic, draft_form=form, status=400)


urlpatterns = [
    path("topics/", topic_list, name="topics"),
    path("topics/new/", topic_new, name="topic_new"),
    path("topics/<int:pk>/", topic_detail, name="topic"),
    path("topics/<int:pk>/second/", topic_second, name="topic_second"),
    path("topics/<int:pk>/answer/", topic_answer, name="topic_answer"),
    path("topics/<int:pk>/decline/", topic_decline, name="topic_decline"),
    path("topics/<int:pk>/draft/", topic_draft, name="topic_draft"),
]
