// One process of watchers for the dashboards bench: `dashboard` does what dashboard/app.js does with each
// update of /api/updates (the table's page when tasks changed, the workers when flagged, the graph and
// the charts at most every 2 s); `events` reads /api/events, every event of every task, as scripts do.
// Usage: dashboard-child.ts BASE_URL dashboard|events COUNT
const [base, kind, count] = process.argv.slice(2) as [string, 'dashboard' | 'events', string]

async function read (path: string, onEvent: (event: string, data: string) => Promise<void> | void): Promise<void> {
  const res = await fetch(base + path)
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end)
      buffer = buffer.slice(end + 2)
      const event = /^event: (.*)$/m.exec(block)?.[1]
      const data = /^data: (.*)$/m.exec(block)?.[1]
      if (event != null && data != null) await onEvent(event, data)
    }
  }
}

const get = async (path: string): Promise<unknown> => await (await fetch(base + path)).json()

async function dashboard (): Promise<void> {
  let graphAt = 0
  let chartsAt = 0
  let lastTotal = -1
  await Promise.all([get('/api/workers'), get('/api/alerts'), get('/api/tasks?offset=0&limit=50'), get('/api/graph?limit=500'), get('/api/timeline')])
  await read('/api/updates', async (_event, data) => {
    const update = JSON.parse(data) as { summary: { total: number }, tasks: Record<string, string>, more: boolean, workers: boolean, alerts: boolean }
    const work: Array<Promise<unknown>> = []
    // as the page does: its page of 50 again when tasks changed (those of the first page, at a busy time)
    if (update.more || update.summary.total !== lastTotal || Object.keys(update.tasks).length > 0) work.push(get('/api/tasks?offset=0&limit=50'))
    if (update.workers) work.push(get('/api/workers'))
    if (update.alerts) work.push(get('/api/alerts'))
    if (Date.now() - graphAt >= 2000) { graphAt = Date.now(); work.push(get('/api/graph?limit=500')) }
    if (Date.now() - chartsAt >= 2000) { chartsAt = Date.now(); work.push(get(`/api/timeline?since=${Date.now() - 3000}`)) }
    lastTotal = update.summary.total
    await Promise.all(work)
  })
}

const watchers = Array.from({ length: Number(count) }, async () => { await (kind === 'dashboard' ? dashboard() : read('/api/events', () => {})) })
process.stdout.write('ready\n')
await Promise.all(watchers).catch(() => {})
