import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir, userInfo } from 'node:os'
import { join } from 'node:path'

/** Where PostgreSQL's server programs are (Debian keeps them per version), or undefined. */
function binDir (): string | undefined {
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter(v => existsSync(join(debian, v, 'bin', 'initdb'))).sort((a, b) => Number(b) - Number(a))
    if (versions.length > 0) return join(debian, versions[0]!, 'bin')
  }
  const found = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' }).stdout.trim()
  return found !== '' ? join(found, '..') : undefined
}

/** Why a PostgreSQL server cannot be started here, or undefined when it can. */
export function postgresMissing (): string | undefined {
  if (binDir() == null) return 'needs PostgreSQL\'s server programs (initdb, pg_ctl); apt-get install postgresql'
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return 'runs as root, and PostgreSQL refuses root: needs the "postgres" user the Debian package creates'
  return undefined
}

/** A TCP port free on loopback now. */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => { resolve(port) })
    })
  })
}

/**
 * A PostgreSQL server of the test's own: a cluster in a temporary directory, listening on loopback only,
 * trusting local logins, stopped and removed by `stop()`. As root it runs as the "postgres" user.
 */
export class TestPostgres {
  readonly url: string
  private readonly dir: string
  private readonly bin: string
  private readonly asUser: string[]
  private readonly serverOptions: string

  private constructor (url: string, dir: string, bin: string, asUser: string[], serverOptions: string) {
    this.url = url
    this.dir = dir
    this.bin = bin
    this.asUser = asUser
    this.serverOptions = serverOptions
  }

  /** `fsync`: sync commits to disk, as a production server does (the bench); tests run without. */
  static async start (options: { fsync?: boolean } = {}): Promise<TestPostgres> {
    const bin = binDir()!
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-pg-'))
    const root = process.getuid?.() === 0
    const asUser = root ? ['runuser', '-u', 'postgres', '--'] : []
    if (root) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
      await chown(dir, uid, gid)
      await chmod(dir, 0o700)
    }
    const run = (program: string, args: string[]): void => {
      const [command, ...prefix] = [...asUser, join(bin, program)]
      const r = spawnSync(command!, [...prefix, ...args], { encoding: 'utf8' })
      if (r.status !== 0) throw new Error(`${program} failed (${r.status}): ${r.stderr || r.stdout}`)
    }
    const data = join(dir, 'data')
    const user = root ? 'postgres' : userInfo().username
    run('initdb', ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8'])
    const port = await freePort()
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${options.fsync === true ? '' : ' -c fsync=off'}`
    // the server's output goes to a log file: a server holding this process's pipes would keep spawnSync waiting
    run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', serverOptions, 'start'])
    return new TestPostgres(`postgres://${user}@127.0.0.1:${port}/postgres`, dir, bin, asUser, serverOptions)
  }

  /** A fresh database on this server, for one test. */
  async database (name: string): Promise<string> {
    const pg = (await import('pg')).default
    const client = new pg.Client({ connectionString: this.url })
    await client.connect()
    await client.query(`CREATE DATABASE "${name}"`)
    await client.end()
    return this.url.replace(/\/postgres$/, `/${name}`)
  }

  /** Stops the server (fast: sessions are cut) and starts it again on the same port, as after a crash or an upgrade. */
  restart (): void {
    const [command, ...prefix] = [...this.asUser, join(this.bin, 'pg_ctl')]
    const data = join(this.dir, 'data')
    for (const args of [['-D', data, '-m', 'fast', '-w', 'stop'], ['-D', data, '-l', join(this.dir, 'server.log'), '-w', '-o', this.serverOptions, 'start']]) {
      const r = spawnSync(command!, [...prefix, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      if (r.status !== 0) throw new Error(`pg_ctl ${args.at(-1)} failed: ${r.stderr || r.stdout}`)
    }
  }

  async stop (): Promise<void> {
    const [command, ...prefix] = [...this.asUser, join(this.bin, 'pg_ctl')]
    spawnSync(command!, [...prefix, '-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' })
    await rm(this.dir, { recursive: true, force: true })
  }
}

/** Successful attempts recorded per task in a PostgreSQL journal, archive and events together. */
export async function acceptedSuccesses (url: string): Promise<Map<string, number>> {
  const pg = (await import('pg')).default
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const counts = new Map<string, number>()
    for (const row of (await client.query<{ id: string, body: string }>('SELECT id, body FROM taskmesh_archive')).rows) {
      counts.set(row.id, (JSON.parse(row.body) as { attempts: Array<{ outcome?: string }> }).attempts.filter(a => a.outcome === 'succeeded').length)
    }
    for (const row of (await client.query<{ body: string }>('SELECT body FROM taskmesh_events ORDER BY seq')).rows) {
      const e = JSON.parse(row.body) as { type: string, taskId?: string, outcome?: string }
      if (e.type === 'attempt-ended' && e.outcome === 'succeeded') counts.set(e.taskId!, (counts.get(e.taskId!) ?? 0) + 1)
    }
    return counts
  } finally {
    await client.end()
  }
}
