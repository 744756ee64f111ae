// Layer direction: domain -> ports -> application -> adapters / container -> host.
// Each rule forbids an import against that direction.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'domain-is-pure',
      comment: 'domain: pure types and rules; no ports, application, adapters, container, host, inversify or node I/O',
      severity: 'error',
      from: { path: '^src/domain' },
      to: { path: ['^src/(ports|application|adapters|container|host|testing)', 'node_modules/inversify', '^(fs|net|http|child_process|node:)'] },
    },
    {
      name: 'ports-use-domain-only',
      severity: 'error',
      from: { path: '^src/ports' },
      to: { path: '^src/(application|adapters|container|host|testing)' },
    },
    {
      name: 'application-uses-domain-and-ports',
      severity: 'error',
      from: { path: '^src/application' },
      to: { path: '^src/(adapters|container|host|testing)' },
    },
    {
      name: 'adapters-do-not-reach-up',
      severity: 'error',
      from: { path: '^src/adapters' },
      to: { path: '^src/(container|host|testing)' },
    },
    {
      name: 'adapters-are-independent',
      comment: 'an adapter never imports another adapter (shared system and process helpers excepted)',
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: { path: '^src/adapters/([^/]+)/', pathNot: ['^src/adapters/$1/', '^src/adapters/system/', '^src/adapters/process/'] },
    },
    {
      name: 'container-not-host',
      severity: 'error',
      from: { path: '^src/container' },
      to: { path: '^src/(host|testing)' },
    },
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: 'node_modules' },
  },
};
