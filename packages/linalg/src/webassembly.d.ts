// The few WebAssembly JS API types the workspace uses (Node's own typings for Node 20 leave the
// global `WebAssembly` out; the DOM library has it but is not part of this Node-only build).
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: object);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
    grow(pages: number): number;
  }
}
