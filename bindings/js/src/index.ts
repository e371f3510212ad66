// @prova/prova: the public exports (README.md lists the modules).
export const version = '0.1.0';
export * from './errors.js';
export * from './bytes.js';
export * from './json.js';
export * from './canon.js';
export * from './report.js';
export * from './crypto.js';
export { cid, cidOfBytes, signingString, parseTime, packEnvelope, verifyEnvelope, verifyEnvelopeInto, verifyOpeRoot,
  isEnvelope, isReceipt, isBundle, isFlatBundle, isChain, detect as detectOpe, DEFAULT_MAX_SKEW_S, buildReceipt, buildBundle,
  verifyReceiptInto, verifyChainInto, verifyBundleInto, verifyOpeLines, isLiteReceipt, ReceiptChain, CHAIN_DETAIL } from './ope.js';
export type { Dialect, OpeVerifyOptions, PackParams, EnvelopeInfo, ReceiptParams, BundleForm } from './ope.js';
export * from './verify.js';
export { PROOF_DEFAULT_KEY, parseProof, isProof, proofBody, proofId, proofSign, proofKeyDecode, verifyProof,
  pyIsoformat } from './proof.js';
export type { ProofSignOptions, ProofVerifyOptions, ReportLike } from './proof.js';
export { dssePae, dsseSign, intotoStatement, statementRecord, verifyDsse, INTOTO_STATEMENT_V1, DSSE_INTOTO_PAYLOAD_TYPE,
  INTOTO_OPHAMIN_PREDICATE_V1, INTOTO_OPE_PREDICATE_V1, INTOTO_OE_PREDICATE_V1 } from './dsse.js';
export type { DsseSigner, DsseVerifyOptions, DsseHooks, RecordInfo } from './dsse.js';
export { oeHashLookup, oeGenesis, oeTimestamp, oeTimeFormat, oeEventInput, oeEventHash, oeChainHash, oeLink, verifyOe,
  verifyOeLines, OeChainChecker, oeSigDecode, oeKeyParse, oeMerkleRoot, oeAttestation, oeStatusSigningInput, oeChainNew,
  oeEventBuild, oeChainAppend, oeChainResolve, oeCertify, oeSetStatus } from './oe.js';
export type { OeVerifyOptions, OeChainParams, OeEventParams, OeCertParams, OeStatusParams } from './oe.js';
