/**
 * Seeded pseudo-random numbers for splits, bootstrap resampling, synthetic cohorts and random forests, so that
 * every modelling result can be reproduced from its seed.
 */

/** A generator of uniform doubles in [0, 1). */
export type RandomSource = () => number;

/**
 * Creates the mulberry32 generator (32-bit state, period 2^32) for an integer seed. It is fast and good enough
 * for resampling. It is not a cryptographic generator.
 */
export function createRandom(seed: number): RandomSource {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws an integer in [0, bound). */
export function randomInteger(random: RandomSource, bound: number): number {
  return Math.floor(random() * bound);
}

/** Draws a standard normal deviate by the Box–Muller transform. */
export function randomNormal(random: RandomSource, mean = 0, sd = 1): number {
  let u = random();
  while (u === 0) u = random();
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Shuffles a copy of `items` with the Fisher–Yates algorithm. */
export function shuffled<T>(items: readonly T[], random: RandomSource): T[] {
  const copy = items.slice();
  for (let i = copy.length - 1; i > 0; i--) {
    const j = randomInteger(random, i + 1);
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
