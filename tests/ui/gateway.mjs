// A `prova serve` for the web view's tests: a free loopback port, a temporary --data directory, a trusted sender,
// and seed() filling it over HTTP with OPE traces, OpenExecution chains (certified, revoked, superseded) and a proof record.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

export async function startGateway(prova) {
  const work = mkdtempSync(path.join(os.tmpdir(), 'prova-ui-'));
  const run = (args, input) => execFileSync(prova, args, { cwd: work, input, encoding: 'utf8' });
  run(['keygen', '--out', 'sender.key']);
  const token = 'ui-test-token-0123456789abcdef';
  writeFileSync(path.join(work, 'tokens.json'), JSON.stringify({ tokens: [{ name: 'ui', token,
    scopes: ['ope:write', 'oe:write', 'proof:write'] }] }), { mode: 0o600 });
  writeFileSync(path.join(work, 'senders.jwks'), run(['jwks', 'sender.key']));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const log = path.join(work, 'serve.log');
  let child = null, stderr = '';
  const serve = async (extra = []) => {
    stderr = '';
    child = spawn(prova, ['serve', '--listen', `127.0.0.1:${port}`, '--data', path.join(work, 'data'),
      '--trusted-senders', 'senders.jwks', '--tokens', 'tokens.json', '--log-interval', '200', '--sft-passthrough', '--quiet',
      ...extra],
    { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (d) => { stderr += d; });
    for (let i = 0; ; i++) {
      try { if ((await fetch(base + '/health')).ok) break; } catch { /* not yet */ }
      if (i > 100 || child.exitCode !== null) throw new Error(`prova serve did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const halt = async (proc) => {
    if (!proc || proc.exitCode !== null) return;
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
  };
  await serve();
  const witnesses = [];
  const gw = {
    base, work, run, token, stderr: () => stderr, log,
    async call(method, p, body, headers = {}) {
      const init = { method, headers: { authorization: 'Bearer ' + token, ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers['content-type'] = 'application/json';
      }
      const res = await fetch(base + p, init);
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
      return json;
    },
    /** Restarts the gateway (same store) with a `prova witness` on another free port and --witness-policy naming
     * it (quorum: it), so that the checkpoints published from now on carry its cosignature. Returns its name. */
    async addWitness(name) {
      const vkey = (await (await fetch(base + '/log/vkey')).text()).trim();
      writeFileSync(path.join(work, 'logs.txt'), vkey + '\n');
      const wvkey = run(['witness', 'keygen', '--name', name, '--out', 'w.key']).trim().split('\n').pop();
      const wport = await freePort();
      const w = spawn(prova, ['witness', '--key', 'w.key', '--logs', 'logs.txt', '--state', 'wstate', '--listen',
        `127.0.0.1:${wport}`, '--quiet'], { cwd: work, stdio: 'ignore' });
      witnesses.push(w);
      for (let i = 0; ; i++) {
        try { if ((await fetch(`http://127.0.0.1:${wport}/health`)).ok) break; } catch { /* not yet */ }
        if (i > 100 || w.exitCode !== null) throw new Error('prova witness did not start');
        await new Promise((r) => setTimeout(r, 100));
      }
      writeFileSync(path.join(work, 'policy.txt'),
        `log ${vkey}\nwitness w1 ${wvkey} http://127.0.0.1:${wport}\nquorum w1\n`);
      await halt(child);
      await serve(['--witness-policy', 'policy.txt']);
      return name;
    },
    /** Waits until the published checkpoint has at least `sigs` signature lines and size >= size. */
    async waitCheckpoint(sigs, size = 0, ms = 10000) {
      for (const end = Date.now() + ms; Date.now() < end;) {
        const r = await fetch(base + '/log/checkpoint');
        if (r.ok) {
          const t = await r.text();
          const n = t.split('\n\n')[1]?.split('\n').filter((l) => l.startsWith('\u2014 ')).length ?? 0;
          if (n >= sigs && +t.split('\n')[1] >= size) return t;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no checkpoint with ${sigs} signatures and size >= ${size} within ${ms} ms`);
    },
    async stop() {
      await halt(child);
      for (const w of witnesses) await halt(w);
      rmSync(work, { recursive: true, force: true });
    },
  };
  return gw;
}

// Seeds: traces tr-ui-1 (3 hops, one payload repeated: the same CID in two hops), tr-ui-2 (1 hop, another payload
// type), then chains: certified (active), revoked, and one superseded by another's certificate. Returns the ids.
export async function seed(gw) {
  const pack = (trace, type, payload) => gw.run(['pack', '--key', 'sender.key', '--payload-type', type,
    '--target-type', 'tool.result', '--trace-id', trace, '-'], JSON.stringify(payload));
  const traces = { 'tr-ui-1': 0, 'tr-ui-2': 0 };
  for (const [trace, type, payload] of [
    ['tr-ui-1', 'agent.tool_call', { tool: 'search', q: 'Zürich' }],
    ['tr-ui-1', 'agent.tool_call', { tool: 'fetch', url: 'https://example.org' }],
    ['tr-ui-1', 'agent.tool_call', { tool: 'search', q: 'Zürich' }],
    ['tr-ui-2', 'agent.answer', { text: 'done' }],
  ]) {
    await gw.call('POST', '/v1/odin/envelope', pack(trace, type, payload));
    traces[trace]++;
  }
  const API = '/api/v1';
  const chain = async (n, events) => {
    const c = (await gw.call('POST', `${API}/chains`, { chain_type: 'resource_audit', origin_type: 'github',
      origin_id: `octocat/repo-${n}` })).data;
    for (let i = 1; i <= events; i++)
      await gw.call('POST', `${API}/chains/${c.id}/events`, { event_type: `step_${i}`, actor_id: 'agent-7',
        actor_type: 'bot', sentiment: 'positive', payload: { i, text: 'café' } });
    return c.id;
  };
  const certify = async (id, ref) => {
    await gw.call('POST', `${API}/chains/${id}/resolve`, {});
    return (await gw.call('POST', `${API}/chains/${id}/certificate`, { artifact_type: 'repository',
      artifact_ref: ref, artifact_title: `Audit of ${ref}` })).data.certificate_id;
  };
  const active = await chain(1, 3);
  const activeCert = await certify(active, 'octocat/repo-1');
  const revoked = await chain(2, 2);
  const revokedCert = await certify(revoked, 'octocat/repo-2');
  await gw.call('POST', `${API}/provenance/certificates/${revokedCert}/revoke`, { reason: 'key compromise' });
  const old = await chain(3, 2);
  const oldCert = await certify(old, 'octocat/repo-3');
  const successor = await chain(4, 2);
  const successorCert = await certify(successor, 'octocat/repo-3');
  await gw.call('POST', `${API}/provenance/certificates/${oldCert}/supersede`, { superseded_by: successorCert,
    reason: 'new audit' });
  const open = await chain(5, 1);
  // A proof record (tests/data/proof_minimal.json signed with the default key), stored by POST /v1/proofs.
  const minimal = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'data', 'proof_minimal.json');
  const proofText = gw.run(['proof', 'sign', '--default-key', minimal]); // sent as is: its numbers are signed as written
  const proof = JSON.parse(proofText);
  await gw.call('POST', '/v1/proofs', proofText);
  return { traces, proof: proof.proof_id, chains: { active, revoked, old, successor, open },
    certs: { active: activeCert, revoked: revokedCert, old: oldCert, successor: successorCert } };
}
