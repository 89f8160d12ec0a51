import { createRequire } from 'node:module';
import path from 'node:path';
import type { History } from '@temporalio/common/lib/proto-utils';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

/**
 * History <-> the proto JSON that `temporal workflow show --output json` and the UI's download produce.
 *
 * Why not the SDK's historyToJSON/historyFromJSON (@temporalio/common/lib/proto-utils), which Worker.runReplayHistory
 * also calls for JSON input: in this install npm keeps protobufjs 7 at the root (grpc needs it) and gives
 * @temporalio/common and @temporalio/proto each their own copy of protobufjs 8. The SDK helpers look the History
 * type up in @temporalio/proto's root but format it with @temporalio/common's protojson, whose `instanceof Type`
 * check fails: "TypeError: type must be a Type". Using the protojson of the copy @temporalio/proto was loaded with
 * keeps type and formatter together (and is simply the same module when npm dedupes them).
 */
interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options: { ignoreUnknownFields: boolean }): History | null;
}

const protoPackageDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
const load = createRequire(path.join(protoPackageDir, 'package.json'));
const protojson = load('protobufjs/ext/protojson') as ProtoJson;
const root = patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown };
const historyType = root.lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): string {
  const message = proto.temporal.api.history.v1.History.fromObject(history);
  return JSON.stringify(protojson.toJson(historyType, message), null, 2);
}

/** A History object for Worker.runReplayHistories (with Long event ids, so the SDK does not re-parse it). */
export function historyFromJson(json: string): History {
  const parsed: unknown = JSON.parse(json);
  const events = (parsed as { events?: unknown }).events;
  if (!Array.isArray(events) || events.length === 0) throw new TypeError('not a workflow history: no events');
  // Tolerates fields a newer server or CLI adds, as the SDK's own reader does.
  const history = protojson.fromJson(historyType, parsed, { ignoreUnknownFields: true });
  if (!history) throw new TypeError('not a workflow history');
  return history;
}
