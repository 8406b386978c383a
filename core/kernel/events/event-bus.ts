/**
 * The typed event bus of a run, on eventemitter3. Listener errors are contained: a broken
 * subscriber (a plot writer, say) must not kill a training run, so it is reported as a
 * warning and unsubscribed.
 */
import { EventEmitter } from 'eventemitter3';
import type { AttuneEventName, AttuneEvents } from './event-types.js';

type Listener<K extends AttuneEventName> = (payload: AttuneEvents[K]) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();

  on<K extends AttuneEventName>(name: K, listener: Listener<K>): () => void {
    const guarded = (payload: AttuneEvents[K]): void => {
      try {
        listener(payload);
      } catch (error) {
        this.emitter.off(name, guarded);
        if (name !== 'warning') {
          this.emit('warning', { message: `an event subscriber for '${name}' failed and was removed: ${String(error)}`, origin: 'events' });
        }
      }
    };
    this.emitter.on(name, guarded);
    return () => this.emitter.off(name, guarded);
  }

  emit<K extends AttuneEventName>(name: K, payload: AttuneEvents[K]): void {
    this.emitter.emit(name, payload);
  }

  /** Subscribe to every event, e.g. to write them all to a JSONL file. */
  onAny(listener: <K extends AttuneEventName>(name: K, payload: AttuneEvents[K]) => void): () => void {
    const names: AttuneEventName[] = ['run:start', 'run:end', 'stage:start', 'stage:end', 'step', 'eval', 'checkpoint', 'rollout', 'warning', 'log'];
    const offs = names.map((name) => this.on(name, (payload) => listener(name, payload)));
    return () => offs.forEach((off) => off());
  }

  removeAll(): void {
    this.emitter.removeAllListeners();
  }
}
