#!/usr/bin/env node
// A tiny static server for the browser example: the page, tfjs and its wasm backend from
// node_modules, and an exported model folder. Everything is local; nothing is fetched from the network.
//
//   node examples/browser/serve.mjs [--model artifacts/export/model] [--port 8080] [--host 127.0.0.1]
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const packageDist = (name) => join(dirname(require.resolve(`${name}/package.json`)), 'dist');

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.bin': 'application/octet-stream' };

/** URL path → file, or undefined (404). Only these files are served. */
function routes(modelDir) {
  const tfjs = packageDist('@tensorflow/tfjs');
  const wasm = packageDist('@tensorflow/tfjs-backend-wasm');
  const fixed = {
    '/': join(here, 'index.html'),
    '/index.html': join(here, 'index.html'),
    '/classify.js': join(here, 'classify.js'),
    '/vendor/tf.min.js': join(tfjs, 'tf.min.js'),
    '/vendor/tf-backend-wasm.min.js': join(wasm, 'tf-backend-wasm.min.js'),
  };
  return (path) => {
    if (fixed[path]) return fixed[path];
    const wasmFile = /^\/vendor\/(tfjs-backend-wasm(-simd|-threaded-simd)?\.wasm)$/.exec(path);
    if (wasmFile) return join(wasm, wasmFile[1]);
    const modelFile = /^\/model\/([A-Za-z0-9_.-]+)$/.exec(path);
    if (modelFile && basename(modelFile[1]) === modelFile[1] && !modelFile[1].startsWith('.')) return join(modelDir, modelFile[1]);
    return undefined;
  };
}

/** Start the server; resolves with its URL and a `close` function. Port 0 picks a free port. */
export async function startServer({ modelDir = resolve('artifacts/export/model'), port = 8080, host = '127.0.0.1' } = {}) {
  // The page runs tfjs: an ONNX export (backbone imported from TFLite) has no model.json to serve.
  const metadata = JSON.parse(await readFile(join(resolve(modelDir), 'metadata.json'), 'utf8').catch(() => '{}'));
  if (metadata.format === 'onnx') throw new Error(`${modelDir} is an ONNX export (its backbone was imported from TFLite): the browser page runs tfjs models; export with a bundled backbone, or run it with \`graft predict\``);
  const fileOf = routes(resolve(modelDir));
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const file = request.method === 'GET' || request.method === 'HEAD' ? fileOf(path) : undefined;
    try {
      if (!file) throw Object.assign(new Error('not found'), { code: 'ENOENT' });
      const body = await readFile(file);
      response.writeHead(200, { 'content-type': TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-cache' });
      response.end(request.method === 'HEAD' ? undefined : body);
    } catch (error) {
      response.writeHead(error.code === 'ENOENT' ? 404 : 500, { 'content-type': 'text/plain' });
      response.end(error.code === 'ENOENT' ? `not found: ${path}\n` : 'server error\n');
    }
  });
  await new Promise((done, fail) => server.once('error', fail).listen(port, host, done));
  const address = server.address();
  return { url: `http://${host}:${address.port}/`, close: () => new Promise((done) => server.close(done)) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { values } = parseArgs({ options: { model: { type: 'string', default: 'artifacts/export/model' }, port: { type: 'string', default: '8080' }, host: { type: 'string', default: '127.0.0.1' } } });
  const { url } = await startServer({ modelDir: values.model, port: Number(values.port), host: values.host });
  process.stdout.write(`Graft browser example: open ${url} (model from ${resolve(values.model)}; Ctrl-C to stop)\n`);
}
