import type { RotateInboundRequest } from '../../core/change/change-kind';
import type { ChangePlan, PlannedChange } from '../../core/change/change-plan';
import { UserError } from '../../core/errors/user-error';
import { toBase64Der, type CertificateInfo } from '../../core/pki/certificate-info';
import { checkInboundSubjectName } from '../../core/pki/check-inbound-subject-name';
import { formatDay } from '../../core/pki/days-until-expiry';
import { chainSubjects, checkDeviceAgainstChain, checkNewInboundChain } from '../../core/pki/inbound-rotation';
import { parseDer } from '../../core/pki/parse-certificate';
import { findSite } from '../site-directory';
import type { ChangeKindHandler } from './change-kind-handler';
import { backAsBefore, comeBackTargetOf, deviceCameBack, tunnelsLine } from './device-came-back';

/**
 * `rotate <site> inbound`: the chain and subject Azure accepts from the device (`inboundAuthCertificateChain`,
 * `inboundAuthCertificateSubjectName`). Azure keeps one subject and one chain, so a device moving to a new PKI or a
 * new subject is a cutover: apply switches both (GET, modify, PUT; busy answers waited out), verify watches for the
 * device to come back (tunnels Connected and a successful negotiation logged after the switch), and rollback puts
 * back the previous chain and subject. A maintenance window (`at`) is the plan's `notBefore`.
 */

const fromBase64 = (b64: string): CertificateInfo => parseDer(new Uint8Array(Buffer.from(b64, 'base64')));
const joinChain = (chain: readonly string[]): string => chain.join(',');
const splitChain = (text: string | undefined): string[] => (text ?? '').split(',').filter(Boolean);
const sameChain = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const sameSubject = (a: string | undefined, b: string | undefined): boolean => (a ?? '').trim() === (b ?? '').trim();

/** The certificates of a chain Azure has, each parsed where it can be (an unreadable one is named, not fatal). */
function describeChain(chain: readonly string[]): string {
  const subjects = chain.map((b64) => {
    try {
      return fromBase64(b64).subject || '(empty subject)';
    } catch {
      return '(unreadable certificate)';
    }
  });
  return subjects.length === 0 ? '(empty)' : subjects.join(' -> ');
}

/** The first expiry of a chain Azure has (base64 DER), or what could not be read of it. */
function expiryOfChain(chain: readonly string[]): string {
  try {
    return expiryText(chain.map(fromBase64)) || '(empty)';
  } catch {
    return '(unreadable certificate)';
  }
}

function expiryText(chain: readonly CertificateInfo[]): string {
  const first = [...chain].sort((a, b) => a.notAfter.getTime() - b.notAfter.getTime())[0];
  return first ? `first expiry ${formatDay(first.notAfter)} (${first.subject})` : '';
}

export const rotateInboundChange: ChangeKindHandler<RotateInboundRequest> = {
  async plan(request, ports) {
    const c = await findSite(ports, request.site);
    if ('kind' in c) return c;
    const auth = c.details.certificate;
    if (c.details.authenticationType !== 'Certificate' || !auth) {
      throw new UserError('NotCertificateConnection', `${c.site} authenticates with a pre-shared key, not certificates: there is no inbound chain or subject to change.`);
    }
    const now = ports.now();
    const beforeChain = [...auth.inboundChain];
    const beforeSubject = auth.inboundSubjectName;
    // The card's data and the command's payload are checked again here: nothing reaches Azure unchecked.
    let newChain: readonly CertificateInfo[] | undefined;
    let warnings: string[] = [];
    if (request.chain !== undefined) {
      let given: CertificateInfo[];
      try {
        given = request.chain.map(fromBase64);
      } catch {
        throw new UserError('InvalidCertificate', 'The new inbound chain holds something that is not a certificate.', `Paste the CA certificates again under rotate ${c.site} inbound.`);
      }
      const checked = checkNewInboundChain(given, now);
      if (!checked.ok) throw new UserError(checked.errors[0]!.code, `The new inbound chain breaks Azure's rules: ${checked.errors.map((e) => `${e.message} (${e.code})`).join(' ')}`);
      newChain = checked.chain;
      warnings = checked.warnings.map((w) => w.message);
    }
    const afterSubject = request.subject !== undefined ? request.subject.trim() : beforeSubject;
    const subjectProblem = checkInboundSubjectName(afterSubject)[0];
    if (subjectProblem) throw new UserError(subjectProblem.code, subjectProblem.message);
    if (afterSubject.length > 256 || hasControlCharacters(afterSubject)) throw new UserError('InvalidSubjectName', 'The inbound subject name must be one line of at most 256 characters.');
    const afterChain = newChain ? newChain.map((cert) => toBase64Der(cert)) : beforeChain;
    if (request.device !== undefined) {
      let device: CertificateInfo;
      try {
        device = fromBase64(request.device);
      } catch {
        throw new UserError('InvalidCertificate', 'The device certificate given with the chain is not a certificate.');
      }
      const problems = await checkDeviceAgainstChain(device, newChain ?? beforeChain.map(fromBase64), afterSubject, now);
      if (problems.length > 0) throw new UserError('DeviceCertificateMismatch', `${problems.join(' ')} Nothing was requested.`, 'Paste the CA certificates that issued the device certificate, or give --subject with its subject.');
    }
    const title = `Rotate the inbound ${request.chain !== undefined && request.subject !== undefined ? 'chain and subject' : request.chain !== undefined ? 'chain' : 'subject'} of ${c.site}`;
    const chainChanges = !sameChain(beforeChain, afterChain);
    const subjectChanges = !sameSubject(beforeSubject, afterSubject);
    if (!chainChanges && !subjectChanges) {
      return { kind: 'nothing-to-change', title, site: c.site, why: `${c.name} already has ${request.chain !== undefined ? 'this inbound chain' : ''}${request.chain !== undefined && request.subject !== undefined ? ' and ' : ''}${request.subject !== undefined ? `the inbound subject ${afterSubject}` : ''}.` };
    }
    const [lng, diagnostics] = await Promise.all([
      c.localNetworkGatewayId ? ports.network.getLocalNetworkGateway(c.localNetworkGatewayId) : Promise.resolve(undefined),
      ports.monitor.getGatewayDiagnostics(c.gatewayId),
    ]);
    let notBefore: string | undefined;
    if (request.at !== undefined) {
      const at = new Date(request.at);
      if (Number.isNaN(at.getTime())) throw new UserError('InvalidTime', 'The maintenance window time is not a time.', 'Give it as UTC, e.g. --at 2026-12-06T02:00Z.');
      // A window already reached (the request waited) is no window: the change applies once approved.
      if (at.getTime() > now.getTime()) notBefore = at.toISOString();
    }
    const minutes = ports.outboundRotation.verifyMinutes;
    const changes: PlannedChange[] = [];
    if (chainChanges) changes.push({ resource: c.name, field: 'inbound certificate chain (root first)', before: describeChain(beforeChain), after: chainSubjects(newChain ?? []) });
    if (subjectChanges) changes.push({ resource: c.name, field: 'inbound certificate subject', before: beforeSubject || '(empty)', after: afterSubject });
    if (newChain) changes.push({ resource: c.name, field: 'chain validity', before: expiryOfChain(beforeChain), after: expiryText(newChain) });
    const tunnels = tunnelsLine(c.details);
    const logs = diagnostics.workspaceFor.IKEDiagnosticLog || diagnostics.workspaceFor.TunnelDiagnosticLog ? 'and the gateway logs a successful negotiation with the device after the switch' : '(the gateway sends no IKE logs, so only the tunnel status is checked)';
    const plan: ChangePlan = {
      kind: 'rotate-certificate',
      title,
      site: c.site,
      target: { connectionId: c.id, connectionName: c.name },
      changes,
      risk: `A cutover: from the switch on, Azure accepts only a device certificate ${chainChanges ? 'issued under the new chain' : 'from the current chain'} with the subject ${afterSubject}. A device not moved yet is cut off until the rollback (today ${tunnels.text}). Coordinate with the device owner.${warnings.length > 0 ? ` Warnings: ${warnings.join(' ')}` : ''}`,
      verify: `Both tunnels of ${c.name} Connected again ${logs}, within ${minutes} minutes of the switch.`,
      rollback: `Put back the previous inbound ${chainChanges ? `chain (${describeChain(beforeChain)})` : ''}${chainChanges && subjectChanges ? ' and ' : ''}${subjectChanges ? `subject ${beforeSubject}` : ''}, and check the tunnels again.`,
      verifyWithinMs: minutes * 60_000,
      ...(notBefore ? { notBefore } : {}),
      details: {
        side: 'inbound',
        connectionId: c.id,
        gatewayId: c.gatewayId,
        deviceIp: lng?.gatewayIpAddress ?? '',
        ikeWorkspace: diagnostics.workspaceFor.IKEDiagnosticLog ?? '',
        tunnelWorkspace: diagnostics.workspaceFor.TunnelDiagnosticLog ?? '',
        verifyMinutes: String(minutes),
        upBefore: String(tunnelsLine(c.details).up),
        beforeChain: joinChain(beforeChain),
        beforeSubject,
        afterChain: joinChain(afterChain),
        afterSubject,
      },
    };
    return plan;
  },

  async apply(plan, ports) {
    const d = plan.details;
    const connection = await ports.network.getConnection(d.connectionId!);
    const now = connection.certificate;
    const afterChain = splitChain(d.afterChain);
    const patch = {
      ...(sameChain(now?.inboundChain ?? [], afterChain) ? {} : { inboundChain: afterChain }),
      ...(sameSubject(now?.inboundSubjectName, d.afterSubject) ? {} : { inboundSubjectName: d.afterSubject! }),
    };
    if (Object.keys(patch).length > 0) await ports.network.updateCertificateAuthentication(d.connectionId!, patch);
    return `inbound ${chainChanges(plan) ? `chain ${describeChain(afterChain)} and ` : ''}subject ${d.afterSubject} set on ${plan.target.connectionName}`;
  },

  async verify(plan, ports, since) {
    const d = plan.details;
    const connection = await ports.network.getConnection(d.connectionId!);
    if (!sameChain(connection.certificate?.inboundChain ?? [], splitChain(d.afterChain)) || !sameSubject(connection.certificate?.inboundSubjectName, d.afterSubject)) {
      return { ok: false, detail: `${plan.target.connectionName} does not have the new inbound chain and subject (Azure shows ${describeChain(connection.certificate?.inboundChain ?? [])}, subject ${connection.certificate?.inboundSubjectName ?? '(none)'})` };
    }
    return deviceCameBack(ports, comeBackTargetOf(d, plan.target.connectionName), since, 'the new inbound chain and subject');
  },

  async verifyUnchanged(plan, ports) {
    const d = plan.details;
    const connection = await ports.network.getConnection(d.connectionId!);
    const problems: string[] = [];
    if (!sameChain(connection.certificate?.inboundChain ?? [], splitChain(d.beforeChain))) problems.push(`the inbound chain is ${describeChain(connection.certificate?.inboundChain ?? [])}, not the previous one`);
    if (!sameSubject(connection.certificate?.inboundSubjectName, d.beforeSubject)) problems.push(`the inbound subject is ${connection.certificate?.inboundSubjectName ?? '(none)'}, not ${d.beforeSubject}`);
    if (problems.length > 0) return { ok: false, detail: problems.join('; ') };
    return backAsBefore(connection, d.upBefore === 'true', `${plan.target.connectionName} has its previous inbound chain and subject ${d.beforeSubject}`);
  },

  async rollback(plan, ports) {
    const d = plan.details;
    const connection = await ports.network.getConnection(d.connectionId!);
    const beforeChain = splitChain(d.beforeChain);
    const patch = {
      ...(sameChain(connection.certificate?.inboundChain ?? [], beforeChain) ? {} : { inboundChain: beforeChain }),
      ...(sameSubject(connection.certificate?.inboundSubjectName, d.beforeSubject) ? {} : { inboundSubjectName: d.beforeSubject! }),
    };
    if (Object.keys(patch).length === 0) return `${plan.target.connectionName} already had its previous inbound chain and subject`;
    await ports.network.updateCertificateAuthentication(d.connectionId!, patch);
    return `put back the previous inbound ${chainChanges(plan) ? `chain (${describeChain(beforeChain)}) and ` : ''}subject ${d.beforeSubject} on ${plan.target.connectionName}`;
  },
};

function chainChanges(plan: ChangePlan): boolean {
  return !sameChain(splitChain(plan.details.beforeChain), splitChain(plan.details.afterChain));
}

function hasControlCharacters(text: string): boolean {
  return [...text].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
}
