/** At most `limit` tasks at once; the rest wait their turn in order. sshd refuses a connection's
 *  sessions beyond its MaxSessions (default 10), and ssh then quietly opens a connection of its own for
 *  each refused one: a cap below it keeps every command on the one master connection. */
export interface ChannelCap {
  use<T>(task: () => Promise<T>): Promise<T>;
}

export function channelCap(limit: number): ChannelCap {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`channel cap must be a whole number of at least 1, not ${limit}`);
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    async use(task) {
      if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
      else active++;
      try {
        return await task();
      } finally {
        const next = waiting.shift();
        if (next) next(); // the slot passes straight on
        else active--;
      }
    },
  };
}
