#!/usr/bin/env node
// openapi_lint.mjs FILE_OR_URL — checks that a document is a valid OpenAPI 3.1 description, and prova's house rules.
//
//   1. The document validates against the OpenAPI 3.1 schema (@seriousme/openapi-schema-validator, offline).
//   2. Every operation has a unique operationId, a summary and a description.
//   3. Every operation has at least one 4xx response, and every 4xx/5xx response has an application/json body
//      whose schema is the shared `#/components/schemas/Error`.
//   4. Every local $ref resolves; every {param} of a path template is declared as a path parameter and vice versa.
//   5. Every schema compiles with Ajv (JSON Schema 2020-12, strict), and every example validates against its schema.
//
// Exit status 0 when all pass, 1 with one line per problem otherwise, 2 on usage or I/O errors.
import { Validator } from "@seriousme/openapi-schema-validator";
import { loadSpec, makeAjv, resolveRef, METHODS, ERROR_REF } from "./oas_check.mjs";

const target = process.argv[2];
if (!target || process.argv.length > 3) {
  console.error("usage: openapi_lint.mjs FILE_OR_URL");
  process.exit(2);
}

let spec;
try {
  spec = await loadSpec(target);
} catch (e) {
  console.error(`openapi_lint: cannot load ${target}: ${e.message}`);
  process.exit(2);
}

const problems = [];

// 1. OpenAPI 3.1 schema.
if (typeof spec.openapi !== "string" || !spec.openapi.startsWith("3.1.")) {
  problems.push(`openapi is ${JSON.stringify(spec.openapi)}, not 3.1.x`);
}
const validator = new Validator({ strict: false });
const res = await validator.validate(structuredClone(spec));
if (!res.valid) {
  // errors is an array of Ajv errors, or a string (e.g. "Can't resolve #/components/schemas/X").
  const errs = typeof res.errors === "string" ? [res.errors] : res.errors ?? ["invalid (no details)"];
  for (const e of errs) {
    if (typeof e !== "object") problems.push(`schema: ${e}`);
    else problems.push(`schema: ${e.instancePath || "/"} ${e.message}${e.params ? " " + JSON.stringify(e.params) : ""}`);
  }
}

// 4a. Every local $ref resolves.
(function walk(node, at) {
  if (Array.isArray(node)) return node.forEach((v, i) => walk(v, `${at}/${i}`));
  if (!node || typeof node !== "object") return;
  if (typeof node.$ref === "string") {
    if (!node.$ref.startsWith("#/")) problems.push(`${at}: non-local $ref ${node.$ref}`);
    else if (resolveRef(spec, node.$ref) === undefined) problems.push(`${at}: unresolved $ref ${node.$ref}`);
  }
  for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`);
})(spec, "#");

const deref = (x) => {
  for (let i = 0; x && typeof x.$ref === "string" && i < 16; i++) x = resolveRef(spec, x.$ref);
  return x;
};

// 2, 3, 4b. Operations.
const opIds = new Map();
let nops = 0;
for (const [path, item] of Object.entries(spec.paths ?? {})) {
  const pathItem = deref(item) ?? {};
  const tmplParams = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  for (const method of METHODS) {
    const op = pathItem[method];
    if (!op) continue;
    nops++;
    const where = `${method.toUpperCase()} ${path}`;
    if (!op.operationId) problems.push(`${where}: no operationId`);
    else if (opIds.has(op.operationId)) problems.push(`${where}: operationId ${op.operationId} is also used by ${opIds.get(op.operationId)}`);
    else opIds.set(op.operationId, where);
    if (!op.summary) problems.push(`${where}: no summary`);
    if (!op.description) problems.push(`${where}: no description`);

    const params = [...(pathItem.parameters ?? []), ...(op.parameters ?? [])].map(deref);
    const declared = params.filter((p) => p?.in === "path").map((p) => p.name);
    for (const n of tmplParams) if (!declared.includes(n)) problems.push(`${where}: path parameter {${n}} is not declared`);
    for (const n of declared) if (!tmplParams.includes(n)) problems.push(`${where}: parameter ${n} is not in the path`);

    const responses = op.responses ?? {};
    let has4xx = false;
    for (const [status, r0] of Object.entries(responses)) {
      if (!/^[45]/.test(status)) continue;
      if (/^4/.test(status)) has4xx = true;
      const r = deref(r0);
      const schema = r?.content?.["application/json"]?.schema;
      // The MCP endpoint speaks JSON-RPC: its errors are JSON-RPC error replies by the protocol's rules.
      const jsonRpc = (op.tags ?? []).includes('mcp') && schema?.$ref === '#/components/schemas/JsonRpcReply';
      if (!jsonRpc && (!schema || schema.$ref !== ERROR_REF)) {
        problems.push(`${where}: response ${status} does not reference ${ERROR_REF}`);
      }
    }
    if (!has4xx) problems.push(`${where}: no 4xx response`);
    for (const [status, r0] of Object.entries(responses)) {
      const r = deref(r0);
      if (!r?.description) problems.push(`${where}: response ${status} has no description`);
      if (/^2/.test(status) && r && !r.content && status !== "204" && status !== "202") { // 202/204: no body
        problems.push(`${where}: response ${status} has no content`);
      }
    }
  }
}
if (nops === 0) problems.push("the document has no operations");

// 5. Schemas compile (strict) and examples validate.
let nexamples = 0;
const ajv = makeAjv(spec, { strict: true });
for (const name of Object.keys(spec.components?.schemas ?? {})) {
  try {
    ajv.getSchema(`${ajv.__oasId}#/components/schemas/${encodeURIComponent(name)}`);
  } catch (e) {
    problems.push(`components.schemas.${name}: ${e.message}`);
  }
}
(function examples(node, at) {
  if (Array.isArray(node)) return node.forEach((v, i) => examples(v, `${at}/${i}`));
  if (!node || typeof node !== "object" || at === "#/components/schemas") return;
  if (node.schema && typeof node.schema === "object" && ("example" in node || "examples" in node)) {
    const ptr = `${at}/schema`;
    let validate;
    try {
      validate = ajv.getSchema(`${ajv.__oasId}#${ptr.slice(1).split("/").map(encodeURIComponent).join("/")}`);
    } catch (e) {
      problems.push(`${ptr}: ${e.message}`);
    }
    const list = "example" in node ? [node.example] : Object.values(node.examples ?? {}).map((x) => deref(x)?.value);
    for (const ex of list) {
      if (validate && !validate(ex)) problems.push(`${at}: example does not validate: ${ajv.errorsText(validate.errors)}`);
      else if (validate) nexamples++;
    }
  }
  for (const [k, v] of Object.entries(node)) examples(v, `${at}/${k.replaceAll("~", "~0").replaceAll("/", "~1")}`);
})(spec, "#");

if (problems.length) {
  for (const p of problems) console.log(`openapi_lint: ${p}`);
  console.log(`openapi_lint: ${target}: ${problems.length} problem(s)`);
  process.exit(1);
}
console.log(`openapi_lint: ${target}: OpenAPI ${spec.openapi} valid, ${nops} operations, ` +
  `${Object.keys(spec.components?.schemas ?? {}).length} schemas, ${nexamples} examples, all house rules pass`);
