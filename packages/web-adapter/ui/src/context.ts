/** What every page gets: the store, the session, navigation. */
import type { Store } from './store.js';
import type { Instance, Session } from './types.js';

export interface AppContext {
  readonly store: Store;
  readonly session: Session;
  readonly canManage: boolean;
  navigate(path: string, options?: { replace?: boolean }): void;
  /** Loads the service list again (after changes whose events may lag). */
  reloadServices(): Promise<void>;
  /** The processes (cached for a few seconds). */
  instances(): Promise<Instance[]>;
}

export interface View {
  readonly element: HTMLElement;
  readonly title: string;
  /** Stops listening to the store and timers. */
  destroy(): void;
}
