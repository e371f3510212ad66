/* prova/tlog.h — prova's transparency log (docs/tlog.md): the Merkle tree, proofs, tiles and entry bundles
 * (prova/merkle.h); the signed notes and checkpoints join it here. */
#ifndef PROVA_TLOG_H
#define PROVA_TLOG_H

#include "prova/merkle.h"

#endif /* PROVA_TLOG_H */
