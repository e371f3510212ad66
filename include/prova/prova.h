/* prova/prova.h — the whole public API in one include: `#include <prova/prova.h>`.
 *
 * Every public header of include/prova/ is included here (tests/abi/ checks that none is missing and that the result
 * parses as plain C for other languages' bindings: `cc -E -std=c99 -DPROVA_NO_ATTRIBUTES`). Including a single
 * module's header (prova/json.h, prova/ope.h, ...) keeps working. The ABI rules, the naming scheme and how
 * bindings find sizes and limits at run time: docs/api.md.
 *
 * Example:
 *     #include <prova/prova.h>
 *     printf("compiled against %s, running %s\n", PROVA_VERSION_STRING, prova_version());
 */
#ifndef PROVA_PROVA_H
#define PROVA_PROVA_H

#include "common.h"
#include "prova/version.h"

#include "compress.h"

#include "encoding.h"
#include "json.h"
#include "jsonl.h"
#include "report.h"
#include "time.h"
#include "uuid.h"

#include "checkpoint.h"
#include "crypto.h"
#include "keyset.h"
#include "note.h"

#include "merkle.h"
#include "tlog.h"

#include "verify.h"

#include "oe.h"
#include "ope.h"
#include "proof.h"
#include "redact.h"
#include "sft.h"

#include "logentry.h"

#include "cloudevents.h"
#include "interop.h"
#include "intoto.h"
#include "lineage.h"
#include "openlineage.h"
#include "rocrate.h"
#include "zip.h"

#include "store.h"

#endif /* PROVA_PROVA_H */
