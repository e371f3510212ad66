"""bridges.lineage (docs/lineage.md): the graph of records made with the binding's own builders, checked against
the rules of the documentation rebuilt here, in every format; the reason codes as exceptions."""
import json

import networkx
import pytest

import prova
from prova import bridges


def chain(trace, payloads):
    rs, prev = [], None
    for i, p in enumerate(payloads):
        r = {"trace_id": trace, "hop": i, "receipt_hash": f"{trace}-h{i}", "request_cid": p, "normalized_cid": p + "n"}
        if prev:
            r["prev_receipt_hash"] = prev
        prev = r["receipt_hash"]
        rs.append(r)
    return rs


def test_merge_and_formats():
    a, b = chain("ta", ["c1", "c2"]), chain("tb", ["c1"])
    g = json.loads(bridges.lineage([a, json.dumps(b)]))
    ids = [n["id"] for n in g["nodes"]]
    assert ids == sorted(ids, key=str.encode)
    assert ids.count("cid:c1") == 1
    assert {e["from"] for e in g["edges"] if e["to"] == "cid:c1" and e["type"] == "request"} == {"hop:ta/0", "hop:tb/0"}
    assert {"from": "hop:ta/1", "to": "hop:ta/0", "type": "prev"} in g["edges"]
    assert bridges.lineage([b, a]) == bridges.lineage([a, b])
    G = networkx.parse_graphml(bridges.lineage([a, b], "graphml").decode())
    assert G.number_of_nodes() == len(g["nodes"]) and G.number_of_edges() == len(g["edges"])
    assert bridges.lineage([a], "dot").startswith(b"digraph lineage {")
    assert b"flowchart LR" in bridges.lineage([a], "mermaid")


def test_errors():
    with pytest.raises(ValueError):
        bridges.lineage([], "svg")
    with pytest.raises(prova.errors.ProvaError) as e:
        bridges.lineage([{"hello": 1}])
    assert e.value.code == "lineage_unknown_document"
    with pytest.raises(prova.errors.ProvaError) as e:
        bridges.lineage([[{"trace_id": "t", "hop": "x", "receipt_hash": "h"}]])
    assert e.value.code == "lineage_field_invalid"
    assert bridges.lineage([]) == b'{"nodes":[],"edges":[]}\n'
