import { tf } from '@graft/tf';

export interface ScheduleOptions {
  readonly learningRate: number;
  readonly learningRateSchedule: string;
  readonly learningRateDecaySteps: number;
  readonly learningRateDecayFactor: number;
  readonly steps: number;
}

/**
 * Learning rate of step `step` (1-based): constant; cosine decay from the rate to 0 over the
 * steps; or step decay, × factor every `learningRateDecaySteps` steps.
 */
export function learningRateAt(step: number, options: ScheduleOptions): number {
  const { learningRate } = options;
  switch (options.learningRateSchedule) {
    case 'cosine':
      return learningRate * 0.5 * (1 + Math.cos((Math.PI * (step - 1)) / options.steps));
    case 'step':
      return learningRate * options.learningRateDecayFactor ** Math.floor((step - 1) / options.learningRateDecaySteps);
    default:
      return learningRate;
  }
}

/** The optimizer named by the train params. */
export function makeOptimizer(name: string, learningRate: number, momentum: number): tf.Optimizer {
  if (name === 'adam') return tf.train.adam(learningRate);
  if (name === 'momentum') return tf.train.momentum(learningRate, momentum);
  return tf.train.sgd(learningRate);
}

/** Change an optimizer's learning rate between steps (SGD and momentum have a setter; Adam reads a field). */
export function setLearningRate(optimizer: tf.Optimizer, learningRate: number): void {
  if (optimizer instanceof tf.SGDOptimizer) optimizer.setLearningRate(learningRate);
  else (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
}
