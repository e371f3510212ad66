/* Internal to src/lib/verify, the top of the library: the dispatcher (verify.c) and the composition of the
 * wrappers with the documents they carry (wrappers.c). Not installed. */
#ifndef PROVA_VERIFY_INTERNAL_H
#define PROVA_VERIFY_INTERNAL_H

#include "prova/json.h"
#include "prova/report.h"
#include "prova/verify.h"

/* A DSSE envelope (kind "dsse_envelope"): its layers (interop), then the record in its Statement, verified like any
 * document. HMAC signatures verify under the proof records' HMAC key option (o->hmac_key_b64, or the public default
 * key with o->allow_default_hmac_key, which the report warns about). 0 or PROVA_ENOMEM. */
int prova__verify_dsse(const prova_json *env, const prova_verify_options *o, prova_report *r);

/* A structured CloudEvent (kind "cloudevent"): its attributes (prova_ce_unwrap), then the record in its data,
 * verified like any document; one report. 0 or PROVA_ENOMEM. */
int prova__verify_cloudevent(const prova_json *ev, const prova_verify_options *o, prova_report *r);

/* The log proofs a document carries ("tlog_proofs", logproof.c; docs/tlog.md "Proofs in exports"): one log_inclusion
 * check per proof when the options give a log key or a policy, a warning that they are unchecked otherwise, and
 * log_proof_missing (a warning, or a failed check with require_log_proof) for each logged record without one.
 * 0 or PROVA_ENOMEM. */
int prova__verify_log_proofs(const prova_json *root, const prova_verify_options *o, prova_report *r);

#endif
