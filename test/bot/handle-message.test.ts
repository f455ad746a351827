import { describe, expect, it } from 'vitest';
import { executeCommand, handleMessage } from '../../bot/handle-message';
import { parseCommand } from '../../core/commands/parse-command';
import { UserError } from '../../core/errors/user-error';
import { ORCHESTRATIONS } from '../../core/jobs/job-catalog';
import { executeActions, visibleText } from '../cards/card-inspect';
import { charonFixture } from '../core/ike/ike-fixtures';
import { chatMessage, CONVERSATION_KEY, envelope, NOW, PEOPLE, testBot, textFile } from './bot-fakes';
import type { Person, TestBot } from './bot-fakes';

async function say(bot: TestBot, text: string, from: Person = PEOPLE.alex, files: Parameters<typeof chatMessage>[3] = []) {
  const message = chatMessage(bot, text, from, files);
  await handleMessage(message, bot.deps);
  return message.surface;
}

/** The only card sent, as readable text. */
function onlyReply(replies: readonly unknown[]): string {
  expect(replies).toHaveLength(1);
  return visibleText(replies[0] as never);
}

describe('handleMessage: commands that fail before anything runs', () => {
  it('answers an unknown command with the closest one, and starts nothing', async () => {
    const bot = testBot();
    const chat = await say(bot, 'stauts site-paris');
    expect(onlyReply(chat.replies)).toMatch(/There is no command stauts\.[\s\S]*Did you mean status\?/);
    expect(bot.jobs.started).toEqual([]);
    expect(bot.audit.records).toEqual([]);
  });

  it('explains bad arguments with usage and an example', async () => {
    const bot = testBot();
    const text = onlyReply((await say(bot, 'diagnose site-oslo --hours 500')).replies);
    expect(text).toContain('Check the diagnose command');
    expect(text).toContain('`--hours` must be between 1 and 168; 500 is outside that.');
    expect(text).toContain('diagnose <site> [--hours N]');
    expect(text).toContain('Code: InvalidArguments');
    expect(bot.jobs.started).toEqual([]);
  });

  it('asks for a command when the message has none (only a mention)', async () => {
    const bot = testBot();
    expect(onlyReply((await say(bot, '<at>VPN Bot</at>&nbsp;')).replies)).toContain('Code: EmptyCommand');
  });
});

describe('handleMessage: authorization', () => {
  it('refuses a person without the role, says which role, and audits the refusal', async () => {
    const bot = testBot();
    const text = onlyReply((await say(bot, 'status site-paris', PEOPLE.adele)).replies);
    expect(text).toContain('status needs the reader role, and you have no role.');
    expect(text).toContain('Code: AccessDenied');
    expect(bot.jobs.started).toEqual([]);
    expect(bot.audit.records).toEqual([{ action: 'status', actor: { aadObjectId: PEOPLE.adele.aadObjectId, name: 'Adele Vance' }, target: 'site-paris', outcome: 'denied', detail: 'missing-role' }]);
  });

  it('names the role the caller has when it is not enough', async () => {
    const bot = testBot();
    expect(onlyReply((await say(bot, 'cancel status-fleet-a0000001', PEOPLE.lynne)).replies)).toContain('cancel needs the operator role; you have reader.');
    expect(bot.audit.records[0]).toMatchObject({ action: 'cancel', outcome: 'denied', target: 'status-fleet-a0000001' });
  });

  it('refuses a person without the role before judging their arguments', async () => {
    const bot = testBot();
    const text = onlyReply((await say(bot, 'cancel x', PEOPLE.lynne)).replies);
    expect(text).toContain('cancel needs the operator role; you have reader.');
    expect(text).not.toContain('InvalidArguments');
    expect(bot.audit.records[0]).toMatchObject({ action: 'cancel', outcome: 'denied', target: 'cancel' });
    // Someone who holds the role hears what is wrong with the arguments.
    expect(onlyReply((await say(bot, 'cancel x')).replies)).toContain('Code: InvalidArguments');
  });

  it('refuses a caller from a tenant that is not allowed, even with a listed object id', async () => {
    const bot = testBot();
    expect(onlyReply((await say(bot, 'status', PEOPLE.stranger)).replies)).toContain("Your organisation's tenant is not allowed to use this bot.");
    expect(bot.audit.records[0]).toMatchObject({ outcome: 'denied', detail: 'tenant-not-allowed', target: 'status' });
  });

  it('refuses a channel that does not identify the caller, and audits without an id', async () => {
    const bot = testBot();
    expect(onlyReply((await say(bot, 'jobs', PEOPLE.anonymous)).replies)).toContain('This channel did not tell me who you are');
    expect(bot.audit.records).toEqual([{ action: 'jobs', actor: { name: 'someone' }, target: 'jobs', outcome: 'denied', detail: 'no-identity' }]);
  });
});

describe('handleMessage: instant commands', () => {
  it('help works for anyone, showing what they may run', async () => {
    const bot = testBot();
    const text = onlyReply((await say(bot, 'help', PEOPLE.adele)).replies);
    expect(text).toContain('Needs a role you do not have:');
    expect(text).toMatch(/whoami {2}Show who the bot thinks you are/);
    expect(bot.audit.records).toEqual([]);
  });

  it('help <command> explains that command', async () => {
    const bot = testBot();
    expect(onlyReply((await say(bot, 'help why')).replies)).toContain('help diagnose');
  });

  it('whoami shows the verified identity and its roles', async () => {
    const bot = testBot();
    expect(onlyReply((await say(bot, 'whoami', PEOPLE.patti)).replies)).toMatch(/Patti Fernandez[\s\S]*5a7c0de0-0000-4000-8000-00000000a005[\s\S]*reader, operator, approver/);
  });

  it('jobs lists only the caller\'s jobs of the last week, with Cancel only on running ones for an operator', async () => {
    const bot = testBot();
    bot.jobs.add({ jobId: 'status-site-paris-a1', status: 'Running', envelope: envelope({ jobId: 'status-site-paris-a1' }), customStatus: { step: 'reading Azure', detail: 'site-paris' } });
    bot.jobs.add({ jobId: 'status-fleet-a2', status: 'Completed', envelope: envelope({ jobId: 'status-fleet-a2', commandLine: 'status all' }) });
    bot.jobs.add({ jobId: 'status-site-rome-a3', status: 'Running', envelope: envelope({ jobId: 'status-site-rome-a3', commandLine: 'status site-rome', requestedBy: { aadObjectId: PEOPLE.patti.aadObjectId, name: 'Patti Fernandez' } }) });
    bot.jobs.add({ jobId: 'status-site-oslo-a4', status: 'Completed', createdAt: new Date(NOW.getTime() - 8 * 86_400_000), envelope: envelope({ jobId: 'status-site-oslo-a4', commandLine: 'status site-oslo' }) });
    const chat = await say(bot, 'jobs', { ...PEOPLE.alex, aadObjectId: PEOPLE.alex.aadObjectId.toUpperCase() });
    const text = onlyReply(chat.replies);
    expect(text).toContain('status site-paris  running');
    expect(text).toContain('reading Azure: site-paris');
    expect(text).toContain('status all  done');
    expect(text).not.toContain('site-rome');
    expect(text).not.toContain('site-oslo');
    expect(executeActions(chat.replies[0]!).filter((a) => a.verb === 'cancelJob').map((a) => a.data)).toEqual([{ jobId: 'status-site-paris-a1' }]);
  });

  /** `n` jobs of alex's, newest first as `status-site-<i>-j`, one minute apart. */
  function manyJobs(bot: TestBot, n: number, from = 0) {
    for (let i = from; i < from + n; i++) {
      const jobId = `status-site-${i}-j`;
      bot.jobs.add({ jobId, status: 'Completed', createdAt: new Date(NOW.getTime() - (i + 1) * 60_000), envelope: envelope({ jobId, commandLine: `status site-${i}` }) });
    }
  }

  it('jobs counts every older job of the week, reading status only for the ones on the card', async () => {
    const bot = testBot();
    manyJobs(bot, 35);
    const text = onlyReply((await say(bot, 'jobs')).replies);
    expect(text.match(/status site-\d+ {2}done/g)).toHaveLength(15);
    expect(text).toContain('status site-0  done');
    expect(text).toContain('status site-14  done');
    expect(text).not.toContain('status site-15 ');
    expect(text).toContain('…and 20 older.');
    expect(bot.jobs.reads).toHaveLength(15);
  });

  it('jobs fills the card past jobs Durable no longer has, and counts only what it did not read as older', async () => {
    const bot = testBot();
    manyJobs(bot, 25);
    for (let i = 0; i < 4; i++) bot.jobs.records.delete(`status-site-${i}-j`);
    const text = onlyReply((await say(bot, 'jobs')).replies);
    expect(text.match(/status site-\d+ {2}done/g)).toHaveLength(15);
    expect(text).toContain('status site-4  done');
    expect(text).toContain('status site-18  done');
    expect(text).toContain('…and 6 older.');
    expect(bot.jobs.reads).toHaveLength(19);
  });

  it('jobs says "more than" once the week holds more jobs than it counts', async () => {
    const bot = testBot();
    manyJobs(bot, 1200);
    const text = onlyReply((await say(bot, 'jobs')).replies);
    expect(text).toContain('…and more than 984 older.');
    expect(bot.jobs.reads).toHaveLength(15);
  });

  it('a reader sees their jobs without Cancel buttons', async () => {
    const bot = testBot();
    bot.jobs.add({ jobId: 'status-site-paris-b1', status: 'Running', envelope: envelope({ jobId: 'status-site-paris-b1', requestedBy: { aadObjectId: PEOPLE.lynne.aadObjectId, name: 'Lynne Robbins' } }) });
    const chat = await say(bot, 'jobs', PEOPLE.lynne);
    expect(onlyReply(chat.replies)).toContain('status site-paris  running');
    expect(executeActions(chat.replies[0]!).filter((a) => a.verb === 'cancelJob')).toEqual([]);
  });
});

describe('handleMessage: commands that start a job', () => {
  it('sends the acknowledgement card first, then starts the job with the card id, indexes it for jobs, then audits', async () => {
    const bot = testBot();
    const chat = await say(bot, 'status Site-Paris', PEOPLE.lynne);
    expect(bot.timeline).toEqual(['remember', 'reply', `start ${ORCHESTRATIONS.siteStatus}`, 'index status-site-paris-a0000002', 'audit status started']);
    expect(bot.jobIndex.entries).toEqual([{ jobId: 'status-site-paris-a0000002', requesterId: PEOPLE.lynne.aadObjectId.toLowerCase(), createdAt: NOW }]);
    expect(onlyReply(chat.replies)).toMatch(/Working on it: status[\s\S]*status Site-Paris[\s\S]*Lynne Robbins/);
    expect(chat.updates).toEqual([]);
    const [{ orchestration, envelope: started }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect(orchestration).toBe('siteStatusJob');
    expect(started).toEqual({
      jobId: 'status-site-paris-a0000002',
      commandLine: 'status Site-Paris',
      requestedBy: { aadObjectId: PEOPLE.lynne.aadObjectId, name: 'Lynne Robbins' },
      conversationKey: CONVERSATION_KEY,
      cardActivityId: 'activity-1',
      requestedAt: NOW.toISOString(),
      payload: { site: 'Site-Paris' },
    });
    expect(bot.audit.records).toEqual([{ action: 'status', actor: { aadObjectId: PEOPLE.lynne.aadObjectId, name: 'Lynne Robbins' }, target: 'Site-Paris', outcome: 'started', jobId: 'status-site-paris-a0000002' }]);
  });

  it('status without a site (or with all) starts the fleet job', async () => {
    for (const text of ['status', 'st ALL']) {
      const bot = testBot();
      await say(bot, text);
      expect(bot.jobs.started.map((s) => [s.orchestration, s.envelope.commandLine, s.envelope.payload])).toEqual([['fleetStatusJob', 'status all', { page: 0 }]]);
      expect(bot.jobs.started[0]!.envelope.jobId).toMatch(/^status-fleet-[0-9a-f]{8}$/);
    }
  });

  it('diagnose hands a pasted device log to the job as its significant events only', async () => {
    const bot = testBot();
    const log = charonFixture('wrong-root', 'initiator');
    await say(bot, `diagnose site-berlin --hours 6\n${log}`);
    const [{ envelope: started }] = bot.jobs.started as [(typeof bot.jobs.started)[0]];
    expect(started.commandLine).toBe('diagnose site-berlin --hours 6 (+ device log)');
    const payload = started.payload as { site: string; hours: number; deviceLog: { source: string; lines: number; events: { kind: string }[] } };
    expect(payload).toMatchObject({ site: 'site-berlin', hours: 6, deviceLog: { source: 'pasted', lines: log.replace(/\n$/, '').split('\n').length } });
    expect(payload.deviceLog.events.length).toBeGreaterThan(0);
    expect(payload.deviceLog.events.every((e) => e.kind !== 'other')).toBe(true);
    expect(JSON.stringify(payload)).not.toContain('loaded plugins');
  });

  it('diagnose refuses an unreadable device log before acknowledging anything', async () => {
    const bot = testBot();
    const chat = await say(bot, 'diagnose site-berlin', PEOPLE.alex, [textFile('capture.pcap', new Uint8Array([0xd4, 0xc3, 0xb2, 0xa1, 0, 0]))]);
    const text = onlyReply(chat.replies);
    expect(text).toContain('Could not read the device log');
    expect(text).toContain('Code: BinaryAttachment');
    expect(bot.timeline).toEqual(['reply']);
  });

  it('a job already running: the acknowledgement card is replaced with the conflict, and nothing is audited as started', async () => {
    const bot = testBot();
    bot.jobs.startAnswer = 'conflict';
    const chat = await say(bot, 'status site-paris');
    expect(chat.replies).toHaveLength(1);
    expect(chat.updates).toHaveLength(1);
    expect(chat.updates[0]!.activityId).toBe('activity-1');
    expect(visibleText(chat.updates[0]!.card)).toMatch(/Already running[\s\S]*Code: JobAlreadyRunning/);
    expect(bot.audit.records).toEqual([]);
  });

  it('starting fails unexpectedly: the card shows a reference, never the exception text, and the log has the detail', async () => {
    const bot = testBot();
    bot.jobs.startAnswer = new Error('connect ECONNREFUSED 10.1.2.3:443 secret=hunter2');
    const chat = await say(bot, 'diagnose site-oslo');
    expect(chat.updates).toHaveLength(1);
    const text = visibleText(chat.updates[0]!.card);
    const jobId = 'diagnose-site-oslo-a0000002';
    expect(text).toContain(`Reference: ${jobId}`);
    expect(text).not.toMatch(/ECONNREFUSED|hunter2/);
    expect(bot.audit.records).toEqual([]);
    const logged = bot.log.entries.find((e) => e.level === 'error');
    expect(logged?.properties).toMatchObject({ reference: jobId });
    expect(String(logged?.properties?.error)).toContain('hunter2');
  });

  it('the conversation cannot be remembered (Table Storage down): the acknowledgement card is replaced, nothing starts', async () => {
    const bot = testBot();
    const message = chatMessage(bot, 'status site-paris', PEOPLE.alex);
    message.surface.failRemember = new Error('Table Storage answered 503');
    await handleMessage(message, bot.deps);
    expect(message.surface.replies).toHaveLength(1);
    expect(message.surface.updates).toHaveLength(1);
    expect(visibleText(message.surface.updates[0]!.card)).toMatch(/Something went wrong[\s\S]*Reference: status-site-paris-/);
    expect(visibleText(message.surface.updates[0]!.card)).not.toContain('503');
    expect(bot.jobs.started).toEqual([]);
  });

  it('starting fails with a known error: the card shows its safe text and code', async () => {
    const bot = testBot();
    bot.jobs.startAnswer = new UserError('DurableUnavailable', 'The job service is not answering.', 'Try again in a minute.');
    const chat = await say(bot, 'status site-paris');
    const text = visibleText(chat.updates[0]!.card);
    expect(text).toMatch(/Could not start the job[\s\S]*The job service is not answering\.[\s\S]*Try again in a minute\.[\s\S]*Code: DurableUnavailable/);
  });
});

describe('job index', () => {
  it('a job whose index write fails still runs and is audited; the failure is logged', async () => {
    const bot = testBot();
    bot.jobIndex.addError = new Error('table unavailable');
    await say(bot, 'status site-paris');
    expect(bot.jobs.started).toHaveLength(1);
    expect(bot.audit.records.map((r) => r.outcome)).toEqual(['started']);
    expect(bot.log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: 'could not index the job for `jobs`' }));
  });

  it('jobs shows a job the index names only if the job itself records the caller as requester', async () => {
    const bot = testBot();
    bot.jobs.add({ jobId: 'status-site-rome-z1', status: 'Running', envelope: envelope({ jobId: 'status-site-rome-z1', commandLine: 'status site-rome', requestedBy: { aadObjectId: PEOPLE.patti.aadObjectId, name: 'Patti Fernandez' } }) });
    bot.jobIndex.entries.push({ jobId: 'status-site-rome-z1', requesterId: PEOPLE.alex.aadObjectId.toLowerCase(), createdAt: NOW });
    expect(onlyReply((await say(bot, 'jobs')).replies)).not.toContain('site-rome');
  });
});

describe('handleMessage: unexpected failures', () => {
  it('answers with one error card carrying a reference, logs the detail, and never throws', async () => {
    const bot = testBot();
    bot.jobIndex.listError = new TypeError("Cannot read properties of undefined (reading 'token=abc123')");
    const chat = await say(bot, 'jobs');
    const text = onlyReply(chat.replies);
    expect(text).toContain('Something went wrong');
    expect(text).toContain('Reference: a0000001');
    expect(text).not.toContain('abc123');
    expect(bot.log.entries).toContainEqual(expect.objectContaining({ level: 'error', properties: expect.objectContaining({ reference: 'a0000001', error: expect.stringContaining('abc123') }) }));
  });

  it('still does not throw when even the error card cannot be sent', async () => {
    const bot = testBot();
    bot.jobIndex.listError = new Error('boom');
    const message = chatMessage(bot, 'jobs', PEOPLE.alex);
    message.surface.failReplies = new Error('Teams is down');
    await expect(handleMessage(message, bot.deps)).resolves.toBeUndefined();
    expect(bot.log.entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual(['message failed', 'could not send the error card']);
  });
});

describe('cancel <job-id>', () => {
  function running(bot: TestBot, jobId: string, owner: Person = PEOPLE.alex) {
    return bot.jobs.add({ jobId, status: 'Running', envelope: envelope({ jobId, commandLine: 'status all', requestedBy: { aadObjectId: owner.aadObjectId!, name: owner.displayName }, cardActivityId: 'ack-7' }) });
  }

  it('cancels the caller\'s running job, audits it, and marks the job\'s own card cancelled', async () => {
    const bot = testBot();
    running(bot, 'status-fleet-c1');
    const chat = await say(bot, 'cancel status-fleet-c1');
    expect(bot.jobs.cancelled).toEqual([{ jobId: 'status-fleet-c1', reason: 'Cancelled in Teams by Alex Wilber' }]);
    expect(bot.audit.records).toEqual([{ action: 'cancel', actor: { aadObjectId: PEOPLE.alex.aadObjectId, name: 'Alex Wilber' }, target: 'status-fleet-c1', outcome: 'cancelled', jobId: 'status-fleet-c1' }]);
    expect(bot.messenger.updates).toHaveLength(1);
    expect(bot.messenger.updates[0]).toMatchObject({ conversationKey: CONVERSATION_KEY, activityId: 'ack-7' });
    expect(visibleText(bot.messenger.updates[0]!.card)).toMatch(/Cancelled: status[\s\S]*Cancelled by Alex Wilber\./);
    expect(onlyReply(chat.replies)).toMatch(/Cancelled[\s\S]*status all {2}\(status-fleet-c1\)/);
  });

  it('refuses to cancel someone else\'s job, and audits the attempt', async () => {
    const bot = testBot();
    running(bot, 'status-fleet-c2', PEOPLE.patti);
    const text = onlyReply((await say(bot, 'cancel status-fleet-c2')).replies);
    expect(text).toContain('Job status-fleet-c2 was started by Patti Fernandez; you can only cancel jobs you started.');
    expect(text).toContain('Code: NotYourJob');
    expect(bot.jobs.cancelled).toEqual([]);
    expect(bot.audit.records).toEqual([{ action: 'cancel', actor: { aadObjectId: PEOPLE.alex.aadObjectId, name: 'Alex Wilber' }, target: 'status-fleet-c2', outcome: 'denied', jobId: 'status-fleet-c2', detail: 'not the requester' }]);
  });

  it('refuses a job that is not running any more', async () => {
    const bot = testBot();
    bot.jobs.add({ jobId: 'status-fleet-c3', status: 'Completed', envelope: envelope({ jobId: 'status-fleet-c3' }) });
    expect(onlyReply((await say(bot, 'cancel status-fleet-c3')).replies)).toMatch(/is not running any more \(it is completed\)[\s\S]*Code: JobNotRunning/);
    expect(bot.jobs.cancelled).toEqual([]);
  });

  it('says so for an unknown job, or one the bot did not start', async () => {
    const bot = testBot();
    bot.jobs.add({ jobId: 'someone-elses-instance', status: 'Running' });
    expect(onlyReply((await say(bot, 'cancel status-fleet-zz')).replies)).toContain('Code: JobNotFound');
    expect(onlyReply((await say(bot, 'cancel someone-elses-instance')).replies)).toContain('Code: JobNotFound');
    expect(bot.jobs.cancelled).toEqual([]);
  });

  it('still cancels when the job\'s card can no longer be updated, and logs that', async () => {
    const bot = testBot();
    running(bot, 'status-fleet-c4');
    bot.messenger.updateError = new Error('conversation gone');
    expect(onlyReply((await say(bot, 'cancel status-fleet-c4')).replies)).toMatch(/^Cancelled/);
    expect(bot.jobs.cancelled).toHaveLength(1);
    expect(bot.log.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: 'could not update the cancelled job card' }));
  });
});

describe('executeCommand', () => {
  function parsed(text: string) {
    const result = parseCommand(text);
    if (!result.ok) throw new Error(`did not parse: ${text}`);
    return result.command;
  }

  it('resolves an instant command to its card without sending it (the caller decides where it goes)', async () => {
    const bot = testBot();
    const message = chatMessage(bot, '', PEOPLE.alex);
    const outcome = await executeCommand(parsed('whoami'), message, bot.deps);
    expect(outcome.kind).toBe('card');
    expect(message.surface.replies).toEqual([]);
  });

  it('reports a started job with its id and command line', async () => {
    const bot = testBot();
    const message = chatMessage(bot, '', PEOPLE.alex);
    expect(await executeCommand(parsed('diagnose site-oslo'), message, bot.deps)).toEqual({ kind: 'job', jobId: 'diagnose-site-oslo-a0000001', commandLine: 'diagnose site-oslo --hours 24', started: true, duplicate: false });
    bot.jobs.startAnswer = 'conflict';
    expect(await executeCommand(parsed('diagnose site-oslo'), message, bot.deps)).toMatchObject({ kind: 'job', started: false });
  });
});
