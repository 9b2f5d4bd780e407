import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from './wait.js';

export const CLI = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  'dist',
  'cli',
  'main.js',
);

export interface RunningCli {
  readonly child: ChildProcess;
  /** `ws://127.0.0.1:<port>/` */
  readonly url: string;
  /** `http://127.0.0.1:<port>` */
  readonly http: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string>;
}

/** Starts the built `varstream-server` and waits for the URL it prints. */
export async function startCli(args: readonly string[]): Promise<RunningCli> {
  const child = spawn(process.execPath, [CLI, '--port', '0', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<number | string>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const banner = /listening on (ws:\/\/[^ ]+\/)/;
  await until(() => banner.test(out) || banner.test(err) || done, 'the CLI to listen', 15_000);
  const match = banner.exec(out) ?? banner.exec(err);
  if (match === null) throw new Error(`The CLI did not start:\n${out}\n${err}`);
  const url = match[1]!;
  return {
    child,
    url,
    http: url.replace(/^ws/, 'http').replace(/\/$/, ''),
    stdout: () => out,
    stderr: () => err,
    exited,
  };
}
