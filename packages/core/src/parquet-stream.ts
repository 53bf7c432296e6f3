import * as arrow from 'apache-arrow';
import * as parquet from 'parquet-wasm';
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { temporarySibling } from './atomic.js';
import { writerProperties } from './parquet.js';

/**
 * Write a Parquet file from record batches produced one at a time (`nextBatch` returns undefined
 * when done), so memory holds about one row group, never the table. Every batch must carry the
 * same schema, with `metadata` as its schema metadata. Atomic: written to a temporary sibling and
 * renamed at the end.
 */
export async function writeParquetStream(path: string, metadata: Map<string, string>, nextBatch: () => Promise<arrow.Table | undefined>, rowGroupSize: number): Promise<void> {
  const batches = new ReadableStream<parquet.RecordBatch>(
    {
      async pull(controller) {
        const table = await nextBatch();
        if (!table) {
          controller.close();
          return;
        }
        const wasmTable = parquet.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
        for (const batch of wasmTable.recordBatches()) controller.enqueue(batch);
        wasmTable.free(); // the batches keep their buffers; without this the wasm heap grows with the file
      },
    },
    { highWaterMark: 0 },
  );
  const temporary = temporarySibling(path);
  try {
    const bytes = await parquet.transformParquetStream(batches, writerProperties(metadata, rowGroupSize));
    await bytes.pipeTo(Writable.toWeb(createWriteStream(temporary)));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
