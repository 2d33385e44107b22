"""The transparency log over HTTP: JSON for verifiers (public: hashes only, leaf bytes to readers of the object)
and a page that checks a leaf in the browser. The formats are in docs/transparency-log.md."""

from __future__ import annotations

import datetime as dt
import math

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import tlog
from .models import LogLeaf, TreeHead

MAX_LEAVES = 1000


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400, code: str = "bad_request") -> None:
        super().__init__(message)
        self.status = status
        self.code = code


def _json(data: dict, status: int = 200) -> JsonResponse:
    response = JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"  # public hashes: other sites' verifiers may fetch them
    response["Cache-Control"] = "no-cache"
    return response


def _error(e: BadRequest) -> JsonResponse:
    return _json({"error": e.code, "message": str(e)}, status=e.status)


def _int(request: HttpRequest, name: str, default: int | None = None) -> int:
    raw = request.GET.get(name, "")
    if raw == "" and default is not None:
        return default
    if not raw.isdigit() or len(raw) > 18:
        raise BadRequest(f"{name} must be a whole number of at most 18 digits")
    return int(raw)


def _api(view):
    """Wrap a JSON view: GET only, bad input as JSON errors."""

    @require_GET
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except BadRequest as e:
            return _error(e)
        except tlog.LogError as e:
            return _error(BadRequest(str(e)))

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@_api
def sth(request: HttpRequest) -> HttpResponse:
    """The latest signed tree head (one is signed if the log has none yet)."""
    head = tlog.latest_tree_head() or tlog.sign_tree_head()
    return _json(tlog.head_json(head))


@_api
def sth_of_size(request: HttpRequest, size: int) -> HttpResponse:
    if size >= 1 << 62:
        raise BadRequest(f"no signed tree head of {size} leaves", status=404, code="not_found")
    head = TreeHead.objects.filter(tree_size=size).order_by("-timestamp", "-pk").first()
    if head is None:
        raise BadRequest(f"no signed tree head of {size} leaves", status=404, code="not_found")
    return _json(tlog.head_json(head))


@_api
def public_key(request: HttpRequest) -> HttpResponse:
    raw = tlog.public_key_raw()
    return _json(
        {
            "algorithm": "Ed25519",
            "key_id": tlog.key_id(raw),
            "public_key": tlog.b64(raw),
            "pem": tlog.public_key_pem(),
        }
    )


@_api
def inclusion(request: HttpRequest) -> HttpResponse:
    """The audit path of a leaf, by `index` or by `object_type` + `object_id`, in the tree of `tree_size` leaves
    (default: the latest signed head, signed on demand when it does not cover the leaf yet)."""
    if "object_type" in request.GET or "object_id" in request.GET:
        object_type = request.GET.get("object_type", "")
        object_id = request.GET.get("object_id", "")
        leaf = LogLeaf.objects.filter(object_type=object_type, object_id=object_id).first()
        if leaf is None:
            raise BadRequest(f"{object_type} {object_id} is not in the log", status=404, code="not_logged")
    else:
        index = _int(request, "index")
        leaf = LogLeaf.objects.filter(index=index).first()
        if leaf is None:
            raise BadRequest(f"the log has no leaf {index}", status=404, code="not_found")
    data: dict = {
        "leaf_index": leaf.index,
        "object_type": leaf.object_type,
        "object_id": leaf.object_id,
        "leaf_hash": tlog.b64(leaf.leaf_hash),
        "logged_at": leaf.logged_at.isoformat(),
    }
    src = tlog.source(leaf.object_type)
    if (
        src is not None
        and src.readable is not None
        and leaf.object_id in src.readable(request.user, [leaf.object_id])
    ):
        leaf_bytes = src.fn([leaf.object_id]).get(leaf.object_id)
        data["leaf_bytes"] = tlog.b64(leaf_bytes) if leaf_bytes is not None else None
    if "tree_size" in request.GET:
        tree_size = _int(request, "tree_size")
        head = TreeHead.objects.filter(tree_size=tree_size).order_by("-timestamp", "-pk").first()
    else:
        head, wait = tlog.head_covering(leaf.index + 1)
        if head is None:
            data.update(pending=True, retry_after=max(1, math.ceil(wait)))
            response = _json(data, status=202)
            response["Retry-After"] = str(data["retry_after"])
            return response
        tree_size = head.tree_size
    if tree_size <= leaf.index:
        raise BadRequest(f"leaf {leaf.index} is not in a tree of {tree_size} leaves")
    data.update(
        tree_size=tree_size,
        audit_path=[tlog.b64(h) for h in tlog.inclusion_proof(leaf.index, tree_size)],
        sth=tlog.head_json(head) if head is not None else None,
    )
    return _json(data)


@_api
def consistency(request: HttpRequest) -> HttpResponse:
    first, second = _int(request, "first"), _int(request, "second")
    proof = tlog.consistency_proof(first, second)
    return _json({"first": first, "second": second, "consistency_path": [tlog.b64(h) for h in proof]})


@_api
def leaves(request: HttpRequest) -> HttpResponse:
    """Leaves [start, end) (at most 1000 a page): index, object, leaf hash."""
    start = _int(request, "start", 0)
    end = min(_int(request, "end", start + MAX_LEAVES), start + MAX_LEAVES)
    if end < start:
        raise BadRequest("end must not be smaller than start")
    rows = LogLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")
    return _json(
        {
            "start": start,
            "end": end,
            "tree_size": tlog.size(),
            "leaves": [
                {
                    "index": leaf.index,
                    "object_type": leaf.object_type,
                    "object_id": leaf.object_id,
                    "leaf_hash": tlog.b64(leaf.leaf_hash),
                    "logged_at": leaf.logged_at.isoformat(),
                }
                for leaf in rows
            ],
        }
    )


@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The log's public page: the latest signed tree head, the key, and a leaf checked in the browser."""
    raw = tlog.public_key_raw()
    head = tlog.latest_tree_head()
    signed_at = dt.datetime.fromtimestamp(head.timestamp / 1000, tz=dt.UTC) if head is not None else None
    leaf_index: int | None = None
    error = ""
    raw_index = request.GET.get("index", "").strip()
    if raw_index:
        if (
            raw_index.isdigit()
            and len(raw_index) <= 18
            and LogLeaf.objects.filter(index=int(raw_index)).exists()
        ):
            leaf_index = int(raw_index)
        else:
            error = raw_index
    return render(
        request,
        "core/log/index.html",
        {
            "head": tlog.head_json(head) if head is not None else None,
            "signed_at": signed_at,
            "size": tlog.size(),
            "key_id": tlog.key_id(raw),
            "public_key": tlog.b64(raw),
            "leaf_index": leaf_index,
            "bad_index": error,
            "object_type": request.GET.get("object_type", ""),
            "object_id": request.GET.get("object_id", ""),
            "endpoints": [
                reverse("log:sth"),
                reverse("log:public_key"),
                reverse("log:inclusion") + "?index=0",
                reverse("log:consistency") + "?first=1&second=2",
                reverse("log:leaves") + "?start=0&end=100",
            ],
        },
    )
