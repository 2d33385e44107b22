"""RFC 9162 Merkle tree: known vectors (RFC 6962 test data as used by Certificate Transparency's Go libraries)
and every size 1..64 against a naive recursive implementation written straight from the RFC's definitions."""

import hashlib

import pytest

from gongkai.core import merkle

# The eight leaves of the RFC 6962 test vectors and the root of each prefix of them.
LEAVES = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657")] + [
    bytes.fromhex("606162636465666768696a6b6c6d6e6f")
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index, tree size, audit path)
INCLUSION = [
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
# (first size, second size, consistency proof)
CONSISTENCY = [
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
    (
        6,
        7,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
]
HASHES = [merkle.leaf_hash(d) for d in LEAVES]


def h(hexes):
    return [bytes.fromhex(x) for x in hexes]


# --- naive implementation, straight from RFC 9162 2.1.1, 2.1.3.1 and 2.1.4.1 ---------------------------------


def naive_mth(hashes):
    n = len(hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + naive_mth(hashes[:k]) + naive_mth(hashes[k:])).digest()


def naive_path(m, hashes):
    n = len(hashes)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return naive_path(m, hashes[:k]) + [naive_mth(hashes[k:])]
    return naive_path(m - k, hashes[k:]) + [naive_mth(hashes[:k])]


def naive_subproof(m, hashes, b):
    n = len(hashes)
    if m == n:
        return [] if b else [naive_mth(hashes)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return naive_subproof(m, hashes[:k], b) + [naive_mth(hashes[k:])]
    return naive_subproof(m - k, hashes[k:], False) + [naive_mth(hashes[:k])]


def test_hashes_use_the_domain_prefixes():
    assert merkle.leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    assert merkle.node_hash(b"a" * 32, b"b" * 32) == hashlib.sha256(b"\x01" + b"a" * 32 + b"b" * 32).digest()
    assert merkle.root([]).hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_of_the_known_vectors(size):
    assert merkle.root_of(LEAVES[:size]).hex() == ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_known_inclusion_proofs(index, size, path):
    assert merkle.inclusion_proof(index, HASHES[:size]) == h(path)
    merkle.verify_inclusion(index, size, HASHES[index], h(path), bytes.fromhex(ROOTS[size - 1]))


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_known_consistency_proofs(first, second, proof):
    assert merkle.consistency_proof(first, HASHES[:second]) == h(proof)
    merkle.verify_consistency(
        first, second, bytes.fromhex(ROOTS[first - 1]), bytes.fromhex(ROOTS[second - 1]), h(proof)
    )


def test_every_size_and_pair_up_to_64_matches_the_naive_implementation():
    hashes = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(64)]
    roots = [merkle.root(hashes[:n]) for n in range(65)]
    for n in range(1, 65):
        assert roots[n] == naive_mth(hashes[:n])
        for m in range(n):
            proof = merkle.inclusion_proof(m, hashes[:n])
            assert proof == naive_path(m, hashes[:n])
            merkle.verify_inclusion(m, n, hashes[m], proof, roots[n])
        for m in range(1, n + 1):
            proof = merkle.consistency_proof(m, hashes[:n])
            assert proof == (naive_subproof(m, hashes[:n], True) if m < n else [])
            merkle.verify_consistency(m, n, roots[m], roots[n], proof)


def test_perfect_subtrees_cover_a_range():
    assert merkle.perfect_subtrees(0, 13) == [(3, 0), (2, 8), (0, 12)]
    assert merkle.perfect_subtrees(8, 14) == [(2, 8), (1, 12)]
    with pytest.raises(ValueError, match="not a subtree"):
        merkle.perfect_subtrees(2, 7)


def flipped(value, bit=3):
    return bytes([value[0] ^ (1 << bit)]) + value[1:]


def inclusion_mutations(index, size, leaf, proof, root):
    """Wrong index, size, leaf, root, garbage before/after, a removed or altered element (as the CT suites)."""
    yield index + 1, size, leaf, proof, root
    if index:
        yield index - 1, size, leaf, proof, root
    yield index ^ 2, size, leaf, proof, root
    yield index, size * 2, leaf, proof, root
    yield index, size // 2, leaf, proof, root
    yield index, size, flipped(leaf), proof, root
    yield index, size, leaf, proof, merkle.EMPTY_ROOT
    yield index, size, leaf, [*proof, root], root
    yield index, size, leaf, [root, *proof], root
    yield index, size, leaf, [*proof, b""], root
    for i in range(len(proof)):
        yield index, size, leaf, [*proof[:i], flipped(proof[i]), *proof[i + 1 :]], root
    if proof:
        yield index, size, leaf, proof[:-1], root


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_altered_inclusion_proofs_fail(index, size, path):
    root = bytes.fromhex(ROOTS[size - 1])
    for args in inclusion_mutations(index, size, HASHES[index], h(path), root):
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(*args)


@pytest.mark.parametrize(("first", "second", "proof"), CONSISTENCY)
def test_altered_consistency_proofs_fail(first, second, proof):
    r1, r2, p = bytes.fromhex(ROOTS[first - 1]), bytes.fromhex(ROOTS[second - 1]), h(proof)
    cases = [
        (first - 1, second, r1, r2, p),
        (first + 1, second, r1, r2, p),
        (first ^ 2, second, r1, r2, p),
        (first, second * 2, r1, r2, p),
        (first, second // 2, r1, r2, p),
        (first, second, flipped(r1), r2, p),
        (first, second, r1, flipped(r2), p),
        (first, second, r2, r1, p),
        (first, second, r1, r2, []),
        (first, second, r1, r2, [*p, r1]),
        (first, second, r1, r2, [r2, *p]),
        (first, second, r1, r2, [p[0], *p]),
        (first, second, r1, r2, p[:-1]),
    ] + [(first, second, r1, r2, [*p[:i], flipped(p[i], 4), *p[i + 1 :]]) for i in range(len(p))]
    for args in cases:
        if args[0] == 0 and not args[4]:
            continue  # the empty tree is consistent with everything
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(*args)


def test_edge_cases_of_verification():
    root1 = merkle.root(HASHES[:1])
    merkle.verify_inclusion(0, 1, HASHES[0], [], root1)
    with pytest.raises(merkle.ProofError, match="not smaller"):
        merkle.verify_inclusion(1, 1, HASHES[0], [], root1)
    with pytest.raises(merkle.ProofError, match="32-byte"):
        merkle.verify_inclusion(0, 1, b"short", [], root1)
    merkle.verify_consistency(0, 5, merkle.EMPTY_ROOT, bytes.fromhex(ROOTS[4]), [])
    merkle.verify_consistency(3, 3, bytes.fromhex(ROOTS[2]), bytes.fromhex(ROOTS[2]), [])
    with pytest.raises(merkle.ProofError, match="same size"):
        merkle.verify_consistency(3, 3, bytes.fromhex(ROOTS[2]), bytes.fromhex(ROOTS[3]), [])
    with pytest.raises(merkle.ProofError, match="cannot extend"):
        merkle.verify_consistency(4, 3, bytes.fromhex(ROOTS[3]), bytes.fromhex(ROOTS[2]), [])
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(3, 3)
    with pytest.raises(ValueError):
        merkle.consistency_ranges(0, 3)
