// The npm clients wiremock-rest-client and wiremock-captain against a server: every call must
// succeed and give what WireMock gives. Usage: node npm_check.js <port> (packages from NODE_PATH).
'use strict';
const http = require('http');
const { WireMockRestClient } = require('wiremock-rest-client');
const { WireMock } = require('wiremock-captain');

const port = process.argv[2];
const base = `http://127.0.0.1:${port}`;

function check(ok, what) {
  if (!ok) throw new Error(`failed: ${what}`);
  console.log(`ok ${what}`);
}

async function call(method, path, body) {
  const reply = await fetch(base + path, { method, body,
    headers: body ? { 'Content-Type': 'application/json' } : {} });
  await reply.text();
  return reply.status;
}

function receiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => { got.push({ method: req.method, url: req.url, body: data }); res.end('ok'); });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, got })));
}

async function restClient() {
  const wm = new WireMockRestClient(base, { logLevel: 'error' });
  await wm.global.resetAll();
  const stub = await wm.mappings.createMapping({
    request: { method: 'GET', urlPath: '/rest/hello' },
    response: { status: 200, jsonBody: { hi: 1 } },
    scenarioName: 'flow', requiredScenarioState: 'Started', newScenarioState: 'done',
  });
  check(typeof stub.id === 'string', 'rest: createMapping');
  check((await wm.mappings.getAllMappings()).mappings.length === 1, 'rest: getAllMappings');
  check(await call('GET', '/rest/hello') === 200, 'rest: stub served');
  for (let i = 0; i < 6; i++) await call('GET', `/rest/other?n=${i}`);  // evicts (bound 5)
  const all = await wm.requests.getAllRequests();
  check(all.requests.length === 5 && all.meta.total === 5, 'rest: getAllRequests after evictions');
  const count = await wm.requests.getCount({ method: 'GET', urlPathPattern: '/rest/.*' });
  check(count.count === 5, 'rest: getCount');
  const found = await wm.requests.findRequests({ urlPath: '/rest/other' });
  check(found.requests.length === 5, 'rest: findRequests');
  check((await wm.requests.getUnmatchedRequests()).requests.length === 5, 'rest: unmatched');
  const near = await wm.requests.getUnmatchedNearMisses();
  check(near.nearMisses.length >= 1, 'rest: unmatched near misses');
  // (getNearMissesByRequest*: the client posts to /__admin/requests/near-misses/..., a path
  // WireMock answers 404 too, so they are not checked)
  const scenarios = await wm.scenarios.getAllScenarios();
  check(scenarios.scenarios[0].state === 'done', 'rest: scenarios');
  await wm.scenarios.resetAllScenarios();
  await wm.recordings.startRecording({ targetBaseUrl: `${base}/rest`, persist: false });
  check((await wm.recordings.getRecordingStatus()).status === 'Recording', 'rest: recording');
  await wm.recordings.stopRecording();
  const snap = await wm.recordings.takeSnapshotRecording({
    filters: { allowNonProxied: true }, persist: false });
  check(snap.mappings.length >= 1, 'rest: snapshot');
  const removed = await wm.requests.removeRequests({ urlPath: '/rest/other' });
  check(removed.serveEvents.length >= 1, 'rest: removeRequests');
  await wm.requests.deleteAllRequests();
  await wm.mappings.deleteAllMappings();
  check((await wm.mappings.getAllMappings()).mappings.length === 0, 'rest: reset');
}

async function captain() {
  const { server, got } = await receiver();
  const hook = `http://127.0.0.1:${server.address().port}/hook`;
  const wm = new WireMock(base);
  await wm.clearAll();
  await wm.register(
    { method: 'POST', endpoint: '/captain/order', body: { id: 7 } },
    { status: 201, body: { ok: true } },
    { webhook: { method: 'POST', url: hook, body: { type: 'JSON', data: { id: 7 } },
                 delay: { type: 'FIXED', constantDelay: 10 } } },
  );
  check(await call('POST', '/captain/order', JSON.stringify({ id: 7 })) === 201,
        'captain: stub with a body and a webhook served');
  const calls = await wm.getRequestsForAPI('POST', '/captain/order');
  check(calls.length === 1, 'captain: getRequestsForAPI');
  check((await wm.getAllMappings()).length === 1, 'captain: getAllMappings');
  for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  check(got.length === 1 && JSON.parse(got[0].body).id === 7, 'captain: webhook received');
  await call('GET', '/captain/nothing');
  check((await wm.getUnmatchedRequests()).length === 1, 'captain: unmatched');
  await wm.clearAll();
  check((await wm.getAllMappings()).length === 0, 'captain: clearAll');
  server.close();
}

(async () => {
  await restClient();
  await captain();
  console.log('ALL OK');
})().catch((err) => { console.error(err); process.exit(1); });
