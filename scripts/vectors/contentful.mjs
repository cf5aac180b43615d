// Contentful vectors signed by Contentful's own SDK: npm install @contentful/node-apps-toolkit (3.16.1 used),
// then `node scripts/vectors/contentful.mjs > tests/data/providers/contentful.json`.
import { signRequest } from '@contentful/node-apps-toolkit'

const secret = 'c0ntentfulSigningSecret0123456789abcdefghijklmnopqrstuvwxyzABCDE'
const timestamp = 1763805600000
const cases = [
  { name: 'webhook POST', method: 'POST', path: '/hooks/contentful', body: '{"sys":{"type":"Entry","id":"5KsDBWseXY6QegucYAoacS"},"fields":{"title":{"en-US":"Hello"}}}', headers: { 'X-Contentful-Topic': 'ContentManagement.Entry.publish' } },
  { name: 'query string and extra signed header', method: 'POST', path: '/hooks/cf?space=main&env=master', body: '{"sys":{"id":"x"}}', headers: { 'x-contentful-crn': 'crn:contentful:::content:spaces/abc' } },
]
const vectors = cases.map((c) => {
  const signed = signRequest(secret, { method: c.method, path: c.path, headers: c.headers, body: c.body }, timestamp)
  const headers = [['Content-Type', 'application/vnd.contentful.management.v1+json']]
  for (const [k, v] of Object.entries(c.headers)) headers.push([k, v])
  for (const [k, v] of Object.entries(signed)) headers.push([k, v])
  return {
    name: c.name,
    source_kind: 'computed',
    source: 'signed by @contentful/node-apps-toolkit 3.16.1 signRequest (scripts/vectors/contentful.mjs)',
    secret,
    method: c.method,
    url: 'https://hooks.example.dev' + c.path,
    headers,
    body: c.body,
    now_unix: timestamp / 1000 + 5,
  }
})
console.log(JSON.stringify({ provider: 'contentful', vectors }, null, 2))
