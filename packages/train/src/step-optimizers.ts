/** Step-based optimizers on a parameter vector (the mini-batch path). */
export type StepOptimizerName = 'sgd' | 'momentum' | 'adam';

/** Update `theta` in place from the gradient of this step at learning rate `rate`. */
export type StepOptimizer = (theta: Float64Array, gradient: Float64Array, rate: number) => void;

const ADAM = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/**
 * The optimizer named by the train params: plain SGD (retrain.py), SGD with momentum
 * (v ← μv + g; θ ← θ − rate·v, as tf.train.momentum), or Adam (Kingma & Ba, bias-corrected).
 */
export function stepOptimizer(name: StepOptimizerName, size: number, momentum: number): StepOptimizer {
  if (name === 'sgd') {
    return (theta, gradient, rate) => {
      for (let i = 0; i < size; i++) theta[i]! -= rate * gradient[i]!;
    };
  }
  if (name === 'momentum') {
    const velocity = new Float64Array(size);
    return (theta, gradient, rate) => {
      for (let i = 0; i < size; i++) {
        velocity[i] = momentum * velocity[i]! + gradient[i]!;
        theta[i]! -= rate * velocity[i]!;
      }
    };
  }
  const first = new Float64Array(size);
  const second = new Float64Array(size);
  let beta1Power = 1;
  let beta2Power = 1;
  return (theta, gradient, rate) => {
    beta1Power *= ADAM.beta1;
    beta2Power *= ADAM.beta2;
    const stepRate = (rate * Math.sqrt(1 - beta2Power)) / (1 - beta1Power);
    for (let i = 0; i < size; i++) {
      const g = gradient[i]!;
      first[i] = ADAM.beta1 * first[i]! + (1 - ADAM.beta1) * g;
      second[i] = ADAM.beta2 * second[i]! + (1 - ADAM.beta2) * g * g;
      theta[i]! -= (stepRate * first[i]!) / (Math.sqrt(second[i]!) + ADAM.epsilon);
    }
  };
}
