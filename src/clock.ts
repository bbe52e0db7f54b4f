/** The Clock port: the only way code below the entry points learns the time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
