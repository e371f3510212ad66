// @prova/prova: the public exports (README.md lists the modules).
export const version = '0.1.0';
export * from './errors.js';
export * from './bytes.js';
export * from './json.js';
export * from './canon.js';
export * from './report.js';
