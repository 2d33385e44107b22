"""Merkle tree hashing and proofs of RFC 9162 (Certificate Transparency 2.0), section 2.1. Pure functions.

Leaf hash ``SHA-256(0x00 || leaf)``, interior node ``SHA-256(0x01 || left || right)``, the hash of the empty tree
``SHA-256("")``. A tree of n > 1 leaves splits at k, the largest power of two smaller than n: the left subtree
holds leaves [0, k), the right one [k, n). So every left subtree is *perfect* (2**level leaves, aligned on a
multiple of its size) and any range that the recursion meets is a short list of perfect subtrees. Proof
generation is expressed as the list of leaf ranges whose hashes form the proof (`inclusion_ranges`,
`consistency_ranges`), so that a store holding the hash of every perfect subtree (`core.tlog`) answers a proof
with O(log n) reads; the list-based functions here serve as the reference implementation and for tests.

Verification follows the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step and raises
`ProofError` saying what does not match.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

HASH_SIZE = 32
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()


class ProofError(ValueError):
    """A proof does not verify (or its arguments are out of range); the message says why."""


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def split_point(n: int) -> int:
    """k: the largest power of two strictly smaller than n (n >= 2)."""
    if n < 2:
        raise ValueError("a split needs at least two leaves")
    return 1 << ((n - 1).bit_length() - 1)


# --- the shape of the tree ------------------------------------------------------------------------------------


def perfect_subtrees(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees (level, first leaf) that make up the range [start, end) of the RFC's recursion, left
    to right: one per set bit of the range's size, largest first. `start` must be a multiple of the largest one
    (true for every range the recursion meets)."""
    if end <= start:
        raise ValueError("empty range")
    parts = []
    size = end - start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            width = 1 << level
            if start % width:
                raise ValueError(f"range [{start}, {end}) is not a subtree of the tree")
            parts.append((level, start))
            start += width
    return parts


def fold(hashes: Sequence[bytes]) -> bytes:
    """The hash of a range from the hashes of its perfect subtrees (left to right): right to left,
    ``H(p1, H(p2, H(p3, ...)))``."""
    result = hashes[-1]
    for h in reversed(hashes[:-1]):
        result = node_hash(h, result)
    return result


def range_hash(start: int, end: int, perfect: Callable[[int, int], bytes]) -> bytes:
    """MTH(D[start:end]) given `perfect(level, start)`, the hash of a perfect subtree."""
    return fold([perfect(level, first) for level, first in perfect_subtrees(start, end)])


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PATH(index, D[size]) (RFC 9162 2.1.3.1), from the leaf upwards."""
    if not 0 <= index < size:
        raise ValueError(f"leaf {index} is not in a tree of {size} leaves")
    ranges: list[tuple[int, int]] = []
    start, end = 0, size
    while end - start > 1:
        k = split_point(end - start)
        if index < start + k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start += k
    ranges.reverse()
    return ranges


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The leaf ranges whose hashes form PROOF(first, D[second]) (RFC 9162 2.1.4.1), in proof order.

    Empty when first == second; 0 < first <= second is required (the empty tree is consistent with every tree
    without a proof, and has nothing to prove).
    """
    if not 0 < first <= second:
        raise ValueError(f"no consistency proof from {first} to {second} leaves")
    ranges: list[tuple[int, int]] = []
    start, end, m, whole = 0, second, first, True
    while m != end - start:
        k = split_point(end - start)
        if m <= k:
            ranges.append((start + k, end))
            end = start + k
        else:
            ranges.append((start, start + k))
            start, m, whole = start + k, m - k, False
    if not whole:
        ranges.append((start, end))
    ranges.reverse()
    return ranges


# --- reference implementation over a list of leaf hashes ------------------------------------------------------


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH over a list of leaf hashes (the empty tree: SHA-256 of nothing)."""
    if not leaf_hashes:
        return EMPTY_ROOT
    stack: list[tuple[int, bytes]] = []  # (level, hash) of the perfect subtrees so far, left to right
    for h in leaf_hashes:
        level = 0
        while stack and stack[-1][0] == level:
            h = node_hash(stack.pop()[1], h)
            level += 1
        stack.append((level, h))
    return fold([h for _level, h in stack])


def root_of(leaves: Iterable[bytes]) -> bytes:
    """MTH over leaf data."""
    return root([leaf_hash(d) for d in leaves])


def _list_range(leaf_hashes: Sequence[bytes]) -> Callable[[int, int], bytes]:
    def perfect(level: int, start: int) -> bytes:
        return root(leaf_hashes[start : start + (1 << level)])

    return perfect


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    perfect = _list_range(leaf_hashes)
    return [range_hash(a, b, perfect) for a, b in inclusion_ranges(index, len(leaf_hashes))]


def consistency_proof(first: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    perfect = _list_range(leaf_hashes)
    return [range_hash(a, b, perfect) for a, b in consistency_ranges(first, len(leaf_hashes))]


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2) --------------------------------------------------------------


def _check_hash(value: bytes, what: str) -> None:
    if not isinstance(value, bytes | bytearray) or len(value) != HASH_SIZE:
        raise ProofError(f"{what} is not a {HASH_SIZE}-byte hash")


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that the audit path leads to from the leaf hash (RFC 9162 2.1.3.2, steps 1-4)."""
    if not 0 <= index < size:
        raise ProofError(f"leaf index {index} is not smaller than the tree size {size}")
    _check_hash(leaf, "the leaf hash")
    fn, sn, r = index, size - 1, leaf
    for i, p in enumerate(proof):
        _check_hash(p, f"proof element {i}")
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the tree is deep")
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root_hash: bytes) -> None:
    """Raise ProofError unless `proof` shows the leaf hash at `index` in the tree of `size` with `root_hash`."""
    _check_hash(root_hash, "the root hash")
    if root_from_inclusion_proof(index, size, leaf, proof) != root_hash:
        raise ProofError("the inclusion proof does not lead to the root hash")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise ProofError unless `proof` shows that the tree (second, second_root) extends (first, first_root)."""
    _check_hash(first_root, "the first root hash")
    _check_hash(second_root, "the second root hash")
    if not 0 <= first <= second:
        raise ProofError(f"a tree of {second} leaves cannot extend one of {first}")
    if first == second:
        if proof:
            raise ProofError("trees of the same size need an empty consistency proof")
        if first_root != second_root:
            raise ProofError("two trees of the same size have different roots")
        return
    if first == 0:
        if proof:
            raise ProofError("the empty tree needs an empty consistency proof")
        return
    # RFC 9162 2.1.4.2
    if not proof:  # step 1
        raise ProofError("the consistency proof is empty")
    for i, p in enumerate(proof):
        _check_hash(p, f"proof element {i}")
    path = list(proof)
    if first & (first - 1) == 0:  # step 2: first is an exact power of two
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1  # step 3
    while fn & 1:  # step 4
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]  # step 5
    for c in path[1:]:  # step 6
        if sn == 0:
            raise ProofError("the consistency proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    if sn != 0:  # step 7
        raise ProofError("the consistency proof is shorter than the tree is deep")
    if fr != first_root:
        raise ProofError("the consistency proof does not lead to the first root hash")
    if sr != second_root:
        raise ProofError("the consistency proof does not lead to the second root hash")
