import type { TestProject } from 'vitest/node';
import { startServer } from '../helpers/real-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `ws://127.0.0.1:<port>/` of the real server the browser tests share. */
    serverUrl: string;
  }
}

/** Starts the real `@varstream/server` for the browser tests (each test uses its own document). */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const server = await startServer();
  project.provide('serverUrl', server.url);
  return () => server.close();
}
