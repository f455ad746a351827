import { parseJsonText, type InstanceRecord } from './durable-engine';
import { EventType, OrchestrationStatusCode, type HistoryEvent } from './history-event';

export interface StatusOptions {
  showHistory: boolean;
  showHistoryOutput: boolean;
  showInput: boolean;
}

/**
 * The extension's StatusResponsePayload. Note the history key is `historyEvents`: durable-functions 3.x reads
 * `history` instead (azure-functions-durable-js issue #620), so `DurableOrchestrationStatus.history` stays undefined
 * through the real client, exactly as it does against Azure.
 */
export function toStatusPayload(record: InstanceRecord, options: StatusOptions): Record<string, unknown> {
  const payload: Record<string, unknown> = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.status,
    input: options.showInput ? parseJsonText(record.input) : null,
    customStatus: parseJsonText(record.customStatus),
    output: parseJsonText(record.output),
    createdTime: formatStatusTime(record.createdTime),
    lastUpdatedTime: formatStatusTime(record.lastUpdatedTime),
  };
  if (options.showHistory && record.status !== 'Pending') {
    payload.historyEvents = projectHistory(record.history, options.showHistoryOutput, options.showInput);
  }
  return payload;
}

/** `DateTime.ToString("s") + "Z"`: second precision, no fraction. */
export function formatStatusTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface ScheduledInfo {
  index: number;
  name: unknown;
  timestamp: unknown;
  input: unknown;
}

/** DurableClient.GetDurableOrchestrationStatusAsync's history shaping for `showHistory=true`. */
export function projectHistory(history: HistoryEvent[], showHistoryOutput: boolean, showInput: boolean): Record<string, unknown>[] {
  const items = history.map((event) => ({ ...event }) as Record<string, unknown>);
  const scheduled = new Map<string, ScheduledInfo>();
  const drop = new Set<number>();

  items.forEach((item, index) => {
    const type = item.EventType as EventType;
    item.EventType = EventType[type] ?? String(type);
    switch (type) {
      case EventType.TaskScheduled:
      case EventType.SubOrchestrationInstanceCreated:
        scheduled.set(`${EventType[type]}_${String(item.EventId)}`, { index, name: item.Name, timestamp: item.Timestamp, input: item.Input });
        delete item.Version;
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const prefix = type === EventType.TaskCompleted || type === EventType.TaskFailed ? 'TaskScheduled' : 'SubOrchestrationInstanceCreated';
        const info = scheduled.get(`${prefix}_${String(item.TaskScheduledId)}`);
        if (info) {
          item.ScheduledTime = info.timestamp;
          item.FunctionName = info.name;
          if (showInput) item.Input = info.input;
          drop.add(info.index);
        }
        delete item.TaskScheduledId;
        const isCompletion = type === EventType.TaskCompleted || type === EventType.SubOrchestrationInstanceCompleted;
        if (isCompletion) {
          if (showHistoryOutput) item.Result = parseJsonText(typeof item.Result === 'string' ? item.Result : null);
          else delete item.Result;
        }
        break;
      }
      case EventType.ExecutionStarted:
        item.FunctionName = item.Name;
        delete item.Name;
        delete item.OrchestrationInstance;
        delete item.ParentInstance;
        delete item.Version;
        delete item.Tags;
        break;
      case EventType.ExecutionCompleted:
        item.OrchestrationStatus = OrchestrationStatusCode[item.OrchestrationStatus as number] ?? item.OrchestrationStatus;
        if (showHistoryOutput) item.Result = parseJsonText(typeof item.Result === 'string' ? item.Result : null);
        else delete item.Result;
        break;
      case EventType.TimerFired:
        delete item.TimerId;
        break;
      case EventType.OrchestratorStarted:
      case EventType.OrchestratorCompleted:
        drop.add(index);
        break;
      default:
        break;
    }
    if (!showInput) delete item.Input;
    delete item.EventId;
    delete item.IsPlayed;
  });

  return items.filter((_item, index) => !drop.has(index));
}
