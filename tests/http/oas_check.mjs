// oas_check.mjs — validate HTTP responses against an OpenAPI 3.1 document.
//
//   import { loadSpec, checkResponse } from "./oas_check.mjs";
//   const spec = await loadSpec("src/http/openapi.json");          // or "http://127.0.0.1:8080/openapi.json"
//   const res = await fetch(base + "/v1/receipts/export/t-1");
//   const { ok, errors } = checkResponse(spec, "GET", "/v1/receipts/export/t-1", res.status,
//                                        res.headers.get("content-type"), await res.json(), res.headers);
//
// checkResponse finds the operation (a concrete path is matched against the path templates, literal segments
// first), the response for the status (exact, then "4XX"-style ranges, then "default"), checks the Content-Type
// against the documented media types, validates the body with Ajv (JSON Schema 2020-12 via ajv/dist/2020,
// ajv-formats, #/components references resolved in the document itself) and checks every required response header
// (and the schema of every header that is present). It returns { ok, errors, operationId }.
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
export const ERROR_REF = "#/components/schemas/Error";

/** Reads an OpenAPI document (JSON) from a file path, a file: URL or an http(s) URL. */
export async function loadSpec(urlOrFile) {
  const s = String(urlOrFile);
  let text;
  if (/^https?:\/\//i.test(s)) {
    const res = await fetch(s, { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`GET ${s}: HTTP ${res.status}`);
    text = await res.text();
  } else {
    text = await readFile(s.startsWith("file:") ? fileURLToPath(s) : s, "utf8");
  }
  const spec = JSON.parse(text);
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) throw new Error(`${s}: not a JSON object`);
  return spec;
}

/** Resolves a local reference ("#/a/b~1c") in the document, or undefined. */
export function resolveRef(spec, ref) {
  if (typeof ref !== "string" || !ref.startsWith("#")) return undefined;
  let node = spec;
  const frag = ref.slice(1);
  if (frag === "") return node;
  for (const raw of frag.slice(1).split("/")) {
    const key = decodeURIComponent(raw).replaceAll("~1", "/").replaceAll("~0", "~");
    if (node === null || typeof node !== "object" || !(key in node)) return undefined;
    node = node[key];
  }
  return node;
}

function deref(spec, x) {
  for (let i = 0; x && typeof x === "object" && typeof x.$ref === "string" && i < 32; i++) x = resolveRef(spec, x.$ref);
  return x;
}

const pointerEscape = (k) => encodeURIComponent(String(k).replaceAll("~", "~0").replaceAll("/", "~1"));

let ajvCounter = 0;

/** An Ajv 2020-12 instance that holds the whole document, so "#/components/..." references resolve. */
export function makeAjv(spec, { strict = false } = {}) {
  const ajv = new Ajv2020({ strict, allErrors: true, allowUnionTypes: true, validateFormats: true });
  addFormats(ajv); // includes the OpenAPI formats int32, int64, float, double, byte, binary, password
  // OpenAPI's own schema keywords (3.1 §4.8.24) and the top-level members of the document, which Ajv sees as the
  // root of the schema it is given.
  ajv.addVocabulary(["discriminator", "xml", "externalDocs", "example"]);
  ajv.addVocabulary(["openapi", "info", "jsonSchemaDialect", "servers", "paths", "webhooks", "components",
    "security", "tags"]);
  const id = `urn:oas-check:${++ajvCounter}`;
  const root = structuredClone(spec);
  delete root.$schema;
  root.$id = id;
  ajv.addSchema(root, id, undefined, false);
  ajv.__oasId = id;
  return ajv;
}

const ajvCache = new WeakMap();
function ajvFor(spec) {
  let ajv = ajvCache.get(spec);
  if (!ajv) {
    ajv = makeAjv(spec);
    ajvCache.set(spec, ajv);
  }
  return ajv;
}

/** The validate function of the schema at a JSON pointer (array of keys) inside the document. */
function validatorAt(spec, keys) {
  const ajv = ajvFor(spec);
  return { ajv, validate: ajv.getSchema(`${ajv.__oasId}#/${keys.map(pointerEscape).join("/")}`) };
}

function escapeRe(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Finds { path, method, operation, pathItem, params } for a method and a concrete path or a path template. */
export function findOperation(spec, method, pathOrTemplate) {
  const m = String(method).toLowerCase();
  let p = String(pathOrTemplate);
  if (/^https?:\/\//i.test(p)) p = new URL(p).pathname;
  p = p.replace(/[?#].*$/, "");
  const paths = spec.paths ?? {};
  const candidates = [];
  for (const tmpl of Object.keys(paths)) {
    if (tmpl === p) {
      candidates.push({ tmpl, params: {}, literal: Infinity });
      continue;
    }
    if (!tmpl.includes("{")) continue;
    const names = [];
    const re = new RegExp("^" + tmpl.split(/(\{[^}]+\})/).map((part) => {
      const mm = /^\{([^}]+)\}$/.exec(part);
      if (mm) {
        names.push(mm[1]);
        return "([^/]+)";
      }
      return escapeRe(part);
    }).join("") + "$");
    const match = re.exec(p);
    if (!match) continue;
    const params = {};
    names.forEach((n, i) => {
      try {
        params[n] = decodeURIComponent(match[i + 1]);
      } catch {
        params[n] = match[i + 1];
      }
    });
    candidates.push({ tmpl, params, literal: tmpl.replace(/\{[^}]+\}/g, "").length });
  }
  candidates.sort((a, b) => b.literal - a.literal);
  for (const c of candidates) {
    const item = deref(spec, paths[c.tmpl]);
    if (item?.[m]) return { path: c.tmpl, method: m, operation: item[m], pathItem: item, params: c.params };
  }
  return candidates.length ? { path: candidates[0].tmpl, method: m, operation: null, params: candidates[0].params }
    : null;
}

function parseMediaType(s) {
  const [base, ...rest] = String(s ?? "").split(";");
  const params = {};
  for (const r of rest) {
    const i = r.indexOf("=");
    if (i > 0) params[r.slice(0, i).trim().toLowerCase()] = r.slice(i + 1).trim().replace(/^"(.*)"$/, "$1").toLowerCase();
  }
  return { base: base.trim().toLowerCase(), params };
}

/** The documented media-type key that an actual Content-Type matches (exact type first, then type/*, then * /*). */
function matchMediaType(content, contentType) {
  const actual = parseMediaType(contentType);
  const keys = Object.keys(content);
  const scored = [];
  for (const key of keys) {
    const doc = parseMediaType(key);
    const paramsOk = Object.entries(doc.params).every(([k, v]) => actual.params[k] === v);
    if (!paramsOk) continue;
    if (doc.base === actual.base) scored.push([3 + Object.keys(doc.params).length, key]);
    else if (doc.base.endsWith("/*") && actual.base.startsWith(doc.base.slice(0, -1))) scored.push([2, key]);
    else if (doc.base === "*/*") scored.push([1, key]);
  }
  scored.sort((a, b) => b[0] - a[0]);
  return scored.length ? scored[0][1] : undefined;
}

function headerMap(headers) {
  const out = new Map();
  if (!headers) return out;
  const entries = typeof headers.entries === "function" && !(headers.constructor === Object) ? headers.entries()
    : Object.entries(headers);
  for (const [k, v] of entries) out.set(String(k).toLowerCase(), Array.isArray(v) ? v.join(", ") : String(v));
  return out;
}

function coerceHeader(schema, value) {
  const t = schema && (Array.isArray(schema.type) ? schema.type : [schema.type]);
  if (!t) return value;
  if ((t.includes("integer") || t.includes("number")) && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim())) {
    return Number(value.trim());
  }
  if (t.includes("boolean") && /^(true|false)$/i.test(value.trim())) return value.trim().toLowerCase() === "true";
  return value;
}

function fmtErrors(ajv, errors) {
  return (errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}` +
    (e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""));
}

/**
 * Validates one response against the document.
 *   method            "GET", "post", ...
 *   pathTemplateOrConcretePath   "/api/v1/chains/{chainId}" or "/api/v1/chains/3b0e..." (or a full URL)
 *   status            the HTTP status (number or string)
 *   contentType       the Content-Type header of the response (may be null: then application/json, if documented)
 *   bodyJson          the parsed JSON body, or the text for non-JSON media types; undefined skips the body check
 *   headers           the response headers: a fetch Headers, a Map, or a plain object (names case-insensitive)
 * Returns { ok, errors: [string], operationId }.
 */
export function checkResponse(spec, method, pathTemplateOrConcretePath, status, contentType, bodyJson, headers) {
  const errors = [];
  const where = `${String(method).toUpperCase()} ${pathTemplateOrConcretePath} → ${status}`;
  const found = findOperation(spec, method, pathTemplateOrConcretePath);
  if (!found) return { ok: false, errors: [`${where}: no path in the document matches`], operationId: undefined };
  if (!found.operation) {
    return { ok: false, errors: [`${where}: ${found.path} has no ${found.method.toUpperCase()} operation`],
      operationId: undefined };
  }
  const op = found.operation;
  const opKeys = ["paths", found.path, found.method];
  const responses = op.responses ?? {};
  const code = String(status);
  const key = code in responses ? code : `${code[0]}XX` in responses ? `${code[0]}XX`
    : `${code[0]}xx` in responses ? `${code[0]}xx` : "default" in responses ? "default" : undefined;
  if (key === undefined) {
    return { ok: false, errors: [`${where}: status ${code} is not documented for ${op.operationId ?? found.path}`],
      operationId: op.operationId };
  }
  // Follow a $ref to components/responses, keeping the JSON pointer of where the response really is.
  let respKeys = [...opKeys, "responses", key];
  let resp = responses[key];
  for (let i = 0; resp && typeof resp.$ref === "string" && i < 32; i++) {
    respKeys = resp.$ref.slice(2).split("/").map((k) => decodeURIComponent(k).replaceAll("~1", "/").replaceAll("~0", "~"));
    resp = resolveRef(spec, resp.$ref);
  }
  if (!resp) return { ok: false, errors: [`${where}: response ${key} does not resolve`], operationId: op.operationId };

  // Body.
  const content = resp.content;
  const hasBody = bodyJson !== undefined && bodyJson !== null && bodyJson !== "";
  if (!content || Object.keys(content).length === 0) {
    if (hasBody) errors.push(`${where}: the response documents no body, but one was sent`);
  } else {
    let mediaKey;
    if (contentType) {
      mediaKey = matchMediaType(content, contentType);
      if (!mediaKey) {
        errors.push(`${where}: Content-Type ${contentType} is not documented (expected ${Object.keys(content).join(" or ")})`);
      }
    } else {
      mediaKey = "application/json" in content ? "application/json" : Object.keys(content)[0];
    }
    if (mediaKey && bodyJson !== undefined && content[mediaKey].schema !== undefined) {
      let v;
      try {
        v = validatorAt(spec, [...respKeys, "content", mediaKey, "schema"]);
      } catch (e) {
        errors.push(`${where}: the schema of ${mediaKey} does not compile: ${e.message}`);
      }
      if (v?.validate && !v.validate(bodyJson)) {
        for (const e of fmtErrors(v.ajv, v.validate.errors)) errors.push(`${where}: body ${e}`);
      }
    }
  }

  // Headers.
  const hm = headerMap(headers);
  for (const [name, h0] of Object.entries(resp.headers ?? {})) {
    if (name.toLowerCase() === "content-type") continue; // ignored by OpenAPI
    let hKeys = [...respKeys, "headers", name];
    let h = h0;
    for (let i = 0; h && typeof h.$ref === "string" && i < 32; i++) {
      hKeys = h.$ref.slice(2).split("/").map((k) => decodeURIComponent(k).replaceAll("~1", "/").replaceAll("~0", "~"));
      h = resolveRef(spec, h.$ref);
    }
    if (!h) {
      errors.push(`${where}: header ${name} does not resolve`);
      continue;
    }
    const value = hm.get(name.toLowerCase());
    if (value === undefined) {
      if (h.required) errors.push(`${where}: required header ${name} is missing`);
      continue;
    }
    if (h.schema) {
      const v = validatorAt(spec, [...hKeys, "schema"]);
      if (v.validate && !v.validate(coerceHeader(h.schema, value))) {
        for (const e of fmtErrors(v.ajv, v.validate.errors)) errors.push(`${where}: header ${name} ${e}`);
      }
    }
  }
  return { ok: errors.length === 0, errors, operationId: op.operationId };
}
