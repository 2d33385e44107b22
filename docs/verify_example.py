"""An independent verifier of a Gongkai transparency log, with nothing but hashlib and cryptography.

    python verify_example.py https://gongkai.example.org --key-id <hex key id obtained out of band>
        [--index N] [--leaf-file bytes.json] [--known-sth saved-sth.json]

Checks the latest signed tree head's Ed25519 signature, the inclusion of leaf N (and, given the leaf bytes, that
they are that leaf), and that the log still extends a tree head saved earlier. Prints the head to save for next
time. Follows docs/transparency-log.md; exits non-zero with the reason when anything does not verify.
"""

import argparse
import base64
import hashlib
import json
import struct
import sys
import urllib.request
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey


class NotVerified(Exception):
    pass


def need(condition, reason):
    if not condition:
        raise NotVerified(reason)


def sha256(data):
    return hashlib.sha256(data).digest()


def node(left, right):
    return sha256(b"\x01" + left + right)


def b64(text):
    return base64.b64decode(text)


def shift_while_even(fn, sn):
    while fn and not fn & 1:
        fn, sn = fn >> 1, sn >> 1
    return fn, sn


def root_from_inclusion(index, size, leaf_hash, path):  # RFC 9162 section 2.1.3.2
    need(index < size, "leaf index beyond the tree")
    fn, sn, r = index, size - 1, leaf_hash
    for p in path:
        need(sn > 0, "inclusion proof too long")
        if fn & 1 or fn == sn:
            r = node(p, r)
            fn, sn = shift_while_even(fn, sn)
        else:
            r = node(r, p)
        fn, sn = fn >> 1, sn >> 1
    need(sn == 0, "inclusion proof too short")
    return r


def check_consistency(first, second, root1, root2, path):  # RFC 9162 section 2.1.4.2
    if first == second:
        need(not path and root1 == root2, "same size, different roots")
        return
    need(0 < first < second and path, "no consistency proof")
    if first & (first - 1) == 0:
        path = [root1, *path]
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        need(sn > 0, "consistency proof too long")
        if fn & 1 or fn == sn:
            fr, sr = node(c, fr), node(c, sr)
            fn, sn = shift_while_even(fn, sn)
        else:
            sr = node(sr, c)
        fn, sn = fn >> 1, sn >> 1
    need(sn == 0 and fr == root1 and sr == root2, "the log does not extend the saved tree head")


def verify(fetch, key_id, index=None, leaf_bytes=None, known=None):
    """fetch(path) -> parsed JSON. Returns the verified latest signed tree head; raises when anything fails."""
    raw = b64(fetch("/log/public-key")["public_key"])
    need(hashlib.sha256(raw).hexdigest() == key_id, "the log's key is not the one you expect")
    sth = fetch("/log/sth")
    size, root = sth["tree_size"], b64(sth["root_hash"])
    need(sth["key_id"] == key_id, "tree head signed by another key")
    signed = struct.pack(">BBQQ", 0, 1, sth["timestamp"], size) + root  # RFC 6962 TreeHeadSignature
    Ed25519PublicKey.from_public_bytes(raw).verify(b64(sth["signature"]), signed)  # raises InvalidSignature
    if index is not None:
        proof = fetch(f"/log/proof/inclusion?index={index}&tree_size={size}")
        leaf_hash = b64(proof["leaf_hash"])
        if leaf_bytes is not None:
            need(sha256(b"\x00" + leaf_bytes) == leaf_hash, "these bytes are not that leaf")
        path = [b64(p) for p in proof["audit_path"]]
        need(root_from_inclusion(index, size, leaf_hash, path) == root, "leaf not in the signed tree")
    if known is not None and known["tree_size"] > 0:
        need(known["tree_size"] <= size, "the log shrank")
        proof = fetch(f"/log/proof/consistency?first={known['tree_size']}&second={size}")
        path = [b64(p) for p in proof["consistency_path"]]
        check_consistency(known["tree_size"], size, b64(known["root_hash"]), root, path)
    return sth


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("base_url")
    parser.add_argument("--key-id", required=True)
    parser.add_argument("--index", type=int)
    parser.add_argument(
        "--leaf-file", help="the leaf bytes (e.g. from the proof's leaf_bytes, base64-decoded)"
    )
    parser.add_argument("--known-sth", help="a tree head saved from an earlier run")
    args = parser.parse_args()

    def fetch(path):
        with urllib.request.urlopen(args.base_url.rstrip("/") + path) as response:  # noqa: S310
            return json.load(response)

    leaf = Path(args.leaf_file).read_bytes() if args.leaf_file else None
    known = json.loads(Path(args.known_sth).read_text()) if args.known_sth else None
    try:
        sth = verify(fetch, args.key_id, args.index, leaf, known)
    except Exception as e:  # NotVerified, InvalidSignature, a network error
        sys.exit(f"NOT VERIFIED: {e or type(e).__name__}")
    print(json.dumps(sth))
    print(f"verified: signed tree head of {sth['tree_size']} leaves", file=sys.stderr)


if __name__ == "__main__":
    main()
