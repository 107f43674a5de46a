import { z } from 'zod'
import { ValidationError } from '../errors.js'
import { FIELD_LIMITS } from '../protocol/constants.js'
import { LIMITS } from '../tasks/constants.js'
import { answer } from './answer.js'
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { AdminLink } from './admin-link.js'

/** An operator's tools: pause and resume new starts, drop finished tasks, and the recurring tasks. */
export function registerOperatorTools (server: McpServer, link: AdminLink): void {
  server.registerTool('pause_tasks', {
    title: 'Pause tasks',
    description: 'Starts nothing new of a task type (of any type without one) until resume_tasks; running tasks finish. Lasts across the admin\'s restarts. Returns every pause in force.',
    inputSchema: z.strictObject({
      type: z.string().min(1).max(LIMITS.label).optional().describe('only tasks of this type'),
      group: z.string().min(1).max(LIMITS.label).optional().describe('only tasks of this group (not with type)'),
      reason: z.string().max(FIELD_LIMITS.reason).optional().describe('why, shown where a task waits')
    }),
    annotations: { destructiveHint: false, idempotentHint: true }
  }, async (input) => await answer(async () => await link.use(c => c.pause(input.type, input.reason, input.group))))

  server.registerTool('resume_tasks', {
    title: 'Resume tasks',
    description: 'Undoes pause_tasks: of the type given, or the pause of every task. Returns the pauses still in force.',
    inputSchema: z.strictObject({
      type: z.string().min(1).max(LIMITS.label).optional().describe('the type given to pause_tasks'),
      group: z.string().min(1).max(LIMITS.label).optional().describe('the group given to pause_tasks')
    }),
    annotations: { idempotentHint: true }
  }, async (input) => await answer(async () => await link.use(c => c.resume(input.type, input.group))))

  server.registerTool('purge_tasks', {
    title: 'Purge finished tasks',
    description: 'Drops finished tasks from the admin\'s memory and journal, oldest first; never one a kept task depends on. Give older_than_seconds (0 for every finished task) or keep (how many of the newest stay). Returns how many went.',
    inputSchema: z.strictObject({
      state: z.enum(['succeeded', 'failed', 'skipped', 'cancelled']).optional().describe('only tasks in this final state'),
      older_than_seconds: z.number().min(0).optional().describe('only tasks that finished longer ago than this'),
      keep: z.number().int().min(0).optional().describe('how many of the newest finished tasks stay')
    }),
    annotations: { destructiveHint: true, idempotentHint: true }
  }, async (input) => await answer(async () => {
    if (input.older_than_seconds == null && input.keep == null) throw new ValidationError([{ path: 'older_than_seconds', message: 'which tasks: give older_than_seconds (0 for every finished task) or keep' }], { subject: 'purge_tasks' })
    return await link.use(c => c.purge({ ...(input.state != null ? { state: input.state } : {}), ...(input.older_than_seconds != null ? { olderThan: input.older_than_seconds } : {}), ...(input.keep != null ? { keep: input.keep } : {}) }))
  }))

  const scheduleName = { name: z.string().min(1).max(100).describe('the schedule\'s name') }

  server.registerTool('list_schedules', {
    title: 'List schedules',
    description: 'The recurring tasks: each with its cron or interval, its task, whether it is paused, its next firing (nextAt, ms since the epoch), the last task it submitted and why the last firing failed, if it did.',
    inputSchema: z.strictObject({}),
    annotations: { readOnlyHint: true }
  }, async () => await answer(async () => ({ schedules: await link.use(c => c.schedules()) })))

  server.registerTool('add_schedule', {
    title: 'Add a schedule',
    description: 'Adds a recurring task, or replaces the one of that name: give cron (5 fields, or 6 with seconds first, in timezone) or every_seconds. Each firing submits the task, with the id NAME@SLOT (tick@2026-12-05T10:00:00Z): one task per slot, across the admin\'s restarts.',
    inputSchema: z.strictObject({
      ...scheduleName,
      cron: z.string().max(200).optional().describe('such as "0 10 * * *" (minute hour day month weekday)'),
      timezone: z.string().max(64).optional().describe('IANA time zone of cron, such as Europe/Paris (default UTC)'),
      every_seconds: z.number().min(1).optional().describe('fire every so many seconds instead of cron'),
      catch_up: z.enum(['none', 'last']).optional().describe('slots missed while no admin ran: none (let pass) or last (fire the latest once)'),
      task: z.record(z.string(), z.unknown()).describe('the task each firing submits: any task field but its id, such as {"type": "report", "payload": {...}}')
    }),
    annotations: { destructiveHint: false, idempotentHint: true }
  }, async (input) => await answer(async () => {
    if (input.cron == null && input.every_seconds == null) throw new ValidationError([{ path: 'cron', message: 'when: give cron or every_seconds' }], { subject: 'add_schedule' })
    const schedule = { name: input.name, task: input.task, ...(input.cron != null ? { cron: input.cron } : {}), ...(input.timezone != null ? { timezone: input.timezone } : {}), ...(input.every_seconds != null ? { every: input.every_seconds } : {}), ...(input.catch_up != null ? { catch_up: input.catch_up } : {}) }
    return (await link.use(c => c.addSchedules(schedule))).schedules[0]
  }))

  server.registerTool('pause_schedule', {
    title: 'Pause a schedule',
    description: 'Its slots pass without a task until resume_schedule.',
    inputSchema: z.strictObject(scheduleName),
    annotations: { idempotentHint: true }
  }, async (input) => await answer(async () => await link.use(c => c.pauseSchedule(input.name))))

  server.registerTool('resume_schedule', {
    title: 'Resume a schedule',
    description: 'A paused schedule fires again, from its next slot.',
    inputSchema: z.strictObject(scheduleName),
    annotations: { idempotentHint: true }
  }, async (input) => await answer(async () => await link.use(c => c.resumeSchedule(input.name))))

  server.registerTool('remove_schedule', {
    title: 'Remove a schedule',
    description: 'The schedule fires no more; the tasks it submitted stay.',
    inputSchema: z.strictObject(scheduleName),
    annotations: { destructiveHint: true, idempotentHint: false }
  }, async (input) => await answer(async () => await link.use(c => c.removeSchedule(input.name))))
}
