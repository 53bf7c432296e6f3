/**
 * Domain-adaptation methods of the adapt stage, each trained on labelled source and unlabelled target
 * features through the same network (see network.ts).
 */
export const ADAPT_METHODS = {
  'source-only': 'no adaptation loss: the baseline, same network and training',
  coral: 'Deep CORAL (Sun & Saenko 2016): match the covariances of the aligned layer',
  mmd: 'DDC / DAN (Tzeng et al. 2014, Long et al. 2015): multi-kernel MMD between the domains on the adaptation layer',
  dann: 'DANN (Ganin et al. 2016): a domain discriminator through a gradient reversal layer, λ_p = 2/(1+exp(−10p)) − 1',
  cdan: 'CDAN (Long et al. 2018): the discriminator sees the outer product of the adaptation layer and the class probabilities',
  entropy: 'entropy minimisation (Grandvalet & Bengio 2005): confident predictions on the target',
} as const;

export type AdaptMethod = keyof typeof ADAPT_METHODS;
export const ADAPT_METHOD_NAMES = Object.keys(ADAPT_METHODS) as AdaptMethod[];

/** Methods that train a domain discriminator. */
export function usesDiscriminator(method: AdaptMethod): boolean {
  return method === 'dann' || method === 'cdan';
}
