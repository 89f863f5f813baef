/**
 * One InferenceSession per graph key (a request signature), created on first use and kept
 * until the model is disposed, so steps never rebuild graphs. Counts what it built and ran,
 * for tests and diagnostics.
 */
import type { ModelProto } from '../proto/onnx-proto';
import { encodeModel } from '../proto/onnx-proto';
import type { InferenceSession, Runtime, SessionFeeds, SessionOutputs } from './load-runtime';

export interface SessionStats {
  /** Sessions created (one per distinct graph signature). */
  readonly sessions: number;
  /** `session.run` calls. */
  readonly runs: number;
}

export class SessionCache {
  private readonly sessions = new Map<string, Promise<InferenceSession>>();
  private readonly versions = new Map<string, { version: number; session: Promise<InferenceSession> }>();
  private created = 0;
  private runs = 0;

  constructor(private readonly runtime: Runtime) {}

  /** The session of `key`, building its graph with `build` the first time. */
  get(key: string, build: () => ModelProto): Promise<InferenceSession> {
    const known = this.sessions.get(key);
    if (known) return known;
    const created = this.runtime.ort.InferenceSession.create(encodeModel(build()), this.runtime.sessionOptions);
    this.created += 1;
    this.sessions.set(key, created);
    created.catch(() => this.sessions.delete(key));
    return created;
  }

  /**
   * The session of a graph that changes with the model's state (predict's graph, whose
   * parameters are initializers): rebuilt when `version` differs from the one cached under
   * `key`, and the previous session released.
   */
  versioned(key: string, version: number, build: () => ModelProto): Promise<InferenceSession> {
    const known = this.versions.get(key);
    if (known?.version === version) return known.session;
    known?.session.then((s) => s.release()).catch(() => {});
    const session = this.runtime.ort.InferenceSession.create(encodeModel(build()), this.runtime.sessionOptions);
    this.created += 1;
    this.versions.set(key, { version, session });
    session.catch(() => this.versions.delete(key));
    return session;
  }

  async run(session: InferenceSession, feeds: SessionFeeds): Promise<SessionOutputs> {
    this.runs += 1;
    return session.run(feeds);
  }

  stats(): SessionStats {
    return { sessions: this.created, runs: this.runs };
  }

  /** Releases every session (asynchronously; errors on release are ignored). */
  dispose(): void {
    const pending = [...this.sessions.values(), ...[...this.versions.values()].map((v) => v.session)];
    for (const session of pending) session.then((s) => s.release()).catch(() => {});
    this.sessions.clear();
    this.versions.clear();
  }
}
