// @abs/backend-js — the reference backend: plain TypeScript over typed arrays.
export { type JsBackendOptions, jsBackend } from './js-backend';
