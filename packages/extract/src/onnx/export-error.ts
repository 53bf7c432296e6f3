import { BackboneError } from '@graft/core';

/**
 * A LayersModel cannot be written as ONNX (unsupported layer class or configuration). Callers
 * catch it to fall back to running the model with tfjs.
 */
export class OnnxExportError extends BackboneError {
  constructor(
    message: string,
    readonly layerName?: string,
    readonly className?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
