import { resolveTemporalCli } from './launcher/temporal-cli';
resolveTemporalCli({ cacheDir: '/tmp/tcache-3Pg8', log: console.log }).then(console.log, (e) => { console.error(e.message); process.exit(1); });
