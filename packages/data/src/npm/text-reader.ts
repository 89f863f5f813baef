/**
 * Incremental reading of a large ASCII file: the text grows chunk by chunk (256 KiB, doubling
 * to 8 MiB) only when the parser asks for more, and the parser may drop what it has consumed.
 */
import type { FileHandle } from 'node:fs/promises';

/** The file as latin1 text, read in growing chunks (256 KiB doubling to 8 MiB) on demand. */
export interface TextReader {
  text: string;
  /** Appends the next chunk; false at the end of the file. */
  more(): Promise<boolean>;
}

export function textReader(handle: FileHandle): TextReader {
  let chunk = 1 << 18;
  const reader: TextReader = {
    text: '',
    async more() {
      const buffer = Buffer.allocUnsafe(chunk);
      const { bytesRead } = await handle.read(buffer, 0, chunk, null);
      if (bytesRead === 0) return false;
      reader.text += buffer.toString('latin1', 0, bytesRead);
      chunk = Math.min(chunk * 2, 1 << 23);
      return true;
    },
  };
  return reader;
}
