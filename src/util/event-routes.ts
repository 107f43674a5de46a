import type { EventHandler, TypedEventTarget } from '@libp2p/interface'

/** Any typed event target, seen through the names it is routed for. */
interface Target {
  addEventListener(type: string, listener: EventHandler<any> | null, options?: boolean | AddEventListenerOptions): void
  removeEventListener(type: string, listener?: EventHandler<any> | null, options?: boolean | EventListenerOptions): void
  listenerCount(type: string): number
  dispatchEvent(event: Event): boolean
}

interface Waiting {
  type: string
  listener: EventHandler<any> | null
  options?: boolean | AddEventListenerOptions
}

/**
 * An event target whose events are fired by other objects (the admin service, the alert monitor). Each
 * listener is attached to the object that fires its event, so no event is dispatched twice; listeners
 * added before that object exists wait here and are attached when it is routed.
 */
export class EventRoutes<Events extends Record<string, any>> extends EventTarget implements TypedEventTarget<Events> {
  private readonly targets = new Map<string, Target>()
  private waiting: Waiting[] = []

  /** From now on, the events named are those of `target`. */
  protected route<T extends Record<string, any>> (names: ReadonlyArray<keyof T & keyof Events>, target: TypedEventTarget<T>): void {
    for (const name of names) this.targets.set(name as string, target)
    const still: Waiting[] = []
    for (const w of this.waiting) {
      const t = this.targets.get(w.type)
      if (t != null) t.addEventListener(w.type, w.listener, w.options)
      else still.push(w)
    }
    this.waiting = still
  }

  override addEventListener<K extends keyof Events> (type: K, listener: EventHandler<Events[K]> | null, options?: boolean | AddEventListenerOptions): void {
    const target = this.targets.get(type as string)
    if (target != null) target.addEventListener(type as string, listener, options)
    else this.waiting.push({ type: type as string, listener, ...(options != null ? { options } : {}) })
  }

  override removeEventListener<K extends keyof Events> (type: K, listener?: EventHandler<Events[K]> | null, options?: boolean | EventListenerOptions): void {
    const target = this.targets.get(type as string)
    if (target != null) {
      target.removeEventListener(type as string, listener ?? null, options)
      return
    }
    this.waiting = this.waiting.filter(w => w.type !== type || w.listener !== listener)
  }

  listenerCount (type: string): number {
    const target = this.targets.get(type)
    return target != null ? target.listenerCount(type) : this.waiting.filter(w => w.type === type).length
  }

  safeDispatchEvent<Detail> (type: keyof Events, detail: { detail?: Detail } = {}): boolean {
    return this.dispatchEvent(new CustomEvent<Detail>(type as string, detail))
  }

  override dispatchEvent (event: Event): boolean {
    const target = this.targets.get(event.type)
    return target != null ? target.dispatchEvent(event) : true
  }
}
