export * from './base.js';
export { writeParquetStream } from './parquet-stream.js';
export { tableToParquet, parquetToTable, writerProperties, writeParquetFile, readArtifact, readArtifactHeader, artifactHeader } from './parquet.js';
export { makeTable, featureVector, featureType, readFeatureColumn, columnValues } from './table.js';
export type { ColumnInput } from './table.js';
