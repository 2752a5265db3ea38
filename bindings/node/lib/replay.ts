// Deterministic replay: a model serving the responses recorded in a rollout, so a recorded conversation
// re-runs offline with the same tool calls.

import { nativeSync } from './errors';
import { NativeReplayModel } from './native';

/**
 * A model replaying a recorded conversation (`new Codex({ modelClient })`). Each request is checked against
 * the recording: the first difference fails the turn with a `ReplayDivergedError` naming it (also kept in
 * `divergence`). Build it with `ReplayModel.fromRollout(path)` or `await codex.replayModel(conversationId)`.
 */
export class ReplayModel {
  /** @internal */
  constructor(readonly native: NativeReplayModel) {}

  /** Replays the rollout file at `path` (`conversation.rolloutPath` of the recorded run). */
  static fromRollout(path: string): ReplayModel {
    return new ReplayModel(nativeSync(() => NativeReplayModel.fromRollout(path)));
  }

  /** Recorded responses not served yet. */
  get remaining(): number {
    return this.native.remaining;
  }

  /** Where the replay first differed from its recording (`null` while it matches). */
  get divergence(): string | null {
    return this.native.divergence ?? null;
  }
}
