import wabtModule from 'wabt';

/** kernels.wat → WebAssembly bytes (SIMD enabled, no debug names: the bytes depend only on the source). */
export async function compileKernels(source) {
  const wabt = await wabtModule();
  const module = wabt.parseWat('kernels.wat', source, { simd: true });
  try {
    module.validate();
    return new Uint8Array(module.toBinary({ write_debug_names: false }).buffer);
  } finally {
    module.destroy();
  }
}
