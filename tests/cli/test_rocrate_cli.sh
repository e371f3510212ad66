#!/usr/bin/env bash
# prova export --to ro-crate, black box: the metadata of proof records compared byte for byte with an independent
# Python reimplementation of the reference's to_ro_crate_metadata() + json.dumps(indent=2, sort_keys=True)
# (ophamin.md §10), the record file kept byte for byte (and still verifying), the ro-crate npm package
# (tests/node_modules/ro-crate 3.7.2, tests/interop/rocrate_peer.mjs) loading every family's crate, --zip checked
# with Python's zipfile (and unzip -t when installed), overwrite refusals and --force; ro-crate-preview.html checked
# by tests/cli/rocrate_preview_check.py (html.parser, links, escaping) in every crate, directory and zip.
#   test_rocrate_cli.sh PROVA
set -u
PROVA=${1:?usage: test_rocrate_cli.sh PROVA}
case $PROVA in /*) ;; *) PROVA=$(cd "$(dirname "$PROVA")" && pwd)/$(basename "$PROVA") ;; esac # the test cds
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../testlib.sh"
MIN="$HERE/../data/proof_minimal.json"
PEER="$HERE/../interop/rocrate_peer.mjs"
PREVIEW="$HERE/rocrate_preview_check.py"
# preview NAME CRATE [TEXT]...: the page of a crate (a directory or a zip) checked against its metadata.
preview() {
  local name=$1
  shift
  if "$PY" "$PREVIEW" "$@" >"$T/pvout" 2>"$T/pverr"; then ok; else bad "$name: preview: $(tail -n 1 "$T/pverr")"; fi
}
cd "$T" || exit 3

# The reference's graph, written from ophamin.md §10 in Python (not from prova's code).
cat >"$T/ref.py" <<'PYEOF'
import json, sys
CTX = "https://w3id.org/ro/crate/1.2/context"
CONF = "https://w3id.org/ro/crate/1.2"
def to_ro_crate_metadata(p, fname="proof.json", version="0.1.0"):
    import hashlib
    body = {k: v for k, v in p.items() if k not in ("signature", "proof_id", "attestation")}
    proof_id = hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    ident, claim, data, verdict, repro = p["identity"], p["claim"], p["data"], p["verdict"], p["reproduction"]
    th = verdict["threshold"]
    ds_ids = ["#dataset-" + (d["content_hash"][:16] or "unknown") for d in data["datasets"]]
    g = [{"@id": "ro-crate-metadata.json", "@type": "CreativeWork", "about": {"@id": "./"}, "conformsTo": {"@id": CONF}},
         {"@id": "./", "@type": "Dataset", "name": "Ophamin Empirical Proof Record \u2014 " + (proof_id[:16] or "unknown"),
          "description": "Self-contained empirical observation of: %s \u2014 Verdict: %s." % (claim["statement"].strip(), verdict["outcome"]),
          "datePublished": ident["created_at"], "identifier": proof_id,
          "conformsTo": [{"@id": CONF}, {"@id": "https://ophamin.org/schema/" + p["schema_version"]}],
          "hasPart": [{"@id": fname}] + [{"@id": i} for i in ds_ids], "mainEntity": {"@id": fname}},
         {"@id": fname, "@type": "File", "name": "Empirical Proof Record (signed)",
          "description": "JSON encoding of the Ophamin EmpiricalProofRecord \u2014 sections 1\u20138 (claim, preregistration, data, evidence, verdict, reproduction, provenance) plus the \u00a79 HMAC-SHA256 signature. See SCHEMAS.md for the canonical-form spec.",
          "encodingFormat": "application/json", "identifier": p.get("signature") or proof_id}]
    for d, i in zip(data["datasets"], ds_ids):
        e = {"@id": i, "@type": "Dataset", "name": d["name"], "identifier": d["content_hash"], "additionalType": d.get("kind", "corpus")}
        if d.get("source"): e["url"] = d["source"]
        if d.get("n_records"): e["size"] = {"@type": "QuantitativeValue", "value": d["n_records"], "unitText": "records"}
        g.append(e)
    if data.get("substrate_name"):
        c = data.get("substrate_git_commit") or ""
        e = {"@id": "#substrate-" + data["substrate_name"] + ("@" + c[:12] if c else ""), "@type": "SoftwareApplication",
             "name": data["substrate_name"], "applicationCategory": "substrate-under-test"}
        if c: e["softwareVersion"] = c
        g.append(e)
    g.append({"@id": "#verdict", "@type": "AssessAction", "name": "Verdict \u2014 " + verdict["outcome"],
              "result": {"@type": "PropertyValue", "propertyID": th["metric"], "value": float(verdict["observed_value"]), "unitText": th.get("units", "")},
              "description": verdict["reasoning"], "actionStatus": "CompletedActionStatus", "additionalType": verdict["outcome"]})
    e = {"@id": "#reproduction", "@type": "SoftwareSourceCode", "name": "Reproduction command", "text": repro["command"],
         "programmingLanguage": "shell", "description": "Run this command from a clean Ophamin checkout to reproduce the empirical observation that produced this proof."}
    if repro.get("lineage_chain"): e["isBasedOn"] = [{"@id": "#proof-" + a[:16]} for a in repro["lineage_chain"]]
    g.append(e)
    e = {"@id": "#ophamin", "@type": "SoftwareApplication", "name": "Ophamin", "softwareVersion": ident.get("ophamin_version") or version,
         "url": "https://github.com/IdirBenSlama/Ophamin",
         "description": "Ophamin \u2014 an empirical observatory framework producing content-addressed, HMAC-signed proof records of falsifiable claims about a substrate under test."}
    if ident.get("ophamin_git_commit"): e["identifier"] = ident["ophamin_git_commit"]
    g.append(e)
    return {"@context": CTX, "@graph": g}
p = json.load(open(sys.argv[1], encoding="utf-8"))
sys.stdout.write(json.dumps(to_ro_crate_metadata(p), indent=2, sort_keys=True))
PYEOF

# proof_crate NAME SIGNED: exports SIGNED to $T/NAME, compares with the reference, verifies and loads the crate.
# VERIFY (0 or 1) is what `prova verify --default-key` says of the record; a record that does not verify is exported
# with --no-verify.
proof_crate() {
  local name=$1 signed=$2 verify=$3 opt=--default-key
  [ "$verify" = 0 ] || opt=--no-verify
  t "$name: export" 0 - - -- "$PROVA" export --to ro-crate $opt --out "$T/$name" "$signed"
  "$PY" "$T/ref.py" "$signed" >"$T/$name.want" 2>"$T/pyerr" || bad "$name: the Python reference failed: $(tail -n1 "$T/pyerr")"
  if cmp -s "$T/$name.want" "$T/$name/ro-crate-metadata.json"; then ok; else
    bad "$name: metadata differs from the reference: $(diff "$T/$name.want" "$T/$name/ro-crate-metadata.json" | head -n 8 | tr '\n' ' ')"; fi
  if cmp -s "$signed" "$T/$name/proof.json"; then ok; else bad "$name: proof.json is not the input bytes"; fi
  t "$name: proof.json verifies as the input does" "$verify" - - -- "$PROVA" verify --default-key "$T/$name/proof.json"
  t "$name: the ro-crate package finds root and record" 0 '"record":"proof.json"' - -- node "$PEER" "$T/$name" proof.json
}

# 1. The minimal proof (§4.3 vector: proof_id 80e22386..., default-key signature 2e31eabe...).
"$PROVA" proof sign --default-key "$MIN" >"$T/min.json"
proof_crate min "$T/min.json" 0
pycheck "minimal: root identifier = the §4.3 proof_id, file identifier = its signature" "$T/min/ro-crate-metadata.json" \
  'd["@graph"][1]["identifier"] == "80e223866476e88839c59927fb2ab9f95554101e0fe846014fc32e66d0e189ac" and d["@graph"][2]["identifier"] == "2e31eabe3e9c321f55226178da9cf7a4a11740f98911bcfe4d56f2d84ba6b470" and [e["@id"] for e in d["@graph"]] == ["ro-crate-metadata.json", "./", "proof.json", "#dataset-h", "#substrate-mock@abc", "#verdict", "#reproduction", "#ophamin"]'
if grep -q '"name": "Ophamin Empirical Proof Record \\u2014 80e223866476e888"' "$T/min/ro-crate-metadata.json"; then ok; else bad "minimal: U+2014 not written as \\u2014"; fi

preview "minimal" "$T/min"

# 2. Every conditional member: non-ASCII and Unicode whitespace around the statement, lineage, git commits, a
#    dataset with a source and one without content_hash / n_records (so the record does not verify: --no-verify),
#    a float observed_value in exponent form, no substrate commit.
pyedit "$MIN" "$T/rich.in.json" '
d["claim"]["statement"] = "\u3000\t Caf\u00e9 \U0001F680 claim \u2028\n"
d["identity"]["ophamin_git_commit"] = "0123456789abcdef0123"
d["identity"]["ophamin_version"] = ""
d["data"]["substrate_git_commit"] = ""
d["data"]["datasets"].append({"content_hash": "", "kind": "trace", "n_records": 0, "name": "n\u00e9", "source": "https://example.org/x"})
d["data"]["datasets"][0]["content_hash"] = "f" * 40
d["reproduction"]["lineage_chain"] = ["a" * 64, "b" * 10]
d["verdict"]["outcome"] = "REFUTED"
d["verdict"]["observed_value"] = 2.5e-05'
"$PROVA" proof sign --default-key "$T/rich.in.json" >"$T/rich.json"
proof_crate rich "$T/rich.json" 1
pycheck "rich: conditional members" "$T/rich/ro-crate-metadata.json" \
  '[e["@id"] for e in d["@graph"]][3:5] == ["#dataset-ffffffffffffffff", "#dataset-unknown"] and d["@graph"][4]["url"] == "https://example.org/x" and "size" not in d["@graph"][4] and d["@graph"][5]["@id"] == "#substrate-mock" and d["@graph"][7]["isBasedOn"] == [{"@id": "#proof-" + "a" * 16}, {"@id": "#proof-" + "b" * 10}] and d["@graph"][8]["identifier"] == "0123456789abcdef0123" and d["@graph"][8]["softwareVersion"] == "0.1.0" and d["@graph"][1]["description"].startswith("Self-contained empirical observation of: Caf\u00e9 \U0001F680 claim \u2014")'

preview "rich" "$T/rich" "Café 🚀 claim"

# 2b. Hostile text in the record reaches the page as text, never as markup: <script>, quotes, &, an attribute
#     breakout, a javascript: URL (not a link), a control character (U+FFFD).
pyedit "$MIN" "$T/evil.in.json" '
d["claim"]["statement"] = "<script>alert(1)</script> & \"q\" \x27s\x27 </td></table>"
d["data"]["datasets"][0]["name"] = "\"><img src=x onerror=alert(1)> &amp; <!-- c -->"
d["data"]["datasets"][0]["source"] = "javascript:alert(1)"
d["data"]["substrate_name"] = "<b>sub</b>&\x01"'
"$PROVA" proof sign --default-key "$T/evil.in.json" >"$T/evil.json"
t "hostile: export" 0 - - -- "$PROVA" export --to ro-crate --default-key --out "$T/evil" "$T/evil.json"
preview "hostile" "$T/evil" '<script>alert(1)</script> & "q" '"'s'"' </td></table>' '"><img src=x onerror=alert(1)> &amp; <!-- c -->' 'javascript:alert(1)' '<b>sub</b>&�'
if grep -q '<script\|<img\|<b>\|href="javascript' "$T/evil/ro-crate-preview.html"; then bad "hostile: markup from the record in the page"; else ok; fi
if grep -qF '&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;s&#39;' "$T/evil/ro-crate-preview.html"; then ok; else bad "hostile: not escaped as expected"; fi
t "hostile: the ro-crate package still loads the crate" 0 '"record":"proof.json"' - -- node "$PEER" "$T/evil" proof.json
# The page is a function of the metadata: the same export twice gives the same bytes.
t "hostile: export again" 0 - - -- "$PROVA" export --to ro-crate --default-key --out "$T/evil2" "$T/evil.json"
if cmp -s "$T/evil/ro-crate-preview.html" "$T/evil2/ro-crate-preview.html"; then ok; else bad "the page is not deterministic"; fi

# 3. Overwrites.
mkdir "$T/empty"
t "an existing (empty) directory is refused" 2 - 'empty exists \(use --force to replace it\)' -- "$PROVA" export --to ro-crate --default-key --out "$T/empty" "$T/min.json"
if [ -z "$(ls -A "$T/empty")" ]; then ok; else bad "a refused export wrote into the directory"; fi
cp "$T/min/ro-crate-metadata.json" "$T/min.meta.before"
t "an existing crate is refused" 2 - 'exists \(use --force to replace it\)' -- "$PROVA" export --to ro-crate --no-verify --out "$T/min" "$T/rich.json"
if cmp -s "$T/min.meta.before" "$T/min/ro-crate-metadata.json" && cmp -s "$T/min.json" "$T/min/proof.json"; then ok; else bad "a refused export changed the crate"; fi
echo keep >"$T/min/notes.txt"
t "--force replaces the crate's three files" 0 - - -- "$PROVA" export --to ro-crate --no-verify --force --out "$T/min" "$T/rich.json"
if cmp -s "$T/rich.want" "$T/min/ro-crate-metadata.json" && cmp -s "$T/rich.json" "$T/min/proof.json" && cmp -s "$T/rich/ro-crate-preview.html" "$T/min/ro-crate-preview.html" && [ "$(cat "$T/min/notes.txt")" = keep ]; then ok; else bad "--force: wrong files or another file touched"; fi
echo x >"$T/afile"
t "--out naming a file is refused" 2 - 'afile exists and is not a directory' -- "$PROVA" export --to ro-crate --default-key --out "$T/afile" "$T/min.json"
t "... even with --force" 2 - 'not a directory' -- "$PROVA" export --to ro-crate --default-key --force --out "$T/afile" "$T/min.json"
if [ "$(cat "$T/afile")" = x ]; then ok; else bad "the file was changed"; fi
t "--out is required" 2 - 'needs --out' -- "$PROVA" export --to ro-crate --default-key "$T/min.json"
t "a parent directory that does not exist" 2 - 'cannot create the crate directory' -- "$PROVA" export --to ro-crate --default-key --out "$T/no/such/dir" "$T/min.json"

# 4. --zip: one archive with the same three files; Python's zipfile reads it (CRCs checked by testzip).
t "--zip" 0 - - -- "$PROVA" export --to ro-crate --zip --no-verify --now 2026-03-04T05:06:08Z --out "$T/crate.zip" "$T/rich.json"
if "$PY" - "$T/crate.zip" "$T/rich.want" "$T/rich.json" "$T/rich/ro-crate-preview.html" 2>"$T/pyerr" <<'PYEOF'; then ok; else bad "zipfile: $(tail -n 1 "$T/pyerr")"; fi
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
assert z.namelist() == ["ro-crate-metadata.json", "proof.json", "ro-crate-preview.html"], z.namelist()
assert z.read("ro-crate-metadata.json") == open(sys.argv[2], "rb").read()
assert z.read("proof.json") == open(sys.argv[3], "rb").read()
assert z.read("ro-crate-preview.html") == open(sys.argv[4], "rb").read()
for i in z.infolist():
    assert i.compress_type == zipfile.ZIP_STORED and i.date_time == (2026, 3, 4, 5, 6, 8), (i.compress_type, i.date_time)
    assert (i.external_attr >> 16) == 0o100644 and i.flag_bits & 0x800 == 0
PYEOF
if command -v unzip >/dev/null; then
  t "unzip -t" 0 'No errors detected' - -- unzip -t "$T/crate.zip"
fi
preview "zip" "$T/crate.zip" "Café 🚀 claim"
cp "$T/crate.zip" "$T/crate.zip.before"
t "--zip: an existing file is refused" 2 - 'crate.zip exists \(use --force to replace it\)' -- "$PROVA" export --to ro-crate --zip --default-key --out "$T/crate.zip" "$T/min.json"
if cmp -s "$T/crate.zip" "$T/crate.zip.before"; then ok; else bad "a refused --zip changed the file"; fi
t "--zip --force" 0 - - -- "$PROVA" export --to ro-crate --zip --force --default-key --out "$T/crate.zip" "$T/min.json"
mkdir "$T/zipdir"
t "--zip onto a directory is refused" 2 - 'not a regular file' -- "$PROVA" export --to ro-crate --zip --force --default-key --out "$T/zipdir" "$T/min.json"
mkdir -p "$T/unz" && "$PY" -c 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$T/crate.zip" "$T/unz"
t "the unzipped crate loads in the ro-crate package" 0 '"record":"proof.json"' - -- node "$PEER" "$T/unz" proof.json
preview "unzipped" "$T/unz"

# 5. The other families: the ro-crate package finds root and record; Python recomputes sha256 and the identifier.
"$PROVA" keygen --out s.json >/dev/null && "$PROVA" jwks s.json >sj.json
"$PROVA" keygen --out g.json >/dev/null && "$PROVA" jwks g.json >gj.json
"$PY" -c 'import json; a=json.load(open("sj.json")); a["keys"]+=json.load(open("gj.json"))["keys"]; json.dump(a, open("all.json","w"))'
echo '{"q":"caf\u00e9"}' | "$PROVA" pack --key s.json --payload-type a.b --target-type c - >env.json
"$PROVA" receipt append --key g.json --chain ch.jsonl --sender-jwks sj.json env.json >/dev/null
"$PROVA" receipt append --key g.json --chain ch.jsonl --sender-jwks sj.json env.json >rcpt.json
"$PY" -c 'import json,sys; print(json.dumps([json.loads(l) for l in open("ch.jsonl")]))' >chain.json
TID=$("$PY" -c 'import json; print(json.load(open("env.json"))["trace_id"])')
"$PROVA" bundle --key g.json --chain ch.jsonl --trace-id "$TID" >bundle.json
"$PROVA" oe new --chain oc.json >/dev/null && echo '{"a":1}' | "$PROVA" oe append --chain oc.json --type t - >/dev/null
"$PROVA" oe append --chain oc.json --type u - <<<'{"b":2}' >/dev/null && "$PROVA" oe resolve --chain oc.json >/dev/null && cp oc.json oechain.json
"$PROVA" oe certify --key s.json --chain oc.json --artifact-type x --artifact-ref y --out oebundle.json >/dev/null
for pair in env.json:ope_envelope rcpt.json:ope_receipt chain.json:ope_receipt_chain bundle.json:ope_bundle \
            oechain.json:oe_chain oebundle.json:oe_bundle; do
  f=${pair%%:*} kind=${pair##*:}
  t "$kind: export" 0 - - -- "$PROVA" export --to ro-crate --jwks all.json --out "c_$kind" "$f"
  t "$kind: the ro-crate package finds root and record" 0 "\"record\":\"$kind.json\"" - -- node "$PEER" "c_$kind" "$kind.json"
  if cmp -s "$f" "c_$kind/$kind.json"; then ok; else bad "$kind: the record file is not the input bytes"; fi
  preview "$kind" "c_$kind"
  t "$kind: export --zip" 0 - - -- "$PROVA" export --to ro-crate --zip --jwks all.json --out "c_$kind.zip" "$f"
  preview "$kind zip" "c_$kind.zip"
  if "$PY" - "c_$kind" "$kind" "$f" 2>"$T/pyerr" <<'PYEOF'; then ok; else bad "$kind: $(tail -n 1 "$T/pyerr")"; fi
import hashlib, json, sys
d, kind, src = sys.argv[1:4]
m = json.load(open(d + "/ro-crate-metadata.json"))
raw = open(src, "rb").read()
rec = json.loads(raw)
g = {e["@id"]: e for e in m["@graph"]}
root, f = g["./"], g[kind + ".json"]
assert m["@context"] == "https://w3id.org/ro/crate/1.2/context"
assert g["ro-crate-metadata.json"]["conformsTo"] == {"@id": "https://w3id.org/ro/crate/1.2"}
assert f["sha256"] == hashlib.sha256(raw).hexdigest() and f["contentSize"] == str(len(raw))
if kind == "ope_receipt": want = rec["receipt_hash"]
elif kind == "ope_receipt_chain": want = rec[-1]["receipt_hash"]
elif kind == "ope_bundle": want = rec["bundle_cid"]
elif kind == "ope_envelope": want = rec["cid"]
elif kind == "oe_chain": want = rec["chain_hash"]
else: want = rec["chain"]["chain_hash"]
want = want if want.startswith("sha256:") else "sha256:" + want
assert root["identifier"] == want == f["identifier"], (root["identifier"], want)
assert root["name"] == "prova %s %s" % (kind, want[7:23]), root["name"]
assert "datePublished" in root
about = [a["@id"] for a in f["about"]]
assert all(a in g for a in about)
if kind.startswith("ope"):
    tid = rec[0]["trace_id"] if kind == "ope_receipt_chain" else rec["bundle"]["trace_id"] if kind == "ope_bundle" else rec["trace_id"]
    assert g["#trace"]["value"] == tid
if kind == "ope_envelope": assert g["#sender-key"]["value"] == rec["kid"]
if kind == "ope_receipt": assert g["#hop"]["value"] == rec["hop"] and g["#gateway-key-1"]["value"] == rec["gateway_kid"]
if kind == "ope_receipt_chain": assert g["#hops"]["value"] == len(rec) == 2
if kind == "oe_bundle":
    assert g["#certificate"]["identifier"] == rec["certificate_id"] and g["#issuer-key"]["value"] == rec["public_key"]
    assert g["#chain"]["size"]["value"] == 2
PYEOF
done

# 6. Bad input: nothing written.
echo '{"hello":1}' >notrec.json
t "not a record" 2 - 'record_unknown_kind' -- "$PROVA" export --to ro-crate --no-verify --out c_bad notrec.json
pyedit "$MIN" "$T/badtype.in.json" 'd["claim"]["statement"] = 5'
"$PROVA" proof sign --default-key "$T/badtype.in.json" >"$T/badtype.json"
t "a proof whose claim.statement is not a string" 2 - 'rocrate_field_invalid' -- "$PROVA" export --to ro-crate --no-verify --out c_bad "$T/badtype.json"
pyedit "$MIN" "$T/badds.in.json" 'd["data"]["datasets"][0]["n_records"] = "30"'
"$PROVA" proof sign --default-key "$T/badds.in.json" >"$T/badds.json"
t "a dataset whose n_records is a string" 2 - 'rocrate_field_invalid' -- "$PROVA" export --to ro-crate --no-verify --out c_bad "$T/badds.json"
if [ ! -e c_bad ]; then ok; else bad "a refused export created its directory"; fi
t "a proof that does not verify is not exported" 1 - - -- "$PROVA" export --to ro-crate --hmac-key-b64 QUJD --out c_bad "$T/min.json"
if [ ! -e c_bad ]; then ok; else bad "an unverified export created its directory"; fi

summary
