import type { BuildOptions } from 'esbuild';

/** The esbuild settings of a browser bundle of the client. */
export declare const browserBundle: BuildOptions & { write: false };
