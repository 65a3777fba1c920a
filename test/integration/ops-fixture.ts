/** The small manifest the ops integration tests apply: two environments with one stage each, a
 *  worker per environment and two reviewers, all running `cat` (it echoes what is typed, runs nothing). */
export const opsManifest = (ports: readonly [number, number]): string => `
version: 1
project: ops
repository: { path: ., base: main }
providers:
  catty: { command: cat, costPerMonth: 3 }
environments:
  count: 2
  name: dev{n}
  stages:
    dev: { database: { path: data/dev.db, migrations: db }, port: { range: [${ports[0]}, ${ports[1]}] } }
groups:
  workers: { perEnvironment: true, name: "{env}_worker", provider: catty }
  pr_review: { count: 2, name: "pr_review{n}", provider: catty }
routing:
  rules:
    - { type: review, group: pr_review }
    - { env: true, group: workers }
`;
