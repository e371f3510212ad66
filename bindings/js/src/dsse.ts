// DSSE v1 and in-toto Statement v1 (docs/intoto.md; src/lib/interop/intoto.c, src/lib/verify/wrappers.c): PAE,
// signing (a private key, or HMAC-SHA256 as the Ophamin reference does), the Statement around a record, and the
// verification of an envelope: its signatures, its Statement, then the record inside (verified as verify() would
// verify it alone; the caller passes that function in, so that this module never imports the dispatcher).

import { ProvaError } from './errors.js';
import { parse, isJsonObject } from './json.js';
import type { Json, JsonObject } from './json.js';
import { canonicalize, canonicalString, quote } from './canon.js';
import { fromBase64, toBase64, utf8Encode, utf8Decode, concatBytes } from './bytes.js';
import { Key, KeySet, hmacSha256, ctEqual } from './crypto.js';
import { proofBody, proofId, proofKeyDecode, isProof, PROOF_DEFAULT_KEY } from './proof.js';
import type { ReportLike } from './proof.js';
import { Report } from './report.js';

export const INTOTO_STATEMENT_V1 = 'https://in-toto.io/Statement/v1';
export const DSSE_INTOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const INTOTO_OPHAMIN_PREDICATE_V1 = 'https://github.com/IdirBenSlama/Ophamin/blob/main/SCHEMAS.md#empirical-proof-record-v1';
export const INTOTO_OPE_PREDICATE_V1 = 'urn:prova:predicate:ope:v1';
export const INTOTO_OE_PREDICATE_V1 = 'urn:prova:predicate:openexecution:v1';

/** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body (lengths in bytes). */
export function dssePae(payloadType: string | Uint8Array, payload: Uint8Array | string): Uint8Array {
    const t = typeof payloadType === 'string' ? utf8Encode(payloadType) : payloadType;
    const p = typeof payload === 'string' ? utf8Encode(payload) : payload;
    return concatBytes(utf8Encode(`DSSEv1 ${t.length} `), t, utf8Encode(` ${p.length} `), p);
}

export type DsseSigner = { key: Key } | { hmacKey: Uint8Array; keyid?: string };

/** prova_dsse_sign: {"payloadType", "payload" (standard base64), "signatures":[{"keyid","sig"}]} as text. */
export async function dsseSign(payloadType: string, payload: Uint8Array | string, signers: DsseSigner[]): Promise<string> {
    if (signers.length === 0) throw new ProvaError('dsse_no_signer', 'a DSSE envelope needs a signer');
    for (const s of signers)
        if ('hmacKey' in s ? s.hmacKey.length === 0 : !(s.key instanceof Key))
            throw new ProvaError('dsse_signer_invalid', 'a signer needs exactly one of a private key and a non-empty HMAC key');
    if (payloadType === '' || /[\ud800-\udfff]/.test(payloadType.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
        throw new ProvaError('dsse_payload_type_invalid', 'payloadType must be non-empty UTF-8');
    const p = typeof payload === 'string' ? utf8Encode(payload) : payload;
    const pae = dssePae(payloadType, p);
    const sigs: string[] = [];
    for (const s of signers) {
        let sig: Uint8Array;
        let keyid: string;
        if ('hmacKey' in s) {
            sig = await hmacSha256(s.hmacKey, pae);
            keyid = s.keyid ?? '';
        } else {
            if (!s.key.isPrivate) throw new ProvaError('dsse_key_not_private', 'a DSSE signing key must be a private key');
            sig = await s.key.sign(pae);
            keyid = s.key.kid;
        }
        sigs.push(`{"keyid":${quote(keyid, 'ophamin')},"sig":"${toBase64(sig)}"}`);
    }
    return `{"payloadType":${quote(payloadType, 'ophamin')},"payload":"${toBase64(p)}","signatures":[${sigs.join(',')}]}`;
}

// ---- records inside Statements ------------------------------------------------------------------------------

/** What prova_record_describe says of a record: family, kind, content address. */
export interface RecordInfo {
    family: 'ope' | 'oe' | 'proof';
    kind: string;
    digestAlg: string;
    digest: string;
    name: string;
}

/** Describes a record the caller knows (OPE records: ope.ts), or returns null to let this module try proof and
 *  OpenExecution records. Throws ProvaError record_* when it is one but cannot be described. */
export type Describer = (record: Json) => Promise<RecordInfo | null>;

export interface DsseHooks {
    /** Verifies the record inside as verify() would on its own. */
    verifyInner?: (record: Uint8Array, options: DsseVerifyOptions) => Promise<Report>;
    /** Describes OPE/OE records (the dispatcher's table); proof records are described here. */
    describe?: Describer;
}

async function describeRecord(record: Json, hooks: DsseHooks): Promise<RecordInfo> {
    if (hooks.describe) {
        const d = await hooks.describe(record);
        if (d) return d;
    }
    if (isProof(record)) {
        const id = await proofId(record);
        const wire = (record as JsonObject)['proof_id'];
        if (wire !== undefined && wire !== id)
            throw new ProvaError('record_digest_mismatch', "proof_id is not the SHA-256 of the record's canonical body", { pointer: '/proof_id' });
        return { family: 'proof', kind: 'proof_record', digestAlg: 'sha256', digest: id, name: `empirical-proof-record-${id.slice(0, 16)}` };
    }
    throw new ProvaError('record_unknown_kind', 'not a record prova exports: expected an OPE envelope, receipt, receipt chain or bundle, an OpenExecution bundle or resolved chain record, or an Ophamin proof record', { pointer: '' });
}

/** prova_intoto_statement: the in-toto Statement v1 of a record, as text. */
export async function intotoStatement(record: Json, subjectName?: string, hooks: DsseHooks = {}): Promise<string> {
    const info = await describeRecord(record, hooks);
    const name = subjectName ?? info.name;
    if (info.family === 'proof') {
        const rec = record as JsonObject;
        const sig = rec['signature'];
        if (typeof sig !== 'string' || sig === '') throw new ProvaError('intoto_unsigned', 'an unsigned proof record has no in-toto Statement (sign it first)');
        const pid = rec['proof_id'];
        if (typeof pid !== 'string' || !/^[0-9a-f]{64}$/.test(pid)) throw new ProvaError('intoto_proof_id_invalid', 'proof_id must be 64 lowercase hex digits');
        const sv = rec['schema_version'];
        return `{"_type":"${INTOTO_STATEMENT_V1}","predicate":{"body":${utf8Decode(proofBody(rec))},"ophamin_version":"${PROVA_VERSION}","schema_version":${sv === undefined ? 'null' : canonicalString(sv, 'ophamin')},"signature":${canonicalString(sig, 'ophamin')}},"predicateType":"${INTOTO_OPHAMIN_PREDICATE_V1}","subject":[{"digest":{"sha256":${quote(info.digest, 'ophamin')}},"name":${quote(name, 'ophamin')}}]}`;
    }
    const p = info.family === 'oe' ? 'jcs' : 'ope';
    const ptype = info.family === 'oe' ? INTOTO_OE_PREDICATE_V1 : INTOTO_OPE_PREDICATE_V1;
    return `{"_type":"${INTOTO_STATEMENT_V1}","predicate":{"kind":${quote(info.kind, p)},"record":${canonicalString(record, p)}},"predicateType":"${ptype}","subject":[{"digest":{${quote(info.digestAlg, p)}:${quote(info.digest, p)}},"name":${quote(name, p)}}]}`;
}

/** The version string the C library writes as ophamin_version in proof Statements. */
export const PROVA_VERSION = '0.1.0';

// ---- verification ---------------------------------------------------------------------------------------------

export interface DsseVerifyOptions {
    keys?: KeySet | null;
    hmacKeyB64?: string | null;
    allowDefaultHmacKey?: boolean;
    /** expected payloadType (default application/vnd.in-toto+json) */
    payloadType?: string;
    [k: string]: unknown;
}

/** prova__dsse_detect: an object with payloadType, payload and signatures. */
export function isDsse(doc: unknown): boolean {
    return isJsonObject(doc as Json) && 'payloadType' in (doc as object) && 'payload' in (doc as object) && 'signatures' in (doc as object);
}

function envelopeSchema(env: Json): { why: string; at: string } | null {
    if (!isJsonObject(env)) return { at: '', why: 'a DSSE envelope must be a JSON object' };
    if (typeof env['payloadType'] !== 'string') return { at: '/payloadType', why: 'payloadType must be a string' };
    if (typeof env['payload'] !== 'string') return { at: '/payload', why: 'payload must be a string' };
    const sigs = env['signatures'];
    if (!Array.isArray(sigs) || sigs.length === 0) return { at: '/signatures', why: 'signatures must be a non-empty array' };
    for (let i = 0; i < sigs.length; i++) {
        const s = sigs[i];
        if (!isJsonObject(s) || typeof s['sig'] !== 'string' || ('keyid' in s && typeof s['keyid'] !== 'string'))
            return { at: `/signatures/${i}`, why: 'each signature must be an object with a string sig and an optional string keyid' };
    }
    return null;
}

async function verifySignatures(env: JsonObject, pae: Uint8Array, keys: KeySet | null, hmacKey: Uint8Array | null, r: ReportLike): Promise<void> {
    const sigs = env['signatures'] as JsonObject[];
    const hmac = hmacKey ? await hmacSha256(hmacKey, pae) : null;
    const unknown: boolean[] = [];
    let verified = 0;
    for (let i = 0; i < sigs.length; i++) {
        const s = sigs[i]!;
        const name = `dsse.signatures[${i}]`, at = `/signatures/${i}/sig`;
        const kid = typeof s['keyid'] === 'string' ? (s['keyid'] as string) : '';
        const kidClean = !kid.includes('\0');
        unknown.push(false);
        let sig: Uint8Array;
        try {
            sig = fromBase64(s['sig'] as string);
        } catch (e) {
            r.addCheck(name, false, 'dsse_sig_base64', at, `sig is not standard base64 with padding (offset ${(e as ProvaError).offset ?? 0})`);
            continue;
        }
        if (sig.length > 139) {
            r.addCheck(name, false, 'dsse_signature_invalid', at, 'sig is longer than any supported signature');
            continue;
        }
        const found = keys && kidClean && kid ? keys.findWithSource(kid) : null;
        if (found) {
            const ok = await found.key.verify(pae, sig);
            if (ok) {
                r.addCheck(name, true, 'ok', at, `${found.key.alg} signature by ${found.key.kid} verifies over PAE`);
                r.addKey?.(found.key.kid, found.source);
                verified++;
            } else r.addCheck(name, false, 'dsse_signature_invalid', at, `the ${found.key.alg} signature by ${found.key.kid} does not verify over PAE(payloadType, payload)`);
            continue;
        }
        if (hmac) {
            if (sig.length === 32 && ctEqual(sig, hmac)) {
                r.addCheck(name, true, 'ok', at, 'HMAC-SHA256 over PAE verifies under the HMAC key');
                verified++;
                continue;
            }
            if (!kid) {
                r.addCheck(name, false, 'dsse_signature_invalid', at, 'the signature does not verify as HMAC-SHA256 over PAE under the HMAC key');
                continue;
            }
        }
        unknown[i] = true;
    }
    for (let i = 0; i < sigs.length; i++) {
        if (!unknown[i]) continue;
        const kid = typeof sigs[i]!['keyid'] === 'string' ? (sigs[i]!['keyid'] as string) : '';
        const at = `/signatures/${i}/keyid`;
        if (verified) r.addWarning('dsse_keyid_unknown', at, `signature ${i} (keyid "${kid}") was skipped: no key for it`);
        else
            r.addCheck(`dsse.signatures[${i}]`, false, 'dsse_keyid_unknown', at,
                `no trusted key has keyid "${kid.slice(0, 80)}"; ${(keys ?? new KeySet()).describe()}${hmac ? '; nor is it an HMAC-SHA256 signature under the HMAC key' : ''}`);
    }
    if (verified) r.addCheck('dsse.signatures', true, 'ok', '/signatures', `${verified} of ${sigs.length} signatures verify`);
    else r.addCheck('dsse.signatures', false, 'dsse_no_valid_signature', '/signatures', `no signature verifies (${sigs.length} given)`);
}

function predicateFamily(pt: Json | undefined): RecordInfo['family'] | null {
    if (pt === INTOTO_OPHAMIN_PREDICATE_V1) return 'proof';
    if (pt === INTOTO_OPE_PREDICATE_V1) return 'ope';
    if (pt === INTOTO_OE_PREDICATE_V1) return 'oe';
    return null;
}

const OUTSIDE = new Set(['signature', 'proof_id', 'attestation']);

/** prova_intoto_record: the record a Statement carries, as canonical text (proof: rebuilt from predicate.body). */
export function statementRecord(st: Json): { family: RecordInfo['family']; record: Uint8Array } {
    const fail = (code: string, msg: string, pointer: string): never => {
        throw new ProvaError(code, msg, { pointer });
    };
    if (!isJsonObject(st)) fail('intoto_schema', 'an in-toto Statement must be a JSON object', '');
    const s = st as JsonObject;
    if (s['_type'] !== INTOTO_STATEMENT_V1) fail('intoto_type', `_type must be "${INTOTO_STATEMENT_V1}"`, '/_type');
    const subj = s['subject'];
    let subjOk = Array.isArray(subj) && subj.length > 0;
    if (subjOk)
        for (const e of subj as Json[]) {
            const d = isJsonObject(e) ? e['digest'] : undefined;
            subjOk = subjOk && isJsonObject(d) && Object.values(d).every((v) => typeof v === 'string');
        }
    if (!subjOk) fail('intoto_schema', 'subject must be a non-empty array of {name, digest: {alg: hex}}', '/subject');
    const fam = predicateFamily(s['predicateType']);
    if (!fam)
        fail('intoto_predicate_type', 'predicateType is not one prova knows (the Ophamin proof record, urn:prova:predicate:ope:v1, urn:prova:predicate:openexecution:v1)', '/predicateType');
    const pred = s['predicate'];
    const predO = isJsonObject(pred) ? pred : (Object.create(null) as JsonObject);
    if (fam === 'proof') {
        const body = predO['body'], sig = predO['signature'];
        const d0 = (subj as JsonObject[])[0]!['digest'] as JsonObject;
        const pid = d0['sha256'];
        let ok = isJsonObject(body) && typeof sig === 'string' && pid !== undefined;
        if (ok) for (const k of Object.keys(body as JsonObject)) if (OUTSIDE.has(k)) ok = false;
        if (!ok)
            fail('intoto_schema', 'the Ophamin predicate needs an object body (without proof_id, signature or attestation), a string signature and a sha256 subject digest', '/predicate');
        // {"proof_id": pid, body members (canonical order), "signature": sig}
        const b = body as JsonObject;
        let text = `{"proof_id":${canonicalString(pid, 'ophamin')}`;
        const bodyText = utf8Decode(canonicalize(b, 'ophamin'));
        if (bodyText.length > 2) text += ',' + bodyText.slice(1, -1);
        text += `,"signature":${canonicalString(sig, 'ophamin')}}`;
        return { family: fam, record: utf8Encode(text) };
    }
    const rec = predO['record'];
    if (rec === undefined || typeof predO['kind'] !== 'string') fail('intoto_schema', 'the predicate must be {"kind": string, "record": the record}', '/predicate');
    try {
        return { family: fam!, record: canonicalize(rec, fam === 'oe' ? 'jcs' : 'ope') };
    } catch (e) {
        if (e instanceof ProvaError) throw new ProvaError(e.code, e.message, { pointer: '/predicate/record' + (e.pointer ?? '') });
        throw e;
    }
}

async function verifyStatement(payload: Uint8Array, hooks: DsseHooks, r: ReportLike): Promise<Uint8Array | null> {
    let st: Json;
    try {
        st = parse(payload, { allowNonfinite: true, allowLoneSurrogates: true });
    } catch (e) {
        const pe = e as ProvaError;
        r.addCheck('intoto.statement', false, 'intoto_json', pe.pointer ?? '', `the payload is not JSON: ${pe.message} at line ${pe.line ?? 0}, column ${pe.column ?? 0}`);
        return null;
    }
    r.addCheck('intoto.statement', true, 'ok', '', 'the payload is JSON');
    let fam: RecordInfo['family'];
    let rec: Uint8Array;
    try {
        ({ family: fam, record: rec } = statementRecord(st));
    } catch (e) {
        if (!(e instanceof ProvaError)) throw e;
        const check = e.code === 'intoto_type' ? 'intoto._type' : e.code === 'intoto_predicate_type' ? 'intoto.predicateType' : e.code === 'intoto_schema' ? 'intoto.schema' : 'intoto.record';
        r.addCheck(check, false, e.code.startsWith('intoto_') ? e.code : 'intoto_record', e.pointer ?? '', e.message);
        return null;
    }
    r.addCheck('intoto._type', true, 'ok', '/_type', `_type is ${INTOTO_STATEMENT_V1}`);
    const s = st as JsonObject;
    let info: RecordInfo | null = null;
    try {
        const rdoc = parse(rec, { allowNonfinite: true, allowLoneSurrogates: true });
        info = await describeRecord(rdoc, hooks);
    } catch (e) {
        if (!(e instanceof ProvaError)) throw e;
        if (fam === 'proof' && e.code === 'record_digest_mismatch')
            r.addCheck('intoto.subject', false, 'intoto_subject_digest', '/subject/0/digest/sha256', 'the subject digest is not the proof_id of predicate.body (SHA-256 of its canonical bytes)');
        else r.addCheck('intoto.record', false, 'intoto_record', '/predicate', `the predicate does not hold a record prova knows: ${e.message} (${e.code})`);
    }
    if (info) {
        const famOk = info.family === fam;
        r.addCheck('intoto.predicateType', famOk, famOk ? 'ok' : 'intoto_predicate_type', '/predicateType',
            famOk ? `the predicateType is the one of a ${info.kind} record` : `the predicateType is not the one of a ${info.kind} record`);
        if (fam !== 'proof') {
            const pred = s['predicate'] as JsonObject;
            const kindOk = pred['kind'] === info.kind;
            r.addCheck('intoto.predicate.kind', kindOk, kindOk ? 'ok' : 'intoto_predicate_kind', '/predicate/kind', `predicate.kind ${kindOk ? 'is' : 'is not'} the record's kind ${info.kind}`);
        }
        const subj = s['subject'] as JsonObject[];
        const found = subj.some((e) => (e['digest'] as JsonObject)[info!.digestAlg] === info!.digest);
        r.addCheck('intoto.subject', found, found ? 'ok' : 'intoto_subject_digest', '/subject',
            `${found ? 'a' : 'no'} subject digest is the record's content address ${info.digestAlg}:${info.digest}`);
    }
    return rec;
}

/** prova__verify_dsse: kind dsse_envelope; the envelope's layers, then the record inside (hooks.verifyInner). */
export async function verifyDsse(env: Json, o: DsseVerifyOptions, r: ReportLike & { append?(other: Report): unknown }, hooks: DsseHooks = {}): Promise<void> {
    r.setKind?.('dsse_envelope');
    let key: Uint8Array | null = null;
    let isDefault = false;
    if (typeof o.hmacKeyB64 === 'string') {
        try {
            const d = proofKeyDecode(o.hmacKeyB64);
            key = d.key;
            isDefault = d.isDefault;
        } catch {
            key = null;
        }
    } else if (o.allowDefaultHmacKey) {
        key = utf8Encode(PROOF_DEFAULT_KEY);
        isDefault = true;
    }
    const bad = envelopeSchema(env);
    if (bad) {
        r.addCheck('dsse.schema', false, 'dsse_schema', bad.at, bad.why);
    } else {
        const e = env as JsonObject;
        r.addCheck('dsse.schema', true, 'ok', '', 'the envelope has payloadType, payload and signatures');
        const expected = o.payloadType ?? DSSE_INTOTO_PAYLOAD_TYPE;
        const pt = e['payloadType'] as string;
        const ptOk = pt === expected;
        r.addCheck('dsse.payloadType', ptOk, ptOk ? 'ok' : 'dsse_payload_type', '/payloadType', `payloadType ${ptOk ? 'is' : 'is not the expected'} "${expected}"`);
        let payload: Uint8Array | null = null;
        try {
            payload = fromBase64(e['payload'] as string);
            r.addCheck('dsse.payload', true, 'ok', '/payload', `payload is ${payload.length} bytes of base64`);
        } catch (err) {
            r.addCheck('dsse.payload', false, 'dsse_payload_base64', '/payload', `payload is not standard base64 with padding (offset ${(err as ProvaError).offset ?? 0})`);
        }
        if (payload) {
            await verifySignatures(e, dssePae(pt, payload), o.keys ?? null, key, r);
            if (ptOk && pt === DSSE_INTOTO_PAYLOAD_TYPE) {
                const rec = await verifyStatement(payload, hooks, r);
                if (rec && rec.length && hooks.verifyInner) {
                    const inner = await hooks.verifyInner(rec, o);
                    if (r.append) r.append(inner);
                }
            }
        }
    }
    if (key && isDefault)
        r.addWarning('dsse_default_key', '', `HMAC signatures were checked under the public default key "${PROOF_DEFAULT_KEY}": a match proves integrity against accidents only`);
}
