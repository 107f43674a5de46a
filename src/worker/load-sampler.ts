/** How loaded this worker's process is: its share of one core since the previous sample, and its memory. */
export class LoadSampler {
  private mark = { usage: process.cpuUsage(), at: performance.now() }

  sample (): { cpu: number, memoryBytes: number } {
    const now = performance.now()
    const usage = process.cpuUsage()
    const busyUs = (usage.user - this.mark.usage.user) + (usage.system - this.mark.usage.system)
    const cpu = now > this.mark.at ? busyUs / 1000 / (now - this.mark.at) : 0
    this.mark = { usage, at: now }
    return { cpu, memoryBytes: process.memoryUsage.rss() }
  }
}
