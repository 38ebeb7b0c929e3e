// The shape every format reader has: one reader per format, content first, names only break ties.
import type { FileSource } from '../io/fileSource';
import type { FileReport, Format, Role } from '../types';

/** What a reader gets: the file's path, size, first bytes and access to it (and its siblings). */
export interface ReaderInput {
  path: string;
  size: number;
  /** The first bytes of the file (up to HEAD_BYTES). */
  head: Uint8Array;
  source: FileSource;
}

/** How many bytes of each file are read for sniffing. */
export const HEAD_BYTES = 4096;

/** What a reader returns: the parts of the file's report it knows. */
export type ReaderResult = Pick<FileReport, 'role' | 'format'> &
  Partial<Pick<FileReport, 'scaler' | 'model' | 'weights' | 'log' | 'pickle' | 'shards' | 'error' | 'foreign' | 'torch' | 'sideFiles' | 'pythonCode'>>;

/** Common part of both reader kinds. */
interface ReaderBase {
  /** Short name for messages and docs. */
  readonly name: string;
  /** Formats this reader can produce; the first is used when it throws. */
  readonly formats: readonly Format[];
  /** Role given to a file this reader claimed but could not read (a broken model stays a model). */
  readonly fallbackRole: Role;
}

/**
 * A reader for a binary or text format, chosen by its first bytes (`sniff`). `read` either returns
 * a result (with `error` set when it knows the role and format but the content is bad) or throws a
 * ReadError.
 */
export interface BinaryReader extends ReaderBase {
  readonly kind: 'binary';
  sniff(head: Uint8Array, path: string): boolean;
  read(input: ReaderInput): Promise<ReaderResult>;
}

/**
 * A reader for a JSON format: the dispatcher parses the JSON once and offers the value to each
 * JSON reader in turn (`sniffJson` looks at its shape; the name only breaks ties).
 */
export interface JsonReader extends ReaderBase {
  readonly kind: 'json';
  sniffJson(value: unknown, path: string): boolean;
  readJson(value: unknown, input: ReaderInput): Promise<ReaderResult>;
}

/** Any format reader. */
export type FormatReader = BinaryReader | JsonReader;
