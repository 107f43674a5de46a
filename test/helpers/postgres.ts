import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { appendFile, chmod, chown, mkdtemp, rm } from 'node:fs/promises'
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

/** Where a server runs in a network namespace of its own (a host of a `Lan`). */
export interface PostgresHost {
  /** The command prefix that runs a program on the host (`lan.exec(host)`). */
  exec: string[]
  /** The host's LAN address, which the server listens on. */
  address: string
  /** The LAN's addresses that may log in, in CIDR form (10.254.7.0/24). */
  clients: string
}

/**
 * A PostgreSQL server of the test's own: a cluster in a temporary directory, listening on loopback only
 * (or, given a `host`, on that host's LAN address inside its namespace), trusting logins from there,
 * stopped and removed by `stop()`. As root it runs as the "postgres" user. The test process itself always
 * reaches it through the Unix socket in that directory (`localUrl`), which no namespace hides.
 */
export class TestPostgres {
  /** What admins connect to: on loopback, or on the host's LAN address. */
  readonly url: string
  /** What this process connects to: the server's Unix socket. */
  readonly localUrl: string
  private readonly dir: string
  private readonly bin: string
  private readonly prefix: string[]
  private readonly serverOptions: string

  private constructor (url: string, localUrl: string, dir: string, bin: string, prefix: string[], serverOptions: string) {
    this.url = url
    this.localUrl = localUrl
    this.dir = dir
    this.bin = bin
    this.prefix = prefix
    this.serverOptions = serverOptions
  }

  /** `fsync`: sync commits to disk, as a production server does (the bench); tests run without. */
  static async start (options: { fsync?: boolean, host?: PostgresHost } = {}): Promise<TestPostgres> {
    const bin = binDir()!
    const dir = await mkdtemp(join(tmpdir(), 'taskmesh-pg-'))
    const root = process.getuid?.() === 0
    // inside the host's namespace (the server daemonizes there), as the unprivileged user
    const prefix = [...(options.host?.exec ?? []), ...(root ? ['runuser', '-u', 'postgres', '--'] : [])]
    if (root) {
      const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim())
      const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim())
      await chown(dir, uid, gid)
      await chmod(dir, 0o700)
    }
    const data = join(dir, 'data')
    const user = root ? 'postgres' : userInfo().username
    run(bin, prefix, 'initdb', ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8'])
    if (options.host != null) await appendFile(join(data, 'pg_hba.conf'), `host all all ${options.host.clients} trust\n`)
    const port = await freePort()
    const address = options.host?.address ?? '127.0.0.1'
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=${address}${options.fsync === true ? '' : ' -c fsync=off'}`
    // the server's output goes to a log file: a server holding this process's pipes would keep spawnSync waiting
    run(bin, prefix, 'pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-o', serverOptions, 'start'])
    return new TestPostgres(`postgres://${user}@${address}:${port}/postgres`, `postgres://${user}@/postgres?host=${dir}&port=${port}`, dir, bin, prefix, serverOptions)
  }

  /** A fresh database on this server, for one test; returns its `url`. */
  async database (name: string): Promise<string> {
    const pg = (await import('pg')).default
    const client = new pg.Client({ connectionString: this.localUrl })
    await client.connect()
    await client.query(`CREATE DATABASE "${name}"`)
    await client.end()
    return this.url.replace(/\/postgres$/, `/${name}`)
  }

  /** What this process connects to for a database that `database()` made. */
  local (url: string): string {
    const name = new URL(url).pathname
    return this.localUrl.replace('/postgres?', `${name}?`)
  }

  /** Stops the server (fast: sessions are cut) and starts it again on the same port, as after a crash or an upgrade. */
  restart (): void {
    this.down()
    this.up()
  }

  /** Stops the server (fast: sessions are cut); `up()` starts it again. */
  down (): void {
    run(this.bin, this.prefix, 'pg_ctl', ['-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop'])
  }

  up (): void {
    run(this.bin, this.prefix, 'pg_ctl', ['-D', join(this.dir, 'data'), '-l', join(this.dir, 'server.log'), '-w', '-o', this.serverOptions, 'start'])
  }

  async stop (): Promise<void> {
    const [command, ...args] = [...this.prefix, join(this.bin, 'pg_ctl')]
    spawnSync(command!, [...args, '-D', join(this.dir, 'data'), '-m', 'fast', '-w', 'stop'], { stdio: 'ignore' })
    await rm(this.dir, { recursive: true, force: true })
  }
}

function run (bin: string, prefix: string[], program: string, args: string[]): void {
  const [command, ...rest] = [...prefix, join(bin, program)]
  const r = spawnSync(command!, [...rest, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.status !== 0) throw new Error(`${program} ${args.at(-1) ?? ''} failed (${r.status}): ${r.stderr || r.stdout}`)
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
