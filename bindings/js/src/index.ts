// @prova/prova: the public exports (README.md lists the modules).
export const version = '0.1.0';
export * from './errors.js';
export * from './bytes.js';
export * from './json.js';
export * from './canon.js';
export * from './report.js';
export * from './crypto.js';
export { cid, cidOfBytes, signingString, parseTime, packEnvelope, verifyEnvelope, verifyEnvelopeInto, verifyOpeRoot,
  isEnvelope, isReceipt, isBundle, isFlatBundle, isChain, detect as detectOpe, DEFAULT_MAX_SKEW_S } from './ope.js';
export type { Dialect, OpeVerifyOptions, PackParams, EnvelopeInfo } from './ope.js';
export * from './verify.js';
