import { describe, expect, it } from 'vitest';
import { ParamError, defineStage, resolveParams, nearestChoice } from '../src/index.js';

const spec = defineStage({
  name: 'train', package: '@graft/train', description: 'test', readsDataset: false, inputs: {}, outputs: {},
  params: {
    steps: { type: 'integer', default: 10, min: 1, max: 100, description: 'steps' },
    rate: { type: 'number', default: 0.5, min: 0, max: 1, description: 'rate' },
    optimizer: { type: 'string', default: 'sgd', choices: ['sgd', 'adam'], description: 'optimizer' },
    shuffle: { type: 'boolean', default: true, description: 'shuffle' },
  },
});

describe('resolveParams', () => {
  it('applies defaults, then the params file, then the command line', () => {
    expect(resolveParams(spec, {}, {})).toEqual({ steps: 10, rate: 0.5, optimizer: 'sgd', shuffle: true });
    expect(resolveParams(spec, { steps: 20, rate: 0.1 }, { steps: '30' })).toEqual({ steps: 30, rate: 0.1, optimizer: 'sgd', shuffle: true });
  });

  it.each([
    [{ steps: '1.5' }, /--steps must be an integer in 1..100, got 1.5/],
    [{ steps: 0 }, /--steps must be in 1..100, got 0/],
    [{ rate: 'fast' }, /--rate must be a number in 0..1, got "fast"/],
    [{ optimizer: 'adma' }, /Unknown optimizer: 'adma'. Must be one of \[sgd, adam\] — did you mean 'adam'\?/],
    [{ shuffle: 'yes' }, /--shuffle must be true or false/],
  ])('rejects %j with a one-line message', (overrides, message) => {
    expect(() => resolveParams(spec, {}, overrides)).toThrowError(ParamError);
    expect(() => resolveParams(spec, {}, overrides)).toThrowError(message);
  });
});

describe('nearestChoice', () => {
  it('suggests close names only', () => {
    expect(nearestChoice('mobilenet_v3', ['inception_v3', 'mobilenet_v2'])).toBe('mobilenet_v2');
    expect(nearestChoice('resnet', ['inception_v3', 'mobilenet_v2'])).toBeUndefined();
  });
});
