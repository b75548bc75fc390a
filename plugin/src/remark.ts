/** The remark adapter's former path; it lives in adapters/remark.ts. */
export { default, figureNodes, type RemarkMemtraceOptions } from './adapters/remark.ts';
