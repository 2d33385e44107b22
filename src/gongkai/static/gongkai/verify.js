/* Gongkai transparency log: check, in the browser, that a published entry is in the signed log.
 *
 * For each element with data-log-badge (templates/core/log/verify_badge.html):
 *   1. fetch the inclusion proof (and, for readers, the entry's leaf bytes) with the signed tree head (STH);
 *   2. leaf hash = SHA-256(0x00 || leaf bytes) must equal the logged leaf hash (readers only);
 *   3. the audit path must lead from the leaf hash to the STH's root (RFC 9162 section 2.1.3.2);
 *   4. the STH's Ed25519 signature over the RFC 6962 TreeHeadSignature bytes must verify with the log's key,
 *      whose key id is SHA-256 of the raw public key.
 * Everything is computed here with WebCrypto; the server is trusted for nothing but the data.
 * Messages come from the element's data-msg-* attributes (translated by the template).
 */
(function () {
  "use strict";
  if (window.gongkaiVerify) return;

  var MAX_PENDING_TRIES = 6;

  function Failure(kind, detail) {
    this.kind = kind;
    this.detail = detail || "";
  }

  function b64decode(text) {
    var bin = atob(text);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function hex(bytes) {
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function concat() {
    var total = 0, i;
    for (i = 0; i < arguments.length; i++) total += arguments[i].length;
    var out = new Uint8Array(total), at = 0;
    for (i = 0; i < arguments.length; i++) { out.set(arguments[i], at); at += arguments[i].length; }
    return out;
  }

  function equal(a, b) {
    if (a.length !== b.length) return false;
    var diff = 0;
    for (var i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
    return diff === 0;
  }

  async function sha256(data) {
    return new Uint8Array(await crypto.subtle.digest("SHA-256", data));
  }

  function leafHash(data) { return sha256(concat(new Uint8Array([0]), data)); }
  function nodeHash(left, right) { return sha256(concat(new Uint8Array([1]), left, right)); }

  /* RFC 9162 2.1.3.2: the root that the audit path leads to (BigInt: leaf counts beyond 2^32). */
  async function rootFromInclusion(index, size, leaf, path) {
    var fn = BigInt(index), sn = BigInt(size) - 1n, r = leaf;
    if (fn > sn) throw new Failure("proof");
    for (var i = 0; i < path.length; i++) {
      var p = path[i];
      if (p.length !== 32 || sn === 0n) throw new Failure("proof");
      if ((fn & 1n) === 1n || fn === sn) {
        r = await nodeHash(p, r);
        if ((fn & 1n) === 0n) {
          while (fn !== 0n && (fn & 1n) === 0n) { fn >>= 1n; sn >>= 1n; }
        }
      } else {
        r = await nodeHash(r, p);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    if (sn !== 0n) throw new Failure("proof");
    return r;
  }

  /* RFC 6962 3.5 TreeHeadSignature: version 0, signature_type 1, uint64 timestamp, uint64 tree_size, root. */
  function signedBytes(size, timestamp, root) {
    var out = new Uint8Array(50);
    var view = new DataView(out.buffer);
    view.setUint8(0, 0);
    view.setUint8(1, 1);
    view.setBigUint64(2, BigInt(timestamp));
    view.setBigUint64(10, BigInt(size));
    out.set(root, 18);
    return out;
  }

  var keys = {};
  async function logKey(url) {
    if (!keys[url]) {
      keys[url] = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Failure("unreachable", "HTTP " + r.status); return r.json(); });
    }
    return keys[url];
  }

  async function checkSignature(sth, keyUrl) {
    var keyInfo = await logKey(keyUrl);
    var raw = b64decode(keyInfo.public_key);
    if (hex(await sha256(raw)) !== sth.key_id) throw new Failure("key");
    var key;
    try {
      key = await crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
    } catch (e) {
      throw new Failure("unsupported", String(e));
    }
    var ok = await crypto.subtle.verify(
      { name: "Ed25519" }, key, b64decode(sth.signature),
      signedBytes(sth.tree_size, sth.timestamp, b64decode(sth.root_hash))
    );
    if (!ok) throw new Failure("signature");
  }

  function format(template, values) {
    return (template || "").replace(/%\((\w+)\)s/g, function (m, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : m;
    });
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  async function fetchProof(el) {
    var d = el.dataset;
    var query = d.leafIndex !== undefined
      ? "index=" + encodeURIComponent(d.leafIndex)
      : "object_type=" + encodeURIComponent(d.objectType) + "&object_id=" + encodeURIComponent(d.objectId);
    for (var attempt = 0; ; attempt++) {
      var response;
      try {
        response = await fetch(d.proofUrl + "?" + query, {
          credentials: "same-origin", headers: { Accept: "application/json" }
        });
      } catch (e) {
        throw new Failure("unreachable", String(e.message || e));
      }
      if (response.status === 404) {
        var body = await response.json().catch(function () { return {}; });
        throw new Failure(body.error === "not_logged" ? "not-logged" : "unreachable", body.message || "HTTP 404");
      }
      if (response.status === 202 && attempt < MAX_PENDING_TRIES) {
        var pending = await response.json();
        show(el, "", d.msgPending, "");
        await sleep(Math.min(30, pending.retry_after || 5) * 1000);
        continue;
      }
      if (!response.ok) throw new Failure("unreachable", "HTTP " + response.status);
      return response.json();
    }
  }

  function show(el, state, text, detail) {
    el.classList.remove("verified", "failed", "unknown");
    if (state) el.classList.add(state);
    el.dataset.logState = state || "checking";
    el.querySelector("[data-log-status]").textContent = text;
    var detailEl = el.querySelector("[data-log-detail]");
    if (detailEl) detailEl.textContent = detail || "";
  }

  async function check(el) {
    var d = el.dataset;
    if (!window.crypto || !crypto.subtle) throw new Failure("unsupported", "no WebCrypto (not HTTPS?)");
    var proof = await fetchProof(el);
    var sth = proof.sth;
    if (!sth || sth.tree_size !== proof.tree_size) throw new Failure("proof");
    var logged = b64decode(proof.leaf_hash);
    var readable = typeof proof.leaf_bytes === "string";
    el.dataset.logContent = readable ? "checked" : "not-read";
    if (readable && !equal(await leafHash(b64decode(proof.leaf_bytes)), logged)) throw new Failure("leaf");
    if (proof.leaf_bytes === null) throw new Failure("leaf");  // a reader, but the object is gone
    var root = await rootFromInclusion(proof.leaf_index, proof.tree_size, logged, proof.audit_path.map(b64decode));
    if (!equal(root, b64decode(sth.root_hash))) throw new Failure("proof");
    await checkSignature(sth, d.keyUrl);
    var values = {
      size: sth.tree_size,
      index: proof.leaf_index,
      root: sth.root_hash.slice(0, 12) + "…",
      time: new Date(sth.timestamp).toLocaleString(document.documentElement.lang || undefined)
    };
    show(el, "verified", format(readable ? d.msgVerified : d.msgVerifiedHash, values), format(d.msgDetail, values));
  }

  function messageFor(el, failure) {
    var d = el.dataset;
    var messages = {
      "not-logged": d.msgNotLogged, unreachable: d.msgUnreachable, leaf: d.msgLeaf, proof: d.msgProof,
      signature: d.msgSignature, key: d.msgKey, unsupported: d.msgUnsupported
    };
    return format(messages[failure.kind] || d.msgProof, { detail: failure.detail });
  }

  async function run(el) {
    if (el.dataset.logState) return;
    show(el, "", el.dataset.msgChecking, "");
    try {
      await check(el);
    } catch (e) {
      var failure = e instanceof Failure ? e : new Failure("unreachable", String((e && e.message) || e));
      var soft = failure.kind === "unsupported" || failure.kind === "unreachable";
      show(el, soft ? "unknown" : "failed", messageFor(el, failure), soft ? "" : failure.detail);
      el.dataset.logFailure = failure.kind;
    }
  }

  function start() {
    document.querySelectorAll("[data-log-badge]").forEach(run);
  }

  window.gongkaiVerify = { run: run, rootFromInclusion: rootFromInclusion, leafHash: leafHash, signedBytes: signedBytes };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSwap", start);
})();
