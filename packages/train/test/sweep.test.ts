import { describe, expect, it } from 'vitest';
import { ParamError } from '@graft/core';
import { chooseRun, sweepRuns } from '../src/sweep.js';

describe('sweepRuns', () => {
  it('is one run without a sweep', () => {
    expect(sweepRuns('')).toEqual([{ overrides: {}, settings: '' }]);
  });

  it('takes the grid of short names and flag names, first item varying slowest, values typed', () => {
    const runs = sweepRuns('lr=0.001,0.01,0.1  hidden=0,256 optimizer=adam');
    expect(runs.map((r) => r.settings)).toEqual([
      'learning-rate=0.001 hidden-units=0 optimizer=adam',
      'learning-rate=0.001 hidden-units=256 optimizer=adam',
      'learning-rate=0.01 hidden-units=0 optimizer=adam',
      'learning-rate=0.01 hidden-units=256 optimizer=adam',
      'learning-rate=0.1 hidden-units=0 optimizer=adam',
      'learning-rate=0.1 hidden-units=256 optimizer=adam',
    ]);
    expect(runs[3]!.overrides).toEqual({ learningRate: '0.01', hiddenUnits: 256, optimizer: 'adam' });
    expect(sweepRuns('early-stopping-patience=0,5')[1]!.overrides).toEqual({ earlyStoppingPatience: 5 });
  });

  it.each([
    ['lr', /'lr' is not name=value1,value2/],
    ['hiden=0,256', /Unknown train param: 'hiden'.*did you mean 'hidden'\?/],
    ['lr=0.1,fast', /--learning-rate must be auto or a number > 0, got "fast"/],
    ['lr=0,0.1', /--learning-rate must be auto or a number > 0, got "0"/],
    ['l2=0.1,-1', /--l2 must be auto, a number ≥ 0 or a comma-separated list of them, got "-1"/],
    ['hidden=1.5', /--hidden-units must be an integer/],
    ['optimizer=sgd,adma', /did you mean 'adam'/],
    ['lr=0.1 learning-rate=0.2', /learning-rate is listed twice/],
    ['lr=0.1,0.1', /repeats a value/],
    ['sweep=a', /Unknown train param: 'sweep'/],
    ['seed=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17 lr=1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16', /272 runs is more than the 256 allowed/],
  ])('rejects %s with a one-line message', (sweep, message) => {
    expect(() => sweepRuns(sweep)).toThrowError(ParamError);
    expect(() => sweepRuns(sweep)).toThrowError(message);
  });
});

describe('chooseRun', () => {
  it('takes the highest validation accuracy, then the lowest validation loss, then the first', () => {
    expect(chooseRun([{ validationAccuracy: 0.8, validationLoss: 0.5 }, { validationAccuracy: 0.9, validationLoss: 0.9 }])).toBe(1);
    expect(chooseRun([{ validationAccuracy: 0.9, validationLoss: 0.5 }, { validationAccuracy: 0.9, validationLoss: 0.4 }, { validationAccuracy: 0.9, validationLoss: 0.4 }])).toBe(1);
    expect(chooseRun([{ validationAccuracy: null, validationLoss: null }])).toBe(0);
  });
});
