import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ServerError } from '../errors.js';
import { describeFileError, errorCode } from './file-error.js';

/**
 * Makes `dir` ready to hold documents: creates it and its missing parents,
 * then checks that it is a directory this process can read and write.
 * Anything else is a `DATA_DIR` error naming the directory and the reason,
 * before the server listens (an unwritable directory would otherwise only
 * show at the first change, as journal failures closing every client).
 *
 * Parents are created one at a time, each at most twice: Node 20's
 * `mkdir(dir, { recursive: true })` never returns on a file system that
 * answers ENOENT for a directory whose parent exists (`/proc/x`).
 */
export async function prepareDataDir(dir: string): Promise<void> {
  const path = resolve(dir);
  try {
    await makeDirectory(path);
  } catch (err) {
    throw new ServerError(
      'DATA_DIR',
      `cannot create the data directory ${dir}: ${createFailure(err)}`,
      { cause: err },
    );
  }
  let directory: boolean;
  try {
    directory = (await stat(path)).isDirectory();
    if (directory) await access(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (err) {
    throw new ServerError(
      'DATA_DIR',
      `cannot write in the data directory ${dir}: ${createFailure(err)}`,
      { cause: err },
    );
  }
  if (!directory) throw new ServerError('DATA_DIR', `the data directory ${dir} is not a directory`);
}

/** `mkdir -p`, bounded by the depth of `path`. */
async function makeDirectory(path: string): Promise<void> {
  try {
    await mkdir(path);
    return;
  } catch (err) {
    if (errorCode(err) === 'EEXIST') return;
    if (errorCode(err) !== 'ENOENT' || dirname(path) === path) throw err;
  }
  await makeDirectory(dirname(path));
  try {
    await mkdir(path); // ENOENT again, its parent there: this file system refuses it
  } catch (err) {
    if (errorCode(err) !== 'EEXIST') throw err;
  }
}

function createFailure(err: unknown): string {
  // ENOENT while creating: a parent the file system will not make (Node 20's recursive mkdir loops there).
  return errorCode(err) === 'ENOENT'
    ? 'this file system does not allow it'
    : describeFileError(err);
}
