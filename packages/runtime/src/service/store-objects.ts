// SPDX-License-Identifier: Apache-2.0
// Image and volume operations that write events (05 §12): the CLI and the daemon call these.
import { emitEvent, type EventSink } from '../events/index.js';
import {
  loadImage,
  removeImages,
  type LoadImageOptions,
  type LoadResult,
  type RemovedImage,
  type RemoveImagesOptions,
} from '../image-load/index.js';
import {
  createVolume,
  removeVolumes,
  type CreateVolumeOptions,
  type VolumeRecord,
} from '../volume/index.js';

/** `image load`, then one `load` event per image. */
export async function loadImageWithEvents(
  sink: EventSink,
  opts: LoadImageOptions,
): Promise<LoadResult> {
  const result = await loadImage(opts);
  for (const image of result.images) {
    await emitEvent(sink, {
      type: 'image',
      action: 'load',
      id: image.digest,
      ...(image.refs[0] !== undefined ? { name: image.refs[0] } : {}),
      attributes: { refs: image.refs.join(',') },
    });
  }
  return result;
}

/** `image rm`, then an `untag` event per removed tag and an `rm` event per deleted image. */
export async function removeImagesWithEvents(
  sink: EventSink,
  opts: RemoveImagesOptions,
): Promise<RemovedImage[]> {
  const removed = await removeImages(opts);
  for (const r of removed) {
    for (const tag of r.untagged) {
      await emitEvent(sink, { type: 'image', action: 'untag', id: r.digest, name: tag });
    }
    if (r.deleted)
      await emitEvent(sink, { type: 'image', action: 'rm', id: r.digest, name: r.ref });
  }
  return removed;
}

/** `volume create`, then a `create` event. */
export async function createVolumeWithEvents(
  sink: EventSink,
  opts: CreateVolumeOptions,
): Promise<VolumeRecord> {
  const record = await createVolume(sink.root, opts);
  await emitEvent(sink, { type: 'volume', action: 'create', id: record.name, name: record.name });
  return record;
}

/** `volume rm`, then an `rm` event per removed volume. */
export async function removeVolumesWithEvents(
  sink: EventSink,
  names: readonly string[],
  opts: { force?: boolean },
): Promise<string[]> {
  const removed = await removeVolumes(sink.root, names, opts);
  for (const name of removed)
    await emitEvent(sink, { type: 'volume', action: 'rm', id: name, name });
  return removed;
}
