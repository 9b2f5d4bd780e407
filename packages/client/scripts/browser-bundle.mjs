// The esbuild settings of a browser bundle of the client, as the size
// script measures it and the bundle test checks it: one definition for both.
export const browserBundle = {
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  conditions: ['source'],
  write: false,
};
