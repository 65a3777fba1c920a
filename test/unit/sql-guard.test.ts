import { fileTargets, refuseAnyFile, refuseOutside } from '../../src/providers/sqlite/sql-guard.js';

const inside = () => ({ ok: true });

describe('the migration SQL guard reads SQL as SQLite tokenizes it', () => {
  it.each([
    ["ATTACH 'x.db' AS a", [{ statement: 'ATTACH', path: 'x.db', line: 1 }]],
    ["attach database 'x.db' as a;", [{ statement: 'ATTACH', path: 'x.db', line: 1 }]],
    ["SELECT 1;\n/* c */ ATTACH/**/'it''s.db' AS a", [{ statement: 'ATTACH', path: "it's.db", line: 2 }]],
    ["ATTACH 'a' || 'b' AS a", [{ statement: 'ATTACH', path: undefined, line: 1 }]],
    ["VACUUM INTO '/tmp/x'", [{ statement: 'VACUUM INTO', path: '/tmp/x', line: 1 }]],
    ["VACUUM \"main\" INTO '/tmp/x';", [{ statement: 'VACUUM INTO', path: '/tmp/x', line: 1 }]],
    ['VACUUM; VACUUM main;', []],
    ["SELECT 'ATTACH x'; -- ATTACH 'y'\nCREATE TABLE \"attach\" (xattach, [vacuum into]);", []],
  ] as const)('%j', (sql, want) => {
    expect(fileTargets(sql)).toEqual(want);
  });

  it('comparing schemas refuses any file; apply only one outside the root or not a literal', () => {
    expect(refuseAnyFile('m.sql', "CREATE TABLE t(x);\nATTACH ':memory:' AS a")).toMatch(/^m\.sql:2: ATTACH is not run/);
    expect(refuseAnyFile('m.sql', 'CREATE TABLE t(x); VACUUM;')).toBeUndefined();
    expect(refuseOutside('m.sql', "ATTACH 'data/a.db' AS a", '/r', '/r', inside)).toBeUndefined();
    expect(refuseOutside('m.sql', "ATTACH ':memory:' AS a", '/r', '/elsewhere', inside)).toBeUndefined();
    expect(refuseOutside('m.sql', "ATTACH 'data/a.db' AS a", '/r', '/elsewhere', inside)).toMatch(/leads outside the project root/);
    expect(refuseOutside('m.sql', "ATTACH '/r/../etc/a' AS a", '/r', '/r', inside)).toMatch(/leads outside/);
    expect(refuseOutside('m.sql', "ATTACH 'a.db' AS a", '/r', '/r', () => ({ ok: false }))).toMatch(/leads outside/);
    expect(refuseOutside('m.sql', "ATTACH 'a'||'.db' AS a", '/r', '/r', inside)).toMatch(/plain string literal/);
  });
});
