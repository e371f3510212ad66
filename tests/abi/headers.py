#!/usr/bin/env python3
"""The public headers as another language's binding reads them.

    headers.py parse CC SRC_INCLUDE BUILD_INCLUDE SYMBOLS
    headers.py cffi  CC SRC_INCLUDE BUILD_INCLUDE SYMBOLS LIBPROVA_SO VERSION

parse: preprocesses <prova/prova.h> with `CC -E -std=c99 -DPROVA_NO_ATTRIBUTES` (no -D__attribute__(x)= crutch: the
headers must need none; -std=c99 only keeps GCC's own <stddef.h> from declaring max_align_t with an attribute) and
parses it with pycparser's CParser, as cffi and ctypes generators do. Then checks that
  - the umbrella includes every header of include/prova/ (and the generated version.h);
  - what prova's headers declare after preprocessing holds no __attribute__, inline function or variadic function;
  - the functions they declare are exactly the exported symbols (SYMBOLS, tests/abi/symbols.txt);
  - every size or limit macro (a numeric #define PROVA_..., or a function-like one) has its function, the macro's
    name in lowercase (PROVA_SHA256_BYTES -> prova_sha256_bytes), and every public struct a prova_<type>_sizeof.
cffi: declares every type and function of prova's headers (the preprocessed text, prova's lines only) with
cffi.FFI().cdef, dlopens the built libprova.so (ABI mode: no compiler involved) and calls it: prova_version(), a
canonicalization, a parse error, a report, every constant function against the macro's value (read by compiling a
tiny program with CC) and every _sizeof against cffi's own sizeof of the declared struct.
Prints "N passed, M failed" (or the first error) and exits non-zero on failure.
"""
import os
import re
import subprocess
import sys
import tempfile

NON_SIZE_MACROS = {
    # flags and return codes, not sizes: their values are part of the ABI and documented in docs/api.md
    "PROVA_NUM_FLOAT", "PROVA_NUM_NONFINITE", "PROVA_PARSE_ALLOW_NONFINITE", "PROVA_PARSE_ALLOW_LONE_SURROGATES",
    "PROVA_PARSE_SECRET", "PROVA_STORE_READONLY", "PROVA_STORE_NO_MIGRATE", "PROVA_OPENLINEAGE_VERBATIM_URI", "PROVA_PROOF_KEY_IS_DEFAULT",
    "PROVA_SFT_PASSTHROUGH",
    # the version: prova_version() and prova_version_number()
    "PROVA_VERSION_MAJOR", "PROVA_VERSION_MINOR", "PROVA_VERSION_PATCH", "PROVA_VERSION_NUMBER",
}
ATTRIBUTE_MACROS = {"PROVA_EXPORT", "PROVA_NODISCARD", "PROVA_NONNULL", "PROVA_NO_ATTRIBUTES"}

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: %s" % what, file=sys.stderr)
    return cond


def run(argv, **kw):
    p = subprocess.run(argv, capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit("headers.py: %s failed (%d):\n%s" % (" ".join(argv), p.returncode, p.stderr))
    return p.stdout


def preprocess(cc, src_inc, build_inc, extra=()):
    return run([cc, "-E", "-std=c99", "-DPROVA_NO_ATTRIBUTES", "-I", src_inc, "-I", build_inc, *extra, "-x", "c",
                "-"], input="#include <prova/prova.h>\n")


def prova_lines(text, src_inc, build_inc):
    """The preprocessed lines that come from prova's own headers (line markers name the file), and those files."""
    roots = tuple(os.path.realpath(os.path.join(d, "prova")) + os.sep for d in (src_inc, build_inc))
    keep, files, mine = [], set(), False
    for line in text.splitlines():
        m = re.match(r'^# \d+ "([^"]+)"', line)
        if m:
            path = os.path.realpath(m.group(1))
            mine = path.startswith(roots)
            if mine:
                files.add(os.path.basename(path))
            continue
        if mine:
            keep.append(line)
    return "\n".join(keep) + "\n", files


def macros(cc, src_inc, build_inc):
    """{name: (params or None, value)} of every PROVA_ macro the umbrella defines."""
    out = preprocess(cc, src_inc, build_inc, ["-dM"])
    found = {}
    for line in out.splitlines():
        m = re.match(r"#define (PROVA_\w+)(\([^)]*\))? ?(.*)$", line)
        if m:
            found[m.group(1)] = (m.group(2), m.group(3).strip())
    return found


def size_macros(ms):
    """The object-like numeric macros and the function-like ones that a binding needs as functions."""
    obj, fn = [], []
    for name, (params, value) in sorted(ms.items()):
        if name in NON_SIZE_MACROS or name in ATTRIBUTE_MACROS or name.endswith("_H") or not value:
            continue
        if params is not None:
            fn.append(name)
        elif not value.startswith('"') and not value.startswith("{") and not re.match(r'^PROVA_\w+ "', value):
            obj.append(name)
    return obj, fn


def parse_mode(cc, src_inc, build_inc, symbols):
    from pycparser import c_ast, c_parser

    text = preprocess(cc, src_inc, build_inc)
    ast = c_parser.CParser().parse(text, "prova/prova.h")
    check(True, "pycparser parses prova/prova.h")

    mine, files = prova_lines(text, src_inc, build_inc)
    headers = {f for f in os.listdir(os.path.join(src_inc, "prova")) if f.endswith(".h")} | {"version.h"}
    check(files == headers, "prova.h includes every public header (missing: %s; unexpected: %s)" %
          (sorted(headers - files), sorted(files - headers)))
    for word in ("__attribute__", "__VA_ARGS__", "__extension__", "__asm__"):
        check(word not in mine, "prova's preprocessed headers hold no %s" % word)

    declared, structs = set(), set()

    class V(c_ast.NodeVisitor):
        def visit_Decl(self, node):
            if isinstance(node.type, c_ast.FuncDecl) and node.name and node.name.startswith("prova_"):
                declared.add(node.name)
                check("inline" not in (node.funcspec or []), "%s is not inline" % node.name)
                params = node.type.args.params if node.type.args else []
                check(not any(isinstance(p, c_ast.EllipsisParam) for p in params), "%s is not variadic" % node.name)
            self.generic_visit(node)

        def visit_FuncDef(self, node):
            if node.decl.name.startswith("prova_"):
                check(False, "%s has a body in a public header" % node.decl.name)

        def visit_Struct(self, node):  # every struct prova_x is also typedef'd as prova_x
            if node.decls is not None and node.name and node.name.startswith("prova_"):
                structs.add(node.name)
            self.generic_visit(node)

    V().visit(ast)
    exported = set(open(symbols).read().split())
    check(declared == exported, "the declared functions are the exported symbols (declared, not exported: %s; "
          "exported, not declared: %s)" % (sorted(declared - exported), sorted(exported - declared)))

    obj, fn = size_macros(macros(cc, src_inc, build_inc))
    for name in obj + fn:
        check(name.lower() in exported, "%s has its function %s()" % (name, name.lower()))
    for s in sorted(structs):
        check(s + "_sizeof" in exported, "struct %s has %s_sizeof()" % (s, s))
    print("headers: %d functions, %d structs, %d size macros, %d function-like macros" %
          (len(declared), len(structs), len(obj), len(fn)))


def macro_values(cc, src_inc, build_inc, names):
    """The values of object-like macros, as the compiler computes them."""
    with tempfile.TemporaryDirectory() as d:
        c = os.path.join(d, "values.c")
        with open(c, "w") as f:
            f.write("#include <stdio.h>\n#include <prova/prova.h>\nint main(void) {\n")
            for n in names:
                f.write('    printf("%%s %%lld\\n", "%s", (long long)(%s));\n' % (n, n))
            f.write("    return 0;\n}\n")
        exe = os.path.join(d, "values")
        run([cc, "-std=c11", "-I", src_inc, "-I", build_inc, c, "-o", exe])
        return {k: int(v) for k, v in (line.split() for line in run([exe]).splitlines())}


def cffi_mode(cc, src_inc, build_inc, symbols, so, version):
    import cffi

    ffi = cffi.FFI()
    mine, _ = prova_lines(preprocess(cc, src_inc, build_inc), src_inc, build_inc)
    ffi.cdef(mine)
    check(True, "cffi declares every type and function of prova's headers")
    lib = ffi.dlopen(so)

    check(ffi.string(lib.prova_version()).decode() == version, "prova_version() is %s" % version)
    major, minor, patch = (int(x) for x in version.split("."))
    check(lib.prova_version_number() == major * 10000 + minor * 100 + patch, "prova_version_number()")

    # A canonicalization into a prova_buf the caller owns (RFC 8785).
    buf = ffi.new("prova_buf *")
    err = ffi.new("prova_error *")
    data = b'{"b": [1.50, "\\u00e9"], "a": 1e2}'
    r = lib.prova_canon_bytes(data, len(data), lib.PROVA_PROFILE_JCS, ffi.NULL, buf, err)
    check(r == 0 and ffi.buffer(buf.data, buf.len)[:] == '{"a":100,"b":[1.5,"é"]}'.encode(),
          "prova_canon_bytes through cffi (%d)" % r)
    lib.prova_buf_free(buf)
    check(buf.data == ffi.NULL and buf.len == 0, "prova_buf_free")

    # A parse error: the stable members of prova_error.
    doc = ffi.new("prova_doc **")
    bad = b'{"a":1,\n"a":2}'
    r = lib.prova_json_parse(bad, len(bad), ffi.NULL, doc, err)
    check(r == lib.PROVA_ESYNTAX and err.status == r and ffi.string(err.reason) == b"json_duplicate_key" and
          err.line == 2 and err.column == 1 and ffi.string(err.pointer) == b"/a",
          "prova_error of a duplicate key: %d %s %d:%d %s" % (r, ffi.string(err.reason), err.line, err.column,
                                                              ffi.string(err.pointer)))
    check(ffi.string(lib.prova_status_message(r)) == b"malformed input", "prova_status_message")

    # A document read through the exported accessors.
    ok = b'{"k":["x",2]}'
    check(lib.prova_json_parse(ok, len(ok), ffi.NULL, doc, err) == 0, "prova_json_parse")
    arr = lib.prova_json_get(lib.prova_doc_root(doc[0]), b"k")
    check(lib.prova_json_is_array(arr) and lib.prova_json_len(arr) == 2 and
          ffi.string(lib.prova_json_str(lib.prova_json_at(arr, 0))) == b"x" and
          lib.prova_json_is_int(lib.prova_json_at(arr, 1)), "the accessors")
    lib.prova_doc_free(doc[0])

    # A report written by the caller, with the non-variadic functions.
    rep = lib.prova_report_new(b"binding")
    check(lib.prova_report_add_check(rep, b"digest", True, ffi.NULL, b"/d", b"100% of it") == 0 and
          lib.prova_report_add_warning(rep, b"note", ffi.NULL, b"%s stays") == 0, "prova_report_add_*")
    js = ffi.new("prova_buf *")
    check(lib.prova_report_to_json(rep, js) == 0 and b'"message":"100% of it"' in ffi.buffer(js.data, js.len)[:] and
          lib.prova_report_outcome(rep) == lib.PROVA_OUTCOME_VALID, "prova_report_to_json")
    lib.prova_buf_free(js)
    lib.prova_report_free(rep)

    # Every constant function against its macro, every _sizeof against cffi's layout of the declared struct.
    exported = open(symbols).read().split()
    obj, fn = size_macros(macros(cc, src_inc, build_inc))
    values = macro_values(cc, src_inc, build_inc, obj)
    for name in obj:
        got = getattr(lib, name.lower())()
        check(got == values[name], "%s() = %d, %s = %d" % (name.lower(), got, name, values[name]))
    for n in (0, 1, 2, 3, 32, 33, 1000):
        check(lib.prova_hex_len(n) == 2 * n and lib.prova_base64_len(n) == (n + 2) // 3 * 4 and
              lib.prova_base64url_len(n) == (n * 4 + 2) // 3, "the encoded lengths of %d bytes" % n)
    for s in (x for x in exported if x.endswith("_sizeof")):
        t = s[: -len("_sizeof")]
        check(getattr(lib, s)() == ffi.sizeof(t), "%s() = %d, cffi's sizeof(%s) = %d" %
              (s, getattr(lib, s)(), t, ffi.sizeof(t)))
    check(bytes(ffi.buffer(lib.prova_openlineage_runid_namespace(), 16)) ==
          bytes.fromhex("ec1e6b1c000040008000000000000001"), "prova_openlineage_runid_namespace()")


def main():
    if len(sys.argv) < 6 or sys.argv[1] not in ("parse", "cffi"):
        sys.exit(__doc__)
    mode, cc, src_inc, build_inc, symbols = sys.argv[1:6]
    try:
        if mode == "parse":
            import pycparser  # noqa: F401
        else:
            import cffi  # noqa: F401
    except ImportError as e:
        sys.exit("headers.py: %s (Debian: python3-pycparser python3-cffi; scripts/setup.sh installs them)" % e)
    if mode == "parse":
        parse_mode(cc, src_inc, build_inc, symbols)
    else:
        if len(sys.argv) != 8:
            sys.exit(__doc__)
        cffi_mode(cc, src_inc, build_inc, symbols, sys.argv[6], sys.argv[7])
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
