/* prova/tlog.h — prova's transparency log (docs/tlog.md), one include for all of it: the Merkle tree, proofs, tiles
 * and entry bundles (prova/merkle.h); the signed notes and their keys (prova/note.h); checkpoints, trust policies and
 * tlog-proof files (prova/checkpoint.h); the log's entries (prova/logentry.h). */
#ifndef PROVA_TLOG_H
#define PROVA_TLOG_H

#include "prova/checkpoint.h"
#include "prova/logentry.h"
#include "prova/merkle.h"
#include "prova/note.h"

#endif /* PROVA_TLOG_H */
