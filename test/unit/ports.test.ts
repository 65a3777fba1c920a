import { allocatePorts, type PortRequest } from '../../src/core/ports.js';

const R: readonly [number, number] = [8081, 8085];
const ranged = (...keys: string[]): PortRequest[] => keys.map((key) => ({ key, range: R }));

describe('allocatePorts', () => {
  test.each<[string, readonly PortRequest[], Record<string, number>, Record<string, number>, { key: string; text: string }[]]>([
    ['ranged keys take the lowest free ports in request order', ranged('dev1', 'dev2', 'dev3'), {}, { dev1: 8081, dev2: 8082, dev3: 8083 }, []],
    ['explicit ports are used as given and skipped by ranged keys', [{ key: 'api', explicit: 8081 }, ...ranged('dev1')], {}, { api: 8081, dev1: 8082 }, []],
    [
      'removing dev2 leaves dev3 on 8083',
      ranged('dev1', 'dev3'),
      { dev1: 8081, dev2: 8082, dev3: 8083 },
      { dev1: 8081, dev3: 8083 },
      [],
    ],
    [
      'adding dev6 after a removal takes the freed port, nobody else moves',
      ranged('dev1', 'dev3', 'dev4', 'dev5', 'dev6'),
      { dev1: 8081, dev3: 8083, dev4: 8084, dev5: 8085 },
      { dev1: 8081, dev3: 8083, dev4: 8084, dev5: 8085, dev6: 8082 },
      [],
    ],
    [
      'a newcomer listed first cannot steal a port someone already has',
      ranged('dev0', 'dev1'),
      { dev1: 8081 },
      { dev0: 8082, dev1: 8081 },
      [],
    ],
    [
      'a previous port now outside the range is given up for one inside',
      [{ key: 'dev1', range: [9000, 9001] }],
      { dev1: 8081 },
      { dev1: 9000 },
      [],
    ],
    [
      'a previous port now claimed explicitly moves the ranged key',
      [{ key: 'api', explicit: 8081 }, ...ranged('dev1')],
      { dev1: 8081 },
      { api: 8081, dev1: 8082 },
      [],
    ],
    [
      'a full range is an error naming it',
      [...ranged('a', 'b', 'c', 'd', 'e'), { key: 'f', range: R }],
      {},
      { a: 8081, b: 8082, c: 8083, d: 8084, e: 8085 },
      [{ key: 'f', text: 'range 8081-8085 is exhausted' }],
    ],
    [
      'two explicit claims on one port: the first keeps it',
      [{ key: 'a', explicit: 8081 }, { key: 'b', explicit: 8081 }],
      {},
      { a: 8081 },
      [{ key: 'b', text: 'port 8081 is already used by a' }],
    ],
    [
      'invalid ports and ranges, and requests with neither, are errors',
      [{ key: 'a', explicit: 70000 }, { key: 'b', range: [9000, 8000] }, { key: 'c' }],
      {},
      {},
      [
        { key: 'a', text: 'port 70000 is not a valid port (1-65535)' },
        { key: 'b', text: 'range 9000-8000 is not a valid port range' },
        { key: 'c', text: 'needs a port or a port range' },
      ],
    ],
  ])('%s', (_name, requests, previous, ports, errors) => {
    expect(allocatePorts(requests, previous)).toEqual({ ports, errors });
  });

  test('is stable: allocating again from its own result changes nothing', () => {
    const requests = ranged('dev1', 'dev2', 'dev3', 'dev4');
    const first = allocatePorts(requests, {});
    expect(allocatePorts(requests, first.ports)).toEqual(first);
  });
});
