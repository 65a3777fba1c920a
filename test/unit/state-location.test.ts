/** Where the state store lives, and how its URL is shown: never with its password. */
import { maskUrl, stateLocation, stateName } from '../../src/state/location.js';

describe('stateLocation', () => {
  test.each([
    ['no setting: the SQLite file in .gaia', undefined, {}, { kind: 'sqlite', path: '/p/.gaia/state.db' }],
    ['a path: a SQLite file relative to the root', 'state/x.db', {}, { kind: 'sqlite', path: '/p/state/x.db' }],
    ['a postgres:// URL', 'postgres://h/db', {}, { kind: 'postgres', url: 'postgres://h/db' }],
    ['a postgresql:// URL', 'postgresql://h/db', {}, { kind: 'postgres', url: 'postgresql://h/db' }],
    ['GAIA_STATE_URL wins over the manifest', 'state/x.db', { GAIA_STATE_URL: 'postgres://team/db' }, { kind: 'postgres', url: 'postgres://team/db' }],
    ['an empty GAIA_STATE_URL is unset', undefined, { GAIA_STATE_URL: '' }, { kind: 'sqlite', path: '/p/.gaia/state.db' }],
  ])('%s', (_, setting, environ, expected) => {
    expect(stateLocation('/p', setting, environ)).toEqual(expected);
  });
});

describe('maskUrl', () => {
  test.each([
    ['postgres://gaia:s3cret@db:5432/state', 'postgres://gaia:***@db:5432/state'],
    ['postgres://gaia:p@ss@db/state?sslmode=require', 'postgres://gaia:***@db/state?sslmode=require'],
    ['postgres://gaia@db/state', 'postgres://gaia@db/state'],
    ['postgres://db/state?user=gaia&password=s3cret&sslmode=verify-full', 'postgres://db/state?user=gaia&password=***&sslmode=verify-full'],
    ['postgres://gaia:s3cret@', 'postgres://gaia:***@'],
    ['mysql://gaia:s3cret@db/state', 'mysql://gaia:***@db/state'],
  ])('%s', (url, shown) => {
    expect(maskUrl(url)).toBe(shown);
    expect(stateName({ kind: 'postgres', url })).not.toContain('s3cret');
  });
});
